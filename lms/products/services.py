"""Products: the "eligible to list" rule, products and certifications, marketplace listings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, or_, select

from lms.auth.models import User
from lms.core.audit import record_event, snapshot
from lms.core.database import vietnamese
from lms.core.errors import RuleViolation, rollback_on_violation
from lms.core.models import today
from lms.core.permissions import check_can_edit_household
from lms.core.text import clean
from lms.extensions import db
from lms.households.models import Household
from lms.products.models import (
    Certification,
    CertificationKind,
    Listing,
    Marketplace,
    PartnerKind,
    Product,
)

#: OCOP stars from which a product may be listed
MIN_OCOP_STARS = 3
PRODUCT_FIELDS = (
    "name",
    "category",
    "ocop_stars",
    "ocop_decision",
    "ocop_year",
    "ocop_decided_on",
)
#: an OCOP certificate is valid for 36 months from its decision (Decision 148/QĐ-TTg of
#: 24/02/2023, as 1048/QĐ-TTg of 2019 before it)
OCOP_VALID_YEARS = 3


def _years_later(day: date, years: int) -> date:
    """The same date ``years`` later (or earlier); 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def ocop_valid_until(product: Product) -> date | None:
    """The last day the product's OCOP rating holds: the day before the same date three
    years after its decision (decided 15/03/2024: until 14/03/2027; 29/02/2024: until
    28/02/2027). None when only the rating's year is known: its end is unknown, and the
    rating keeps counting (a shop is never closed on a guess)."""
    if product.ocop_decided_on is None:
        return None
    return _years_later(product.ocop_decided_on, OCOP_VALID_YEARS) - timedelta(days=1)


def is_ocop_rating_valid(product: Product, on: date | None = None) -> bool:
    """OCOP 3 stars or more that has not run out on ``on`` (today)."""
    on = on or today()
    until = ocop_valid_until(product)
    return product.ocop_stars >= MIN_OCOP_STARS and (until is None or until >= on)


def earliest_valid_decision(on: date) -> date:
    """The earliest decision date whose rating still holds on ``on``: a rating holds on
    ``on`` exactly when it was decided on or after it (``ocop_valid_until`` never goes
    down as the decision date goes up). The bound of ``eligible_clause``: plain date
    comparison, the same on SQLite and PostgreSQL."""
    decided = _years_later(on, -OCOP_VALID_YEARS) - timedelta(days=3)
    while _years_later(decided, OCOP_VALID_YEARS) - timedelta(days=1) < on:
        decided += timedelta(days=1)
    return decided


def is_eligible(product: Product, on: date | None = None) -> bool:
    """Eligible to list: an OCOP rating of 3 stars or more that still holds
    (``ocop_valid_until``), or a certification that has not expired."""
    on = on or today()
    return is_ocop_rating_valid(product, on) or any(
        certification.is_valid_on(on) for certification in product.certifications
    )


def eligible_clause(on: date | None = None) -> ColumnElement[bool]:
    """The same rule as ``is_eligible``, in SQL, for counts and lists."""
    on = on or today()
    valid_certification = exists().where(
        Certification.product_id == Product.id,
        or_(Certification.expires_on.is_(None), Certification.expires_on >= on),
    )
    return or_(ocop_rating_clause(on), valid_certification)


def ocop_rating_clause(on: date | None = None) -> ColumnElement[bool]:
    """The same rule as ``is_ocop_rating_valid``, in SQL: OCOP 3★+ still holding on ``on``
    (today). Officials count OCOP products with it too: a rating past its 36 months is not
    an OCOP product any more, in the figures as at the gate."""
    on = on or today()
    return and_(
        Product.ocop_stars >= MIN_OCOP_STARS,
        or_(
            Product.ocop_decided_on.is_(None),
            Product.ocop_decided_on >= earliest_valid_decision(on),
        ),
    )


def marketplaces() -> list[Marketplace]:
    statement = select(Marketplace).where(
        Marketplace.kind == PartnerKind.MARKETPLACE, Marketplace.is_active
    )
    return list(db.session.scalars(statement.order_by(vietnamese(Marketplace.name))))


