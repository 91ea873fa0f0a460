"""Counting failed attempts (logins, check-in codes) and locking a key after too many.

The counter lives in the database, so every web instance sees the same count; a key is an
identifier such as "login:0912345678" or "checkin:17", never a secret.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.models import Base, utcnow
from lms.extensions import db


class FailedAttempt(Base):
    __tablename__ = "failed_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(254), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]


def _row(key: str) -> FailedAttempt | None:
    return db.session.scalar(select(FailedAttempt).where(FailedAttempt.key == key[:254]))


def minutes_locked(key: str) -> int:
    """Minutes left before ``key`` may try again (0: it may try now)."""
    row = _row(key)
    now = utcnow()
    if row is None or row.locked_until is None or row.locked_until <= now:
        return 0
    return max(1, math.ceil((row.locked_until - now).total_seconds() / 60))


def record_failure(key: str, limit: int, lock_minutes: int) -> int:
    """Count a failure (flushes); returns the minutes of the lock it started, else 0."""
    row = _row(key)
    if row is None:
        row = FailedAttempt(key=key[:254], failures=0)
        db.session.add(row)
    row.failures += 1
    if row.failures < limit:
        db.session.flush()
        return 0
    row.failures, row.locked_until = 0, utcnow() + timedelta(minutes=lock_minutes)
    db.session.flush()
    return lock_minutes


def clear(key: str) -> None:
    """A success forgets earlier failures (flushes)."""
    row = _row(key)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
