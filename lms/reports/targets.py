"""The plan's targets (DESIGN §1) per commune, and the exception lists behind them.

Every figure is one SQL aggregate over the official's scope (``lms.core.scope``), grouped by
commune; legacy communes merged by the 2025 reform roll up to the commune that took them
over. Each household fact is a where-clause stated once here (or next to its rule in the
domain: ``is_standardised``, ``eligible_clause``, ``Household.is_informed``), so a figure, the
list of households behind it and its export always agree. No household is ever loaded to be
counted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import selectinload

from lms.activation.models import ActivationRequest, ActivationStatus
from lms.areas.models import Area, AreaLevel
from lms.attendance.models import AttendanceMark, ClassSession, MarkStatus
from lms.auth.models import User
from lms.core.database import paginate, read_concurrently, vietnamese
from lms.core.models import today
from lms.core.scope import visible_areas, visible_households
from lms.courses.models import QuizAttempt
from lms.extensions import db
from lms.households.models import Household
from lms.households.services import QUALITY_CHECKS, HouseholdFilter, QualityCheck, is_standardised
from lms.organisations.models import Organisation
from lms.products.models import Listing, Marketplace, PartnerKind, Product
from lms.products.services import MIN_OCOP_STARS, eligible_clause

Clause = ColumnElement[bool]

# ---------------------------------------------------------------- the household facts


def has_valid_certificate() -> Clause:
    """SQL: the household holds a valid (not revoked) certificate: trained. Kept on the
    household by the certificates' services (``Household.certified_on``)."""
    return Household.certified_on.is_not(None)


def _partners(kind: PartnerKind, marketplace_id: int | None = None) -> Select:
    """SQL: the ids of the partners of a kind (the marketplace given, for marketplaces)."""
    partners = select(Marketplace.id).where(Marketplace.kind == kind)
    if marketplace_id and kind is PartnerKind.MARKETPLACE:
        partners = partners.where(Marketplace.id == marketplace_id)
    return partners


def _listed_now(marketplace_id: int | None = None) -> list[Clause]:
    """SQL, about ``Listing``: on a marketplace now (any, or the one given)."""
    return [
        Listing.delisted_on.is_(None),
        Listing.marketplace_id.in_(_partners(PartnerKind.MARKETPLACE, marketplace_id)),
    ]


def _current_listing(marketplace_id: int | None = None) -> Clause:
    """SQL, about ``Product``: listed now on a marketplace (any, or the one given)."""
    return exists().where(Listing.product_id == Product.id, *_listed_now(marketplace_id))


def has_ocop_product(listed: bool, marketplace_id: int | None = None) -> Clause:
    """SQL: the household has an OCOP 3★+ product that is listed now (or is not)."""
    listing = _current_listing(marketplace_id)
    return exists().where(
        Product.household_id == Household.id,
        Product.ocop_stars >= MIN_OCOP_STARS,
        listing if listed else not_(listing),
    )


def listed_holders(marketplace_id: int | None = None) -> Select:
    """SQL: the ids of the households with a product listed now (on the marketplace given),
    read from the listings (tens of thousands) to their products, not from every product."""
    return (
        select(Product.household_id)
        .join(Listing, Listing.product_id == Product.id)
        .where(*_listed_now(marketplace_id))
    )


def has_listed_product(marketplace_id: int | None = None) -> Clause:
    """SQL: the household has a product listed now (the same rule, about one household)."""
    return listed_holders(marketplace_id).where(Product.household_id == Household.id).exists()


def activated_holders(kind: PartnerKind, marketplace_id: int | None = None) -> Select:
    """SQL: the ids of the households with an activated shop (``MARKETPLACE``) or payment
    account (on the marketplace given, for shops)."""
    return select(ActivationRequest.household_id).where(
        ActivationRequest.status == ActivationStatus.ACTIVATED,
        ActivationRequest.marketplace_id.in_(_partners(kind, marketplace_id)),
    )


def has_activated(kind: PartnerKind, marketplace_id: int | None = None) -> Clause:
    """SQL: the household has an activated shop or payment account (about one household)."""
    holders = activated_holders(kind, marketplace_id)
    return holders.where(ActivationRequest.household_id == Household.id).exists()


def is_selling(marketplace_id: int | None = None) -> Clause:
    """SQL: the household sells online: a product listed now, or an activated shop.

    Stated as membership of one small set (the households of the listings and of the
    activated shops, a few percent of all), which both databases build once per query."""
    shops = activated_holders(PartnerKind.MARKETPLACE, marketplace_id)
    return Household.id.in_(listed_holders(marketplace_id).union(shops))


