"""Households: the learning unit. Progress, results and certificates belong to a household.

Also here: the classifications the plan asks for (scale class, product group), outreach (who
was informed about the programme, when and how) and household-list imports.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from lms.areas.models import Area
from lms.core.models import Base, TimestampMixin, str_enum, utcnow
from lms.core.text import fold

if TYPE_CHECKING:
    from lms.auth.models import User
    from lms.products.models import Product


class ScaleClass(Base):
    """How big a household's production is (the plan classifies households by it)."""

    __tablename__ = "scale_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class ProductGroup(Base):
    """What a household mainly produces (the plan classifies households by it)."""

    __tablename__ = "product_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class Household(TimestampMixin, Base):
    __tablename__ = "households"
    __table_args__ = (
        # officials' figures per commune read these columns only (informed, certified, the
        # data-quality rule): counted from the index without reading the rows
        Index(
            "ix_households_facts",
            "area_id",
            "is_informed",
            "certified_on",
            "scale_class_id",
            "product_group_id",
            "phone",
            "national_id",
            # the figures as of a past day count the households registered by then
            "created_at",
        ),
        # certificates per week, in scope
        Index("ix_households_certified_on", "certified_on", "area_id"),
        # the area of a few thousand households (sellers, OCOP products) without reading
        # the rows: PostgreSQL scans this small index instead of the table
        Index("ix_households_area_by_id", "id", "area_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the head of household (chủ hộ): the name on the certificate
    head_name: Mapped[str] = mapped_column(String(120))
    #: head_name folded (no diacritics, lower case), for search
    name_key: Mapped[str] = mapped_column(String(120), index=True, default="")
    #: canonical form 0912345678 (lms.core.text.normalize_phone)
    phone: Mapped[str | None] = mapped_column(String(15), unique=True)
    #: CCCD, 12 digits; masked on every screen that does not need it
    national_id: Mapped[str | None] = mapped_column(String(12), unique=True)
    #: thôn / xóm / bản / tổ dân phố
    village: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    scale_class_id: Mapped[int | None] = mapped_column(ForeignKey("scale_classes.id"), index=True)
    product_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_groups.id"), index=True
    )
    #: informed about the programme: derived from outreach and attendance, never set by hand;
    #: kept by ``lms.households.services.refresh_informed`` (see ``informed_by_records``)
    is_informed: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: the day its valid certificate was issued (None: it holds none): derived, never set by
    #: hand; kept by ``lms.certificates.services.refresh_certified``
    certified_on: Mapped[date | None]
    #: who registered it by hand (a trainer's walk-in, an official's form); None for imports
    #: and the demo. A trainer may change the households it registered (DESIGN §4 rule 4)
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", use_alter=True), index=True
    )
    #: when its personal data was deleted at its request (``lms.privacy``): the record stays
    #: for the plan's figures and its certificate's serial, without name, phone or CCCD
    anonymised_at: Mapped[datetime | None]

    area: Mapped[Area] = relationship()
    scale_class: Mapped[ScaleClass | None] = relationship()
    product_group: Mapped[ProductGroup | None] = relationship()
    products: Mapped[list[Product]] = relationship(
        back_populates="household", order_by="Product.id", cascade="all, delete-orphan"
    )
    outreach: Mapped[list[OutreachEvent]] = relationship(
        back_populates="household",
        order_by="OutreachEvent.informed_on.desc()",
        cascade="all, delete-orphan",
    )

    @validates("head_name")
    def _keep_name_key(self, key: str, value: str) -> str:
        self.name_key = fold(value)
        return value

    def __repr__(self) -> str:
        return f"<Household {self.id} {self.head_name}>"


class OutreachChannel(StrEnum):
    LOUDSPEAKER = "loudspeaker"
    MEETING = "meeting"
    CLASS = "class"
    DOOR_TO_DOOR = "door_to_door"
    ZALO = "zalo"
    OTHER = "other"


CHANNEL_LABELS = {
    OutreachChannel.LOUDSPEAKER: _l("Commune loudspeaker"),
    OutreachChannel.MEETING: _l("Meeting"),
    OutreachChannel.CLASS: _l("Training class"),
    OutreachChannel.DOOR_TO_DOOR: _l("Door to door"),
    OutreachChannel.ZALO: _l("Zalo group"),
    OutreachChannel.OTHER: _l("Other"),
}


class OutreachEvent(Base):
    """A household was informed about the programme (target 1 of the plan)."""

    __tablename__ = "outreach_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    informed_on: Mapped[date]
    channel: Mapped[OutreachChannel] = mapped_column(str_enum(OutreachChannel))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the commune radio broadcast that informed it (``lms.outreach``), if it was one
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"), index=True)

    household: Mapped[Household] = relationship(back_populates="outreach")
    recorded_by: Mapped[User | None] = relationship()


class HouseholdImport(Base):
    """An uploaded household list: previewed first, committed once."""

    __tablename__ = "household_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the name the user's file had
    filename: Mapped[str] = mapped_column(String(255))
    #: the copy kept in the instance folder (imports/), re-read at commit time
    stored_name: Mapped[str] = mapped_column(String(255))
    committed_at: Mapped[datetime | None]
    #: counts per row status from the preview, then from the commit
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    created_by: Mapped[User | None] = relationship()

    @property
    def is_committed(self) -> bool:
        return self.committed_at is not None