@rollback_on_violation
def save_product(
    actor: User, household: Household, product: Product | None, **fields: Any
) -> Product:
    """Create (``product`` is None) or edit a product of a household.

    Rules: the actor may change the household (``can_edit_household``); a name; OCOP stars
    from 0 to 5; an OCOP rating of 1 star or more needs its year; its decision date (not
    required) is not in the future and falls in that year (without a year, it gives it).
    """
    check_can_edit_household(actor, household)
    before = snapshot(product, PRODUCT_FIELDS) if product else None
    if product is None:
        product = Product(household=household)
        db.session.add(product)
    product.name = clean(fields.get("name"))
    product.category = clean(fields.get("category"))
    product.ocop_stars = fields.get("ocop_stars") or 0
    product.ocop_decision = clean(fields.get("ocop_decision"))
    product.ocop_decided_on = fields.get("ocop_decided_on")
    product.ocop_year = fields.get("ocop_year") or (
        product.ocop_decided_on.year if product.ocop_decided_on else None
    )
    if not product.name:
        raise RuleViolation(_l("Please enter the product's name."), field="name")
    if not 0 <= product.ocop_stars <= 5:
        raise RuleViolation(_l("OCOP stars go from 0 to 5."), field="ocop_stars")
    if product.ocop_stars and not product.ocop_year:
        raise RuleViolation(_l("Please enter the year of the OCOP rating."), field="ocop_year")
    if product.ocop_year and not 2018 <= product.ocop_year <= today().year:
        raise RuleViolation(_l("The OCOP programme rates products since 2018."), field="ocop_year")
    if product.ocop_decided_on:
        if product.ocop_decided_on > today():
            raise RuleViolation(_l("The date cannot be in the future."), field="ocop_decided_on")
        if product.ocop_decided_on.year != product.ocop_year:
            raise RuleViolation(
                _l("The date of the OCOP decision must fall in the year of the rating."),
                field="ocop_decided_on",
            )
    db.session.flush()
    action = "product.update" if before else "product.create"
    record_event(actor, action, product, before=before, after=snapshot(product, PRODUCT_FIELDS))
    db.session.commit()
    return product


def delete_product(actor: User, product: Product) -> None:
    check_can_edit_household(actor, product.household)
    record_event(actor, "product.delete", product, before=snapshot(product, PRODUCT_FIELDS))
    db.session.delete(product)
    db.session.commit()


@rollback_on_violation
def add_certification(actor: User, product: Product, **fields: Any) -> Certification:
    """Attach a certification (VietGAP, HACCP, …) with its number, issuer and expiry."""
    check_can_edit_household(actor, product.household)
    certification = Certification(
        product=product,
        kind=CertificationKind(fields["kind"]),
        number=clean(fields.get("number")),
        issuer=clean(fields.get("issuer")),
        expires_on=fields.get("expires_on"),
    )
    if not certification.number:
        raise RuleViolation(_l("Please enter the certificate number."), field="number")
    db.session.add(certification)
    db.session.flush()
    record_event(
        actor,
        "certification.create",
        certification,
        after=snapshot(certification, ("product_id", "kind", "number", "issuer", "expires_on")),
    )
    db.session.commit()
    return certification


def delete_certification(actor: User, certification: Certification) -> None:
    check_can_edit_household(actor, certification.product.household)
    record_event(
        actor,
        "certification.delete",
        certification,
        before=snapshot(certification, ("product_id", "kind", "number", "expires_on")),
    )
    db.session.delete(certification)
    db.session.commit()


@rollback_on_violation
def set_listing(
    actor: User, product: Product, marketplace: Marketplace, url: str, listed_on: date | None
) -> Listing:
    """Record that a product is listed on a marketplace (with its page and date)."""
    check_can_edit_household(actor, product.household)
    listed_on = listed_on or today()
    if listed_on > today():
        raise RuleViolation(_l("The date cannot be in the future."), field="listed_on")
    url = clean(url)
    if url and not url.startswith(("https://", "http://")):
        raise RuleViolation(_l("The address must start with https://"), field="url")
    listing = db.session.scalar(
        select(Listing).where(
            Listing.product_id == product.id, Listing.marketplace_id == marketplace.id
        )
    )
    before = snapshot(listing, ("url", "listed_on", "delisted_on")) if listing else None
    if listing is None:
        listing = Listing(product=product, marketplace=marketplace, listed_on=listed_on)
        db.session.add(listing)
    listing.url, listing.listed_on, listing.delisted_on = url, listed_on, None
    db.session.flush()
    record_event(
        actor,
        "listing.set",
        listing,
        before=before,
        after=snapshot(listing, ("url", "listed_on", "delisted_on")),
    )
    db.session.commit()
    return listing


def end_listing(actor: User, listing: Listing, delisted_on: date | None = None) -> Listing:
    """The product left the marketplace; the record of its listing stays."""
    check_can_edit_household(actor, listing.product.household)
    listing.delisted_on = delisted_on or today()
    record_event(
        actor, "listing.end", listing, after={"delisted_on": listing.delisted_on.isoformat()}
    )
    db.session.commit()
    return listing