def listed_not_trained(marketplace_id: int | None = None) -> Clause:
    """SQL: sells online without a valid certificate; the plan says nobody may."""
    return and_(is_selling(marketplace_id), not_(has_valid_certificate()))


def trained_by(organisation_id: int) -> Clause:
    """SQL: the household attended a class session of the organisation."""
    return exists().where(
        AttendanceMark.household_id == Household.id,
        AttendanceMark.status.in_([MarkStatus.PRESENT, MarkStatus.LATE]),
        AttendanceMark.session_id.in_(
            select(ClassSession.id).where(ClassSession.organisation_id == organisation_id)
        ),
    )


# ---------------------------------------------------------------- filters


@dataclass(frozen=True)
class TargetFilter(HouseholdFilter):
    """What the dashboard and its lists are narrowed by: the registry's household filter
    (``area_id`` is the drill-down into a commune of the official's scope), and two more."""

    #: listings and shops on this marketplace only
    marketplace_id: int | None = None
    #: households that attended a class of this organisation
    organisation_id: int | None = None

    def apply(self, statement: Select) -> Select:
        statement = super().apply(statement)
        if self.organisation_id:
            statement = statement.where(trained_by(self.organisation_id))
        return statement


# ---------------------------------------------------------------- the figures

#: a fact about a household, as a SQL clause, under the filters
FactClause = Callable[[TargetFilter], Clause]

#: every fact a figure is made of, by name
FACTS: dict[str, FactClause] = {
    "informed": lambda f: Household.is_informed,
    "standardised": lambda f: is_standardised(),
    "certified": lambda f: has_valid_certificate(),
    "listed": lambda f: has_listed_product(f.marketplace_id),
    "shop": lambda f: has_activated(PartnerKind.MARKETPLACE, f.marketplace_id),
    "payment": lambda f: has_activated(PartnerKind.PAYMENT_PROVIDER),
}


@dataclass(frozen=True)
class Figure:
    """A target counted in households: those with every fact of ``part``, among those with
    every fact of ``whole`` (all households when ``whole`` is empty)."""

    code: str
    label: LazyString
    part: tuple[str, ...]
    whole: tuple[str, ...] = ()

    def clause(self, filters: TargetFilter, missing: bool = False) -> Clause:
        """SQL: the households counted (or, ``missing``, those of the whole not counted)."""
        part = and_(*(FACTS[name](filters) for name in self.part))
        if not missing:
            return part
        whole = [FACTS[name](filters) for name in self.whole]
        return and_(*whole, not_(part))


FIGURES: tuple[Figure, ...] = (
    Figure("informed", _l("Households informed"), ("informed",)),
    Figure("standardised", _l("Household records standardised"), ("standardised",)),
    Figure(
        "listed_trained",
        _l("Households with a listed product that hold a valid certificate"),
        ("listed", "certified"),
        ("listed",),
    ),
    Figure("trained", _l("Households trained (certified)"), ("certified",)),
    Figure(
        "shops",
        _l("Trained households with an activated shop"),
        ("certified", "shop"),
        ("certified",),
    ),
    Figure(
        "payments",
        _l("Trained households with an activated payment account"),
        ("certified", "payment"),
        ("certified",),
    ),
)
FIGURES_BY_CODE = {figure.code: figure for figure in FIGURES}
#: the exception list, counted on the dashboard too
LISTED_NOT_TRAINED = "listed_not_trained"


@dataclass
class Share:
    part: int = 0
    whole: int = 0

    @property
    def percent(self) -> float | None:
        return 100 * self.part / self.whole if self.whole else None

    def __iadd__(self, other: Share) -> Share:
        self.part += other.part
        self.whole += other.whole
        return self


@dataclass
class AreaFigures:
    """The targets of one commune (or of the whole scope, for the total)."""

    area: Area | None
    households: int = 0
    shares: dict[str, Share] = field(default_factory=dict)
    #: OCOP 3★+ products listed on a marketplace, of all OCOP 3★+ products
    ocop: Share = field(default_factory=Share)
    listed_not_trained: int = 0

    def add(self, other: AreaFigures) -> None:
        self.households += other.households
        for code, share in other.shares.items():
            self.shares.setdefault(code, Share())
            self.shares[code] += share
        self.ocop += other.ocop
        self.listed_not_trained += other.listed_not_trained


@dataclass
class Dashboard:
    filters: TargetFilter
    #: the area shown: the official's own, or the commune drilled into
    area: Area | None
    rows: list[AreaFigures]
    total: AreaFigures
    #: (Monday, valid certificates issued that week), oldest first
    weeks: list[tuple[date, int]] = field(default_factory=list)
    #: listings still on a marketplace whose product is no longer eligible
    ineligible_listings: int = 0


