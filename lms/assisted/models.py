"""Assisted mode: a trainer or a community digital technology team member learning beside a
household at a class session (DESIGN §4 rule 8: help is recorded as assisted).

One ``Assist`` is one opening of assisted mode: who helped which household, at which session,
from when until when. What the household did meanwhile carries the helper's id
(``LessonProgress.assisted_by_id``, ``QuizAttempt.assisted_by_id``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.attendance.models import ClassSession
from lms.auth.models import User
from lms.core.models import Base, utcnow
from lms.households.models import Household


class Assist(Base):
    __tablename__ = "assists"

    id: Mapped[int] = mapped_column(primary_key=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    #: the session the household was on the roster of, held that day
    session_id: Mapped[int] = mapped_column(ForeignKey("class_sessions.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: None while the helper has not ended it
    ended_at: Mapped[datetime | None]

    helper: Mapped[User] = relationship()
    household: Mapped[Household] = relationship()
    session: Mapped[ClassSession] = relationship()

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
