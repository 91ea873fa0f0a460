"""Households: the learning unit. Progress, results and certificates belong to a household."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.areas.models import Area
from lms.core.models import Base, TimestampMixin


class Household(TimestampMixin, Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the head of household (chủ hộ): the name on the certificate
    head_name: Mapped[str] = mapped_column(String(120))
    #: canonical form 0912345678 (lms.core.text.normalize_phone)
    phone: Mapped[str | None] = mapped_column(String(15), unique=True)
    #: CCCD, 12 digits; masked on every screen that does not need it
    national_id: Mapped[str | None] = mapped_column(String(12), unique=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)

    area: Mapped[Area] = relationship()

    def __repr__(self) -> str:
        return f"<Household {self.id} {self.head_name}>"
