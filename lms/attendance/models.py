"""Class sessions (buổi tập huấn) run by postal trainers in communes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.areas.models import Area
from lms.core.models import Base, TimestampMixin
from lms.organisations.models import Organisation

if TYPE_CHECKING:
    from lms.auth.models import User


class ClassSession(TimestampMixin, Base):
    __tablename__ = "class_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: the commune where the class is held
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    place: Mapped[str] = mapped_column(String(255))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    #: a cancelled session keeps its record
    cancelled_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    trainer: Mapped[User] = relationship()
    area: Mapped[Area] = relationship()

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None
