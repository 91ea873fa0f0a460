"""Administrative areas: province → (district) → commune, kept as data with official codes."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import Base, TimestampMixin, str_enum


class AreaLevel(StrEnum):
    PROVINCE = "province"
    #: kept only for legacy lists; the 2025 reform removed districts
    DISTRICT = "district"
    COMMUNE = "commune"


LEVEL_LABELS = {
    AreaLevel.PROVINCE: _l("Province"),
    AreaLevel.DISTRICT: _l("District (legacy)"),
    AreaLevel.COMMUNE: _l("Commune / ward"),
}


class Area(TimestampMixin, Base):
    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the official code (GSO), e.g. "40" for Nghệ An, "16690" for Phường Trường Vinh
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[AreaLevel] = mapped_column(str_enum(AreaLevel))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    #: set when an administrative reform merged this unit into another
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    #: ids from the root down, "/1/7/": a subtree is every path with this prefix
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    #: the district a commune belonged to before the 2025 reform removed districts
    #: ("Huyện Diễn Châu"): officials still group a province's communes by it
    former_district: Mapped[str] = mapped_column(String(120), default="", server_default="")

    parent: Mapped[Area | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], back_populates="children"
    )
    children: Mapped[list[Area]] = relationship(
        foreign_keys=[parent_id], back_populates="parent", order_by="Area.name"
    )
    merged_into: Mapped[Area | None] = relationship(remote_side=[id], foreign_keys=[merged_into_id])

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    def __repr__(self) -> str:
        return f"<Area {self.code} {self.name}>"


class PlanTarget(TimestampMixin, Base):
    """The plan's own counts for one commune and year, entered or imported by officials:
    the figures are measured against these, not only against the households imported."""

    __tablename__ = "plan_targets"
    __table_args__ = (
        UniqueConstraint("area_id", "year"),
        CheckConstraint("households >= 0", name="households_not_negative"),
        CheckConstraint("ocop_products >= 0", name="ocop_products_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    year: Mapped[int]
    #: agricultural production households (hộ SXNN) the plan counts in the commune
    households: Mapped[int | None]
    #: OCOP products rated 3 stars or more the plan counts in the commune
    ocop_products: Mapped[int | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    area: Mapped[Area] = relationship()

    def __repr__(self) -> str:
        return f"<PlanTarget {self.area_id} {self.year}>"