#: facts only a few households have (they sell online): counted from those households alone
SELLER_FACTS = ("listed", "shop", "payment")
#: listed but not trained, as facts: (listed or shop) and not certified
_LISTED_NOT_TRAINED = ("listed_not_trained",)


def dashboard(user: User, filters: TargetFilter, weeks: int = 12) -> Dashboard:
    """Every target per commune of the user's scope (narrowed by ``filters``), the total, the
    certificates issued per week and the count of listings no longer eligible.

    Grouped queries, independent of each other, run side by side: one over every household
    for the facts kept in its own columns (informed, standardised, certified); one over the
    few that sell online (a product listed, a shop or a payment account activated) for the
    figures made of those facts; one over OCOP products; one over the weeks' certificates.
    A figure counts the households holding every fact of its part, among those holding
    every fact of its whole; each combination is counted once.
    """
    combinations = {figure.part for figure in FIGURES} | {
        figure.whole for figure in FIGURES if figure.whole
    }
    sellers = [c for c in combinations if set(c) & set(SELLER_FACTS)] + [_LISTED_NOT_TRAINED]
    everyone = sorted(c for c in combinations if not set(c) & set(SELLER_FACTS))
    first_week = _first_monday(weeks)
    statements = [
        _households_query(user, filters, everyone),
        _sellers_query(user, filters, sellers),
        _ocop_query(user, filters),
        _weekly_query(user, filters, first_week),
        _ineligible_count_query(user, filters),
    ]
    household_rows, seller_rows, ocop_rows, weekly_rows, ineligible = read_concurrently(
        statements, current_app.config["REPORT_QUERY_WORKERS"]
    )
    # the queries count per area, in the order of the officials' index; legacy communes
    # merged by the 2025 reform are rolled up here into the commune that took them over
    seen = {row[0] for result in (household_rows, seller_rows, ocop_rows) for row in result}
    commune_of = dict(
        db.session.execute(
            select(Area.id, func.coalesce(Area.merged_into_id, Area.id)).where(Area.id.in_(seen))
        ).all()
    )
    counts: dict[int, Counter[tuple[str, ...]]] = defaultdict(Counter)
    for area_id, households, *values in household_rows:
        counts[commune_of[area_id]][()] += households
        counts[commune_of[area_id]].update(dict(zip(everyone, values, strict=True)))
    for area_id, _households, *values in seller_rows:
        counts[commune_of[area_id]].update(dict(zip(sellers, values, strict=True)))
    rows: dict[int, AreaFigures] = {}
    for key, row in counts.items():
        figures = AreaFigures(area=None, households=row[()])
        for figure in FIGURES:
            figures.shares[figure.code] = Share(row[figure.part], row[figure.whole])
        figures.listed_not_trained = row[_LISTED_NOT_TRAINED]
        rows[key] = figures
    for area_id, listed, every in ocop_rows:
        rows.setdefault(commune_of[area_id], AreaFigures(area=None)).ocop += Share(listed, every)
    areas = {
        area.id: area for area in db.session.scalars(select(Area).where(Area.id.in_(list(rows))))
    }
    total = AreaFigures(area=None)
    for key, figures in rows.items():
        figures.area = areas[key]
        total.add(figures)
    ordered = sorted(rows.values(), key=lambda row: _sort_key(row.area))
    shown = db.session.get(Area, filters.area_id) if filters.area_id else user.area
    return Dashboard(
        filters=filters,
        area=shown,
        rows=ordered,
        total=total,
        weeks=_weeks(weekly_rows, first_week, weeks),
        ineligible_listings=ineligible[0][0],
    )


def standardisation_gaps(user: User, filters: TargetFilter) -> list[tuple[QualityCheck, int]]:
    """What keeps the households of the user's scope (under ``filters``) from 100% standardised
    records: each data-quality check some fail, with how many fail it, by the rule the
    "standardised" figure counts with (a household may fail several)."""
    counts = [func.count().filter(check.sql()) for check in QUALITY_CHECKS]
    statement = filters.apply(select(*counts).where(visible_households(user)))
    row = db.session.execute(statement).one()
    return [(check, n) for check, n in zip(QUALITY_CHECKS, row, strict=True) if n]


def _holds(filters: TargetFilter, facts: tuple[str, ...]) -> Clause:
    if facts == _LISTED_NOT_TRAINED:
        return listed_not_trained(filters.marketplace_id)
    return and_(*(FACTS[name](filters) for name in facts))


