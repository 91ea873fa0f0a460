"""Counting attempts: numbered before they are checked, locked at the limit, reset after."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from lms.core import throttle
from lms.core.models import utcnow
from lms.core.throttle import FailedAttempt
from lms.extensions import db


def test_attempts_are_numbered_and_the_last_allowed_one_starts_the_lock(app):
    attempts = [throttle.count_attempt("login:x", 3, 15) for _ in range(5)]
    assert [(a.number, a.is_refused, a.lock_minutes) for a in attempts] == [
        (1, False, 0),
        (2, False, 0),
        (3, False, 15),  # checked; if it fails, the login is locked
        (4, True, 15),
        (5, True, 15),
    ]


def test_a_lock_that_has_ended_starts_the_count_again(app):
    for _ in range(4):
        throttle.count_attempt("login:x", 3, 15)
    db.session.execute(update(FailedAttempt).values(locked_until=utcnow() - timedelta(seconds=1)))
    attempt = throttle.count_attempt("login:x", 3, 15)
    assert (attempt.number, attempt.is_refused, attempt.lock_minutes) == (1, False, 0)


def test_a_success_forgets_the_count_and_keys_count_apart(app):
    throttle.count_attempt("login:x", 3, 15)
    throttle.count_attempt("login:y", 3, 15)
    throttle.clear("login:x")
    assert db.session.scalars(select(FailedAttempt.key)).all() == ["login:y"]
    assert throttle.count_attempt("login:x", 3, 15).number == 1
