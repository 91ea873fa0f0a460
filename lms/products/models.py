"""Products of a household, their OCOP rating and certifications, and where they are listed.

Marketplaces and payment providers are data (seeded by a migration), never constants.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import Base, TimestampMixin, str_enum, utcnow
from lms.organisations.models import Organisation

if TYPE_CHECKING:
    from lms.auth.models import User
    from lms.households.models import Household


class PartnerKind(StrEnum):
    MARKETPLACE = "marketplace"
    PAYMENT_PROVIDER = "payment_provider"


#: which organisations run each partner: their trainers decide its activation requests
partner_operators = Table(
    "partner_operators",
    Base.metadata,
    Column("marketplace_id", ForeignKey("marketplaces.id"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True, index=True),
)


class Marketplace(Base):
    """An e-commerce marketplace (Postmart, Voso) or an online-payment provider."""

    __tablename__ = "marketplaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: the company behind it, as shown to households, e.g. "VNPost", "ViettelPost"; which
    #: organisations act for it is ``operators``, never a match on this name
    operator: Mapped[str] = mapped_column(String(120), default="")
    url: Mapped[str] = mapped_column(String(255), default="")
    kind: Mapped[PartnerKind] = mapped_column(
        str_enum(PartnerKind), default=PartnerKind.MARKETPLACE
    )
    is_active: Mapped[bool] = mapped_column(default=True)

    #: the branches that run it (VNPost branches run Postmart): their trainers decide its
    #: activation requests
    operators: Mapped[list[Organisation]] = relationship(
        secondary=partner_operators, order_by=Organisation.name
    )


class CertificationKind(StrEnum):
    VIETGAP = "vietgap"
    GLOBALGAP = "globalgap"
    HACCP = "haccp"
    ISO_22000 = "iso22000"
    FOOD_SAFETY = "food_safety"
    ORGANIC = "organic"
    OTHER = "other"


#: standards keep their own names; the other kinds are translated
CERTIFICATION_LABELS = {
    CertificationKind.VIETGAP: "VietGAP",
    CertificationKind.GLOBALGAP: "GlobalGAP",
    CertificationKind.HACCP: "HACCP",
    CertificationKind.ISO_22000: "ISO 22000",
    CertificationKind.FOOD_SAFETY: _l("Food-safety certificate"),
    CertificationKind.ORGANIC: _l("Organic"),
    CertificationKind.OTHER: _l("Other"),
}


class ProductSource(StrEnum):
    #: typed by staff or an official (the product form, an import)
    REGISTRY = "registry"
    #: created by a reconciliation from a marketplace's seller export: only its name is
    #: known; no OCOP rating or certification until an official adds them
    RECONCILIATION = "reconciliation"


class Product(TimestampMixin, Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("ocop_stars BETWEEN 0 AND 5", name="ocop_stars_range"),
        Index("ix_products_household_ocop", "household_id", "ocop_stars"),
        # officials' OCOP figure: the OCOP 3★+ products, then their households
        Index("ix_products_ocop", "ocop_stars", "household_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    category: Mapped[str] = mapped_column(String(120), default="")
    #: 0 = not rated; 3 or more makes the product eligible to list
    ocop_stars: Mapped[int] = mapped_column(default=0)
    #: the OCOP decision that gave the rating, e.g. "1234/QĐ-UBND"
    ocop_decision: Mapped[str] = mapped_column(String(60), default="")
    ocop_year: Mapped[int | None]
    #: the date of that decision: the rating holds 36 months from it (None: only the year
    #: is known, and the rating's end is unknown)
    ocop_decided_on: Mapped[date | None]
    #: where the product's record came from
    source: Mapped[ProductSource] = mapped_column(
        str_enum(ProductSource), default=ProductSource.REGISTRY, server_default="registry"
    )

    household: Mapped[Household] = relationship(back_populates="products")
    certifications: Mapped[list[Certification]] = relationship(
        back_populates="product", order_by="Certification.id", cascade="all, delete-orphan"
    )
    listings: Mapped[list[Listing]] = relationship(
        back_populates="product", cascade="all, delete-orphan"
    )

    @property
    def is_from_reconciliation(self) -> bool:
        """Created from a marketplace's seller export: its rating and certifications are
        still to be added by an official."""
        return self.source is ProductSource.RECONCILIATION


class Certification(Base):
    __tablename__ = "certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    kind: Mapped[CertificationKind] = mapped_column(str_enum(CertificationKind))
    number: Mapped[str] = mapped_column(String(60), default="")
    issuer: Mapped[str] = mapped_column(String(160), default="")
    #: None when the paper states no expiry
    expires_on: Mapped[date | None] = mapped_column(index=True)

    product: Mapped[Product] = relationship(back_populates="certifications")

    def is_valid_on(self, day: date) -> bool:
        return self.expires_on is None or self.expires_on >= day


class Listing(Base):
    """A product listed on a marketplace; no row means "not listed"."""

    __tablename__ = "listings"
    __table_args__ = (
        UniqueConstraint("product_id", "marketplace_id"),
        # officials' figures: "listed now" counted from the index alone
        Index("ix_listings_product_current", "product_id", "delisted_on", "marketplace_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    marketplace_id: Mapped[int] = mapped_column(ForeignKey("marketplaces.id"), index=True)
    #: the shop or product page on the marketplace
    url: Mapped[str] = mapped_column(String(500), default="")
    listed_on: Mapped[date]
    #: set when the shop or product was taken off the marketplace
    delisted_on: Mapped[date | None]

    product: Mapped[Product] = relationship(back_populates="listings")
    marketplace: Mapped[Marketplace] = relationship()

    @property
    def is_listed(self) -> bool:
        return self.delisted_on is None


class SellerList(Base):
    """A marketplace's seller export uploaded for reconciliation: the file (kept in the
    instance folder under ``stored_name``), the official's decisions on its doubtful
    matches, and, once committed, what the commit recorded."""

    __tablename__ = "seller_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the random token of its pages' addresses
    token: Mapped[str] = mapped_column(String(32), unique=True)
    #: None for the system (the CLI without --as)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    marketplace_id: Mapped[int] = mapped_column(ForeignKey("marketplaces.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80))
    #: by file line: {"choice": "confirm" | "reject", "household_id": …}
    decisions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: set, once, by the commit that claims the list
    committed_at: Mapped[datetime | None]
    #: what the commit recorded (counts), shown after it
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    marketplace: Mapped[Marketplace] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def is_committed(self) -> bool:
        return self.committed_at is not None
