"""Class sessions (buổi tập huấn) run by postal trainers in communes, their rosters and marks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.areas.models import Area
from lms.core.models import Base, TimestampMixin, str_enum, utcnow
from lms.organisations.models import Organisation

if TYPE_CHECKING:
    from lms.auth.models import User
    from lms.courses.models import Course
    from lms.households.models import Household

#: which courses a session covers: attending counts toward completing them
session_courses = Table(
    "class_session_courses",
    Base.metadata,
    Column("session_id", ForeignKey("class_sessions.id"), primary_key=True),
    Column("course_id", ForeignKey("courses.id"), primary_key=True),
)


class ClassSession(TimestampMixin, Base):
    __tablename__ = "class_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    co_trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the commune where the class is held
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    place: Mapped[str] = mapped_column(String(255))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    #: None: no limit
    capacity: Mapped[int | None]
    #: the 6-digit code households type to check themselves in during the session
    checkin_code: Mapped[str] = mapped_column(String(6), default="")
    #: a cancelled session keeps its record
    cancelled_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    trainer: Mapped[User] = relationship(foreign_keys=[trainer_id])
    co_trainer: Mapped[User | None] = relationship(foreign_keys=[co_trainer_id])
    area: Mapped[Area] = relationship()
    courses: Mapped[list[Course]] = relationship(secondary=session_courses, order_by="Course.id")
    marks: Mapped[list[AttendanceMark]] = relationship(back_populates="session")

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def hours(self) -> float:
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 2)


class MarkStatus(StrEnum):
    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    EXCUSED = "excused"

    @property
    def attended(self) -> bool:
        return self in (MarkStatus.PRESENT, MarkStatus.LATE)


#: how a mark reads on screens and in exports
MARK_LABELS = {
    MarkStatus.PRESENT: _l("Present"),
    MarkStatus.LATE: _l("Late"),
    MarkStatus.ABSENT: _l("Absent"),
    MarkStatus.EXCUSED: _l("Excused"),
}


class EnrolmentSource(StrEnum):
    SEARCH = "search"
    COMMUNE = "commune"
    PHONES = "phones"
    WALK_IN = "walk_in"
    SELF_CHECKIN = "self_checkin"


class AttendanceMark(Base):
    """A household on a session's roster, and its attendance once marked (one row each)."""

    __tablename__ = "attendance_marks"
    __table_args__ = (
        UniqueConstraint("session_id", "household_id"),
        # officials' figures: "attended a class" counted from the index alone
        Index("ix_attendance_marks_household_status", "household_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_sessions.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    #: how the household came onto the roster
    source: Mapped[EnrolmentSource] = mapped_column(str_enum(EnrolmentSource))
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: None until attendance is taken
    status: Mapped[MarkStatus | None] = mapped_column(str_enum(MarkStatus))
    #: true when the household checked itself in with the session's code
    is_self_checkin: Mapped[bool] = mapped_column(default=False)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime | None]
    #: for a self check-in, hashes of the device cookie and the address (lms.core.origin)
    device_hash: Mapped[str | None] = mapped_column(String(32), index=True)
    address_hash: Mapped[str | None] = mapped_column(String(32))

    session: Mapped[ClassSession] = relationship(back_populates="marks")
    household: Mapped[Household] = relationship()
    marked_by: Mapped[User | None] = relationship()

    @property
    def is_walk_in(self) -> bool:
        """Came to class without being on the list: registered there, or checked itself in."""
        return self.source in (EnrolmentSource.WALK_IN, EnrolmentSource.SELF_CHECKIN)
