"""Counting failed attempts (logins, check-in codes) and locking a key after too many.

The counter lives in the database, so every web instance sees the same count; a key is an
identifier such as "login:0912345678" or "checkin:17", never a secret.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, case, delete, literal, null
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.models import Base, utcnow
from lms.extensions import db


class FailedAttempt(Base):
    __tablename__ = "failed_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(254), unique=True)
    #: attempts since the last success or the end of the last lock (each counted before it
    #: is checked; a success deletes the row)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]


@dataclass(frozen=True)
class Attempt:
    """One attempt, counted before it is checked."""

    #: 1 for the first attempt since the last success or the end of the last lock
    number: int
    limit: int
    #: minutes left of the lock this attempt is under, or that it starts if it fails (0: none)
    lock_minutes: int

    @property
    def is_refused(self) -> bool:
        """Past the limit: refused unchecked, even with the right secret or code."""
        return self.number > self.limit


def count_attempt(key: str, limit: int, lock_minutes: int) -> Attempt:
    """Count an attempt at ``key`` before it is checked; the caller commits it before the check.

    One statement (INSERT … ON CONFLICT DO UPDATE … RETURNING) both counts and answers, so
    attempts sent at once each get a number of their own, and the first ones to arrive cannot
    race each other's insert. The attempt numbered ``limit`` starts the lock (a success
    clears it); a lock that has ended starts the count again.
    """
    now = utcnow()
    table = FailedAttempt.__table__
    lock_end = literal(now + timedelta(minutes=lock_minutes), table.c.locked_until.type)
    counted = case((table.c.locked_until <= now, 1), else_=table.c.failures + 1)
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(key=key[:254], failures=1, locked_until=lock_end if limit <= 1 else None)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": counted,
                "locked_until": case(
                    (table.c.locked_until > now, table.c.locked_until),
                    (counted >= limit, lock_end),
                    else_=null(),
                ),
            },
        )
        .returning(table.c.failures, table.c.locked_until)
    )
    number, locked_until = db.session.execute(statement).one()
    minutes = 0
    if locked_until is not None and locked_until > now:
        minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    return Attempt(number, limit, minutes)


def clear(key: str) -> None:
    """A success forgets earlier failures, and ends the lock its own attempt started."""
    db.session.execute(delete(FailedAttempt).where(FailedAttempt.key == key[:254]))
