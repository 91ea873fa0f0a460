"""Certificates (giấy chứng nhận): what completing the programme produces.

A certificate keeps what it certified as it was on the day it was issued (name, commune,
courses); the PDF is only a cache of that record.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import Base, str_enum, utcnow

if TYPE_CHECKING:
    from lms.courses.models import Programme
    from lms.households.models import Household


class CertificateStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"


class RevocationCategory(StrEnum):
    """Why a certificate was revoked, in the words the public verification page may show;
    the free-text reason beside it is for staff only (DESIGN §4 rule 5)."""

    CORRECTION = "correction"
    DECISION = "decision"
    ISSUED_IN_ERROR = "issued_in_error"
    OTHER = "other"


REVOCATION_LABELS = {
    RevocationCategory.CORRECTION: _l("Re-issued after a correction"),
    RevocationCategory.DECISION: _l("Revoked by decision"),
    RevocationCategory.ISSUED_IN_ERROR: _l("Issued in error"),
    RevocationCategory.OTHER: _l("Revoked for another reason"),
}


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("prefix", "year", "number"),
        # at most one valid certificate per household and programme, whatever races
        Index(
            "uq_certificates_one_valid",
            "household_id",
            "programme_id",
            unique=True,
            sqlite_where=text("status = 'valid'"),
            postgresql_where=text("status = 'valid'"),
        ),
        # officials' figures: "holds a valid certificate", and certificates per week
        Index("ix_certificates_household_status", "household_id", "status"),
        Index("ix_certificates_issued_on", "issued_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. NA-2026-000123: the province's prefix, the year, a gap-free number
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    prefix: Mapped[str] = mapped_column(String(10))
    year: Mapped[int]
    number: Mapped[int]
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    issued_on: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the head of household's name as certified, NFC, exactly as stored then
    holder_name: Mapped[str] = mapped_column(String(120))
    commune_name: Mapped[str] = mapped_column(String(120))
    issuer: Mapped[str] = mapped_column(String(200))
    #: [{"title": …, "completed_on": "YYYY-MM-DD"}] in the programme's order
    courses: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[CertificateStatus] = mapped_column(
        str_enum(CertificateStatus), default=CertificateStatus.VALID
    )
    revoked_at: Mapped[datetime | None]
    #: the staff's own words; never shown on the public verification page
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    #: what the public verification page says about a revocation
    revocation_category: Mapped[RevocationCategory | None] = mapped_column(
        str_enum(RevocationCategory)
    )
    #: the certificate issued in place of this one (after a name correction)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    household: Mapped[Household] = relationship()
    programme: Mapped[Programme] = relationship()
    replaced_by: Mapped[Certificate | None] = relationship(remote_side=[id])

    @property
    def is_valid(self) -> bool:
        return self.status is CertificateStatus.VALID

    @property
    def revocation_label(self) -> str | None:
        """Why it was revoked, as anyone outside the staff may read it (the category, never
        the free-text reason)."""
        if self.is_valid:
            return None
        return str(REVOCATION_LABELS[self.revocation_category or RevocationCategory.OTHER])


class SerialCounter(Base):
    """The last number given per prefix and year, taken in the issuing transaction: a
    rolled-back issue gives its number back, so serials have no gaps."""

    __tablename__ = "certificate_serials"

    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
