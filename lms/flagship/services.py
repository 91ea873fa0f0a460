"""Flagship products: choosing them within the plan's bounds, and what their pages show.

The plan asks each province for 3 to 40 flagship products a year (``FLAGSHIP_MIN_PER_YEAR``,
``FLAGSHIP_MAX_PER_YEAR``). The maximum is refused when choosing; the minimum decides
publication: a province's list of a year is public only once it holds at least the minimum.

Everything a buyer reads about ratings, certifications and where to buy comes from the
registry's products of the story's product name in the province, checked on the day it is
shown: an expired rating or certification is shown as expired, a listing whose product is no
longer eligible is not linked. Producing households appear only as counts per commune (no
consent record exists yet to name them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.activation.models import ActivationRequest, ActivationStatus
from lms.areas.models import Area, AreaLevel
from lms.attendance.models import AttendanceMark, MarkStatus
from lms.auth.models import User
from lms.core.audit import record_event
from lms.core.errors import RuleViolation, rollback_on_violation
from lms.core.models import today
from lms.core.permissions import check_can_choose_flagship
from lms.core.scope import subtree_ids, visible_households
from lms.extensions import db
from lms.flagship.models import FlagshipProduct, FlagshipStory, FlagshipStoryVersion
from lms.households.models import Household
from lms.products.models import CERTIFICATION_LABELS, Listing, Marketplace, Product
from lms.products.services import eligible_clause, is_eligible, ocop_valid_until

#: an OCOP rating holds for 36 months from its decision; when the registry keeps only its
#: year, a rating counts as current until the end of the second year after it (never longer
#: than it may really hold)
OCOP_VALID_YEARS = 2


def bounds() -> tuple[int, int]:
    """(at least, at most) flagship products per province and year."""
    config = current_app.config
    return int(config.get("FLAGSHIP_MIN_PER_YEAR", 3)), int(config.get("FLAGSHIP_MAX_PER_YEAR", 40))


def province_of(story: FlagshipStoryVersion) -> Area | None:
    return db.session.scalar(
        select(Area).where(Area.code == story.province_code, Area.level == AreaLevel.PROVINCE)
    )


# ---------------------------------------------------------------- choosing


@rollback_on_violation
def choose_flagship(actor: User | None, story: FlagshipStory, year: int) -> FlagshipProduct:
    """Mark a story's product as a flagship product of its province for ``year``.

    Rules: the actor may choose for the province (``can_choose_flagship``); a year from last
    year to next; the registry holds the product in the province; not already chosen; at
    most ``FLAGSHIP_MAX_PER_YEAR`` a year. Audited (``flagship.choose``).
    """
    version = story.current
    province = province_of(version)
    if province is None:
        raise RuleViolation(_l("The story's province is not in the list of areas."))
    check_can_choose_flagship(actor, province)
    if not today().year - 1 <= year <= today().year + 1:
        raise RuleViolation(_l("Choose for this year, last year or next year."), field="year")
    if not registry_products(province, version.product_name):
        raise RuleViolation(
            _l(
                "No household of the province has a product named “%(name)s” in the registry.",
                name=version.product_name,
            )
        )
    chosen = list_flagships(province, year)
    if any(flagship.story_id == story.id for flagship in chosen):
        raise RuleViolation(_l("This product is already a flagship product of that year."))
    _least, most = bounds()
    if len(chosen) >= most:
        raise RuleViolation(
            _l("A province chooses at most %(n)d flagship products a year.", n=most)
        )
    flagship = FlagshipProduct(
        area_id=province.id,
        year=year,
        story_id=story.id,
        chosen_by_id=actor.id if actor else None,
    )
    db.session.add(flagship)
    try:
        db.session.flush()
    except IntegrityError as error:  # chosen at the same moment by someone else
        raise RuleViolation(
            _l("This product is already a flagship product of that year.")
        ) from error
    record_event(actor, "flagship.choose", flagship, after=_snapshot(flagship, version))
    db.session.commit()
    return flagship


def withdraw_flagship(actor: User | None, flagship: FlagshipProduct) -> None:
    """Take a product off the year's flagship list; audited (``flagship.withdraw``). A list
    that falls below the minimum stops being public until it holds the minimum again."""
    check_can_choose_flagship(actor, flagship.area)
    record_event(
        actor, "flagship.withdraw", flagship, before=_snapshot(flagship, flagship.story.current)
    )
    db.session.delete(flagship)
    db.session.commit()


def _snapshot(flagship: FlagshipProduct, version: FlagshipStoryVersion) -> dict:
    return {
        "province": flagship.area.code if flagship.area else version.province_code,
        "year": flagship.year,
        "story": flagship.story.slug,
        "product_name": version.product_name,
    }


# ---------------------------------------------------------------- reading


def list_stories() -> list[FlagshipStory]:
    statement = select(FlagshipStory).options(selectinload(FlagshipStory.versions))
    return list(db.session.scalars(statement.order_by(FlagshipStory.slug)))


def get_story(slug: str) -> FlagshipStory | None:
    return db.session.scalar(select(FlagshipStory).where(FlagshipStory.slug == slug))


def list_flagships(province: Area, year: int) -> list[FlagshipProduct]:
    statement = select(FlagshipProduct).where(
        FlagshipProduct.area_id == province.id, FlagshipProduct.year == year
    )
    flagships = list(db.session.scalars(statement))
    return sorted(flagships, key=lambda f: f.story.current.title)


def is_published(province_id: int, year: int) -> bool:
    """A province's list of a year is public once it holds the plan's minimum."""
    count = db.session.scalar(
        select(func.count(FlagshipProduct.id)).where(
            FlagshipProduct.area_id == province_id, FlagshipProduct.year == year
        )
    )
    return (count or 0) >= bounds()[0]


def public_flagships(year: int | None = None) -> list[FlagshipProduct]:
    """The flagship products of ``year`` (this year) of every province whose list is public."""
    year = year or today().year
    flagships = db.session.scalars(select(FlagshipProduct).where(FlagshipProduct.year == year))
    published: dict[int, bool] = {}
    shown = []
    for flagship in flagships:
        if flagship.area_id not in published:
            published[flagship.area_id] = is_published(flagship.area_id, year)
        if published[flagship.area_id]:
            shown.append(flagship)
    return sorted(shown, key=lambda f: (f.area.name, f.story.current.title))


def public_flagship(slug: str, year: int | None = None) -> FlagshipProduct | None:
    """The public choice of a story's product: this year's, else the latest earlier one (a QR
    code printed on packaging keeps working), only from a public list."""
    year = year or today().year
    statement = (
        select(FlagshipProduct)
        .join(FlagshipStory)
        .where(FlagshipStory.slug == slug, FlagshipProduct.year <= year)
        .order_by(FlagshipProduct.year.desc())
    )
    for flagship in db.session.scalars(statement):
        if is_published(flagship.area_id, flagship.year):
            return flagship
    return None


def registry_products(province: Area, product_name: str) -> list[Product]:
    """The registry's products of this name made by households of the province."""
    statement = (
        select(Product)
        .join(Household, Product.household_id == Household.id)
        .where(Product.name == product_name, Household.area_id.in_(subtree_ids(province)))
        .options(selectinload(Product.certifications), selectinload(Product.listings))
    )
    return list(db.session.scalars(statement))