def _households_query(
    user: User, filters: TargetFilter, combinations: list[tuple[str, ...]]
) -> Select:
    """Per area: (area id, households, households holding every fact of each combination),
    read from the officials' index of household facts in its order."""
    counts = (func.count().filter(_holds(filters, combination)) for combination in combinations)
    statement = (
        select(Household.area_id, func.count(), *counts)
        .where(visible_households(user))
        .group_by(Household.area_id)
    )
    return filters.apply(statement)


def _sellers_query(user: User, filters: TargetFilter, wanted: list[tuple[str, ...]]) -> Select:
    """The households that sell online or have an activated payment account (a few percent
    of households): each set of holders is read once, tagged with its fact, and gathered
    per household (materialised); then the combinations are counted per area."""
    marketplace_id = filters.marketplace_id
    holders = {
        "listed": listed_holders(marketplace_id),
        "shop": activated_holders(PartnerKind.MARKETPLACE, marketplace_id),
        "payment": activated_holders(PartnerKind.PAYMENT_PROVIDER),
    }
    tagged = union_all(
        *(
            ids.add_columns(*(literal(int(name == other)).label(other) for other in SELLER_FACTS))
            for name, ids in holders.items()
        )
    ).subquery("tagged")
    sellers = (
        select(
            tagged.c.household_id, *(func.max(tagged.c[name]).label(name) for name in SELLER_FACTS)
        )
        .group_by(tagged.c.household_id)
        .subquery("sellers")
    )
    statement = (
        select(
            Household.area_id,
            *((sellers.c[name] == 1).label(name) for name in SELLER_FACTS),
            has_valid_certificate().label("certified"),
        )
        .select_from(sellers)
        .join(Household, Household.id == sellers.c.household_id)
        .where(visible_households(user))
    )
    facts = filters.apply(statement).cte("seller_facts").prefix_with("MATERIALIZED")

    def holds(combination: tuple[str, ...]) -> Clause:
        if combination == _LISTED_NOT_TRAINED:  # ``listed_not_trained``, over the columns
            return and_(or_(facts.c.listed, facts.c.shop), not_(facts.c.certified))
        return and_(*(facts.c[name] for name in combination))

    counts = (func.count().filter(holds(combination)) for combination in wanted)
    return select(facts.c.area_id, func.count(), *counts).group_by(facts.c.area_id)


def _sort_key(area: Area | None) -> tuple:
    from lms.core.text import vietnamese_sort_key

    return (area is None or area.level is not AreaLevel.COMMUNE, vietnamese_sort_key(area.name))


def _ocop_query(user: User, filters: TargetFilter) -> Select:
    """Per area: OCOP 3★+ products listed now on a marketplace, and all OCOP 3★+ products;
    read from those products (a few percent, materialised) to their households."""
    products = (
        select(
            Product.household_id,
            _current_listing(filters.marketplace_id).label("listed"),
        )
        .where(Product.ocop_stars >= MIN_OCOP_STARS)
        .cte("ocop_products")
        .prefix_with("MATERIALIZED")
    )
    statement = (
        select(Household.area_id, func.count().filter(products.c.listed), func.count())
        .select_from(products)
        .join(Household, Household.id == products.c.household_id)
        .where(visible_households(user))
        .group_by(Household.area_id)
    )
    return filters.apply(statement)


def _first_monday(weeks: int) -> date:
    monday = today() - timedelta(days=today().weekday())
    return monday - timedelta(weeks=weeks - 1)


def _weekly_query(user: User, filters: TargetFilter, first: date) -> Select:
    """Valid certificates issued per day since ``first`` (the days are put in weeks after),
    read from the households they certify (``Household.certified_on``): one each."""
    statement = (
        select(Household.certified_on, func.count())
        .where(visible_households(user), Household.certified_on >= first)
        .group_by(Household.certified_on)
    )
    return filters.apply(statement)


def _weeks(rows, first: date, weeks: int) -> list[tuple[date, int]]:
    counts = {first + timedelta(weeks=n): 0 for n in range(weeks)}
    for day, count in rows:
        monday = day - timedelta(days=day.weekday())
        if monday in counts:
            counts[monday] += count
    return list(counts.items())


# ---------------------------------------------------------------- the lists behind the figures


@dataclass(frozen=True)
class HouseholdList:
    code: str
    title: LazyString
    clause: Callable[[TargetFilter], Clause]


