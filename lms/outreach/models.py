"""A broadcast on a commune's radio: when, where, and the text that was read."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.areas.models import Area
from lms.core.models import Base, utcnow

if TYPE_CHECKING:
    from lms.auth.models import User


class Broadcast(Base):
    """One reading of an announcement on the commune radio. Recording it informs the
    commune's households (an ``OutreachEvent`` each, channel ``LOUDSPEAKER``)."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the commune whose radio read it
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    broadcast_on: Mapped[date]
    #: what was read, as the official recorded it
    text: Mapped[str] = mapped_column(Text)
    #: the period of classes the announcement was written for (None: not from one)
    period_from: Mapped[date | None]
    period_to: Mapped[date | None]
    #: how many households it recorded as informed
    households: Mapped[int] = mapped_column(default=0)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    area: Mapped[Area] = relationship()
    recorded_by: Mapped[User | None] = relationship()