@dataclass
class Rating:
    stars: int
    year: int
    is_current: bool
    #: how many producing households' products hold it
    products: int = 1


@dataclass
class CertificationFact:
    label: str
    issuer: str
    expires_on: date | None
    is_valid: bool


@dataclass
class ShopLink:
    marketplace: str
    url: str
    commune: str


@dataclass
class Facts:
    """What the registry says of a flagship product on a day."""

    on: date
    ratings: list[Rating] = field(default_factory=list)
    certifications: list[CertificationFact] = field(default_factory=list)
    shops: list[ShopLink] = field(default_factory=list)
    #: listings not linked because their product is no longer eligible to list
    hidden_listings: int = 0
    #: producing households by commune name
    communes: dict[str, int] = field(default_factory=dict)

    @property
    def households(self) -> int:
        return sum(self.communes.values())

    @property
    def current_ratings(self) -> list[Rating]:
        return [rating for rating in self.ratings if rating.is_current]

    @property
    def expired_ratings(self) -> list[Rating]:
        return [rating for rating in self.ratings if not rating.is_current]


def is_rating_current(product: Product, on: date) -> bool:
    """With its decision date, until the rating's last day (``ocop_valid_until``); with
    only its year, the cautious year rule above."""
    until = ocop_valid_until(product)
    if until is not None:
        return bool(product.ocop_stars) and until >= on
    return bool(
        product.ocop_stars and product.ocop_year and on.year <= product.ocop_year + OCOP_VALID_YEARS
    )