def household_lists() -> dict[str, HouseholdList]:
    """Every list a figure links to: its households, and those it still misses."""
    lists = {
        LISTED_NOT_TRAINED: HouseholdList(
            LISTED_NOT_TRAINED,
            _l("Listed but not trained"),
            lambda f: listed_not_trained(f.marketplace_id),
        ),
        "not_trained": HouseholdList(
            "not_trained", _l("Households not yet trained"), lambda f: not_(has_valid_certificate())
        ),
        "ocop": HouseholdList(
            "ocop",
            _l("Households with an OCOP 3★+ product listed"),
            lambda f: has_ocop_product(True, f.marketplace_id),
        ),
        "ocop_missing": HouseholdList(
            "ocop_missing",
            _l("Households with an OCOP 3★+ product not listed"),
            lambda f: has_ocop_product(False, f.marketplace_id),
        ),
    }
    for figure in FIGURES:
        lists[figure.code] = HouseholdList(figure.code, figure.label, figure.clause)
        lists[f"{figure.code}_missing"] = HouseholdList(
            f"{figure.code}_missing",
            _l("%(figure)s: not yet", figure=figure.label),
            lambda f, figure=figure: figure.clause(f, missing=True),
        )
    return lists


def households_query(user: User, filters: TargetFilter, clause: Clause) -> Select:
    """Households in scope that meet ``clause``, by commune then name."""
    statement = select(Household).where(visible_households(user), clause)
    return filters.apply(statement).order_by(
        Household.area_id, vietnamese(Household.head_name), Household.id
    )


def list_households(user: User, filters: TargetFilter, code: str, page: int) -> Pagination:
    clause = household_lists()[code].clause(filters)
    return paginate(
        households_query(user, filters, clause).options(selectinload(Household.area)), page
    )


@dataclass(frozen=True)
class TrainingStatus:
    """Where a household stands in its training, for the lists officials follow up."""

    last_class_on: date | None
    attempts: int
    passed: int


def training_status(household_ids: list[int]) -> dict[int, TrainingStatus]:
    """Last class attended and quiz attempts (all, passed) of a page of households."""
    if not household_ids:
        return {}
    last_class = dict(
        db.session.execute(
            select(AttendanceMark.household_id, func.max(ClassSession.starts_at))
            .join(ClassSession, ClassSession.id == AttendanceMark.session_id)
            .where(
                AttendanceMark.household_id.in_(household_ids),
                AttendanceMark.status.in_([MarkStatus.PRESENT, MarkStatus.LATE]),
            )
            .group_by(AttendanceMark.household_id)
        ).all()
    )
    quizzes = {
        household_id: (attempts, passed or 0)
        for household_id, attempts, passed in db.session.execute(
            select(
                QuizAttempt.household_id,
                func.count(),
                func.count().filter(QuizAttempt.passed),
            )
            .where(QuizAttempt.household_id.in_(household_ids))
            .group_by(QuizAttempt.household_id)
        )
    }
    return {
        household_id: TrainingStatus(
            last_class_on=last_class[household_id].date() if household_id in last_class else None,
            attempts=quizzes.get(household_id, (0, 0))[0],
            passed=quizzes.get(household_id, (0, 0))[1],
        )
        for household_id in household_ids
    }


# ---------------------------------------------------------------- products no longer eligible


def ineligible_listings_query(user: User, filters: TargetFilter) -> Select:
    """Listings still on a marketplace whose product is no longer eligible to list (its
    certification expired, or its OCOP rating fell below 3 stars)."""
    statement = (
        select(Listing)
        .join(Product, Product.id == Listing.product_id)
        .join(Household, Household.id == Product.household_id)
        .where(visible_households(user), Listing.delisted_on.is_(None), not_(eligible_clause()))
    )
    if filters.marketplace_id:
        statement = statement.where(Listing.marketplace_id == filters.marketplace_id)
    statement = filters.apply(statement)
    return statement.options(
        selectinload(Listing.product).selectinload(Product.household).selectinload(Household.area),
        selectinload(Listing.product).selectinload(Product.certifications),
        selectinload(Listing.marketplace),
    ).order_by(Household.area_id, vietnamese(Household.head_name), Listing.id)


# ---------------------------------------------------------------- choices for the filters


def organisations() -> list[Organisation]:
    """The organisations whose classes the dashboard can be narrowed to."""
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def area_in_scope(user: User, area_id: int | None) -> int | None:
    """``area_id`` when the user may see that area, else None (the filter is ignored)."""
    if not area_id:
        return None
    return db.session.scalar(select(Area.id).where(Area.id == area_id, visible_areas(user)))


def _ineligible_count_query(user: User, filters: TargetFilter) -> Select:
    statement = ineligible_listings_query(user, filters).options().order_by(None)
    return select(func.count()).select_from(statement.subquery())
