"""Organisations: postal branches that train, commune offices, the programme office."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.areas.models import Area
from lms.core.models import Base, TimestampMixin, str_enum


class OrganisationKind(StrEnum):
    POSTAL = "postal"
    COMMUNE_OFFICE = "commune_office"
    PROGRAMME_OFFICE = "programme_office"


KIND_LABELS = {
    OrganisationKind.POSTAL: _l("Postal company branch"),
    OrganisationKind.COMMUNE_OFFICE: _l("Commune office"),
    OrganisationKind.PROGRAMME_OFFICE: _l("Programme office"),
}


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind))
    #: the area the organisation works in
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)

    area: Mapped[Area] = relationship()

    def __repr__(self) -> str:
        return f"<Organisation {self.code}>"