def facts_of(flagship: FlagshipProduct, on: date | None = None) -> Facts:
    """The registry's facts of a flagship product on ``on`` (today)."""
    on = on or today()
    products = registry_products(flagship.area, flagship.product_name)
    facts = Facts(on)
    ratings: dict[tuple[int, int, bool], Rating] = {}
    certifications: dict[tuple, CertificationFact] = {}
    areas = {
        area.id: area.name
        for area in db.session.scalars(
            select(Area).where(Area.id.in_({p.household.area_id for p in products}))
        )
    }
    households: dict[int, int] = {}
    for product in products:
        households[product.household_id] = product.household.area_id
        if product.ocop_stars and product.ocop_year:
            key = (product.ocop_stars, product.ocop_year, is_rating_current(product, on))
            if key in ratings:
                ratings[key].products += 1
            else:
                ratings[key] = Rating(*key)
        for certification in product.certifications:
            label = str(CERTIFICATION_LABELS[certification.kind])
            fact = CertificationFact(
                label,
                certification.issuer,
                certification.expires_on,
                certification.is_valid_on(on),
            )
            certifications.setdefault((fact.label, fact.issuer, fact.expires_on), fact)
        eligible = is_eligible(product, on)
        for listing in product.listings:
            if not listing.is_listed:
                continue
            if eligible and listing.url and listing.marketplace.is_active:
                facts.shops.append(
                    ShopLink(
                        listing.marketplace.name, listing.url, areas[product.household.area_id]
                    )
                )
            else:
                facts.hidden_listings += 1
    facts.ratings = sorted(ratings.values(), key=lambda r: (not r.is_current, -r.stars, -r.year))
    facts.certifications = sorted(
        certifications.values(), key=lambda c: (not c.is_valid, c.label, c.expires_on or date.max)
    )
    facts.shops.sort(key=lambda s: (s.marketplace, s.commune, s.url))
    facts.communes = dict(sorted(Counter(areas[a] for a in households.values()).items()))
    return facts


# ---------------------------------------------------------------- officials


@dataclass
class ProducerRow:
    household: Household
    certified_on: date | None
    attended: bool
    listings: list[Listing]
    shops: list[ActivationRequest]


def producers(user: User, flagship: FlagshipProduct) -> list[ProducerRow]:
    """The households of ``user``'s scope that make a flagship product: their training, their
    listings and their activated shops."""
    products = registry_products(flagship.area, flagship.product_name)
    ids = {product.household_id for product in products}
    households = db.session.scalars(
        select(Household).where(Household.id.in_(ids), visible_households(user))
    ).all()
    seen = set(
        db.session.scalars(
            select(AttendanceMark.household_id).where(
                AttendanceMark.household_id.in_(ids),
                AttendanceMark.status.in_((MarkStatus.PRESENT, MarkStatus.LATE)),
            )
        )
    )
    shops: dict[int, list[ActivationRequest]] = {}
    for request in db.session.scalars(
        select(ActivationRequest)
        .join(Marketplace)
        .where(
            ActivationRequest.household_id.in_(ids),
            ActivationRequest.status == ActivationStatus.ACTIVATED,
        )
    ):
        shops.setdefault(request.household_id, []).append(request)
    by_household: dict[int, list[Listing]] = {}
    for product in products:
        by_household.setdefault(product.household_id, []).extend(
            listing for listing in product.listings if listing.is_listed
        )
    rows = [
        ProducerRow(
            household,
            household.certified_on,
            household.id in seen,
            by_household.get(household.id, []),
            shops.get(household.id, []),
        )
        for household in households
    ]
    return sorted(rows, key=lambda r: (r.household.area.name, r.household.head_name))


def count_listed(province: Area, year: int, on: date | None = None) -> int:
    """How many of the province's flagship products of ``year`` are on a marketplace now: at
    least one of their products eligible and listed."""
    on = on or today()
    listed = 0
    for flagship in list_flagships(province, year):
        listed_product = exists().where(
            Listing.product_id == Product.id, Listing.delisted_on.is_(None)
        )
        found = db.session.scalar(
            select(
                exists().where(
                    Product.name == flagship.product_name,
                    Product.household_id.in_(
                        select(Household.id).where(Household.area_id.in_(subtree_ids(province)))
                    ),
                    listed_product,
                    eligible_clause(on),
                )
            )
        )
        listed += bool(found)
    return listed


def province_of_user(user: User) -> Area | None:
    """The province of a staff member's area; for an admin (no area), the first province."""
    if user.area is not None:
        return db.session.get(Area, int(user.area.path.strip("/").split("/")[0]))
    statement = select(Area).where(Area.level == AreaLevel.PROVINCE).order_by(Area.code)
    return db.session.scalar(statement)


def dashboard_count(user: User, year: int | None = None) -> tuple[int, int] | None:
    """(flagship products listed, flagship products) of the user's province this year, for the
    officials' overview; None when the province has chosen none."""
    province = province_of_user(user)
    year = year or today().year
    if province is None or not list_flagships(province, year):
        return None
    return count_listed(province, year), len(list_flagships(province, year))
