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
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import LazyString, format_decimal
from flask_babel import gettext as _
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
    true,
    union_all,
)
from sqlalchemy.orm import selectinload

from lms.activation.models import ActivationRequest, ActivationStatus
from lms.areas.models import Area, AreaLevel, PlanTarget
from lms.attendance.models import AttendanceMark, ClassSession, MarkStatus
from lms.auth.models import User
from lms.core.database import paginate, read_concurrently, vietnamese
from lms.core.models import PROGRAMME_TIMEZONE, today
from lms.core.scope import subtree_ids, visible_areas, visible_households
from lms.courses.models import QuizAttempt
from lms.extensions import db
from lms.households.models import Household
from lms.households.services import QUALITY_CHECKS, HouseholdFilter, QualityCheck, is_standardised
from lms.organisations.models import Organisation
from lms.products.models import Listing, Marketplace, PartnerKind, Product
from lms.products.services import eligible_clause, ocop_rating_clause

Clause = ColumnElement[bool]

# ---------------------------------------------------------------- the household facts


def end_of(day: date) -> datetime:
    """The first instant after ``day`` ends in Vietnam, as a UTC timestamp (for ``*_at``)."""
    return datetime.combine(day + timedelta(days=1), time(), PROGRAMME_TIMEZONE)


def has_valid_certificate(until: date | None = None) -> Clause:
    """SQL: the household holds a valid (not revoked) certificate: trained (issued on or
    before ``until``, when given). Kept on the household by the certificates' services
    (``Household.certified_on``)."""
    if until is not None:
        return Household.certified_on <= until
    return Household.certified_on.is_not(None)


def _partners(kind: PartnerKind, marketplace_id: int | None = None) -> Select:
    """SQL: the ids of the partners of a kind (the marketplace given, for marketplaces)."""
    partners = select(Marketplace.id).where(Marketplace.kind == kind)
    if marketplace_id and kind is PartnerKind.MARKETPLACE:
        partners = partners.where(Marketplace.id == marketplace_id)
    return partners


def _listed_now(marketplace_id: int | None = None, until: date | None = None) -> list[Clause]:
    """SQL, about ``Listing``: on a marketplace now (any, or the one given), or at the end of
    the day ``until``."""
    partners = Listing.marketplace_id.in_(_partners(PartnerKind.MARKETPLACE, marketplace_id))
    if until is not None:
        return [
            Listing.listed_on <= until,
            or_(Listing.delisted_on.is_(None), Listing.delisted_on > until),
            partners,
        ]
    return [Listing.delisted_on.is_(None), partners]


def _current_listing(marketplace_id: int | None = None, until: date | None = None) -> Clause:
    """SQL, about ``Product``: listed now on a marketplace (any, or the one given)."""
    return exists().where(Listing.product_id == Product.id, *_listed_now(marketplace_id, until))


def has_ocop_product(
    listed: bool, marketplace_id: int | None = None, until: date | None = None
) -> Clause:
    """SQL: the household has an OCOP 3★+ product, its rating in force, that is listed now
    (or is not); as of ``until`` when given."""
    listing = _current_listing(marketplace_id, until)
    return exists().where(
        Product.household_id == Household.id,
        ocop_rating_clause(until),
        listing if listed else not_(listing),
    )


def listed_holders(marketplace_id: int | None = None, until: date | None = None) -> Select:
    """SQL: the ids of the households with a product listed now (on the marketplace given),
    read from the listings (tens of thousands) to their products, not from every product."""
    return (
        select(Product.household_id)
        .join(Listing, Listing.product_id == Product.id)
        .where(*_listed_now(marketplace_id, until))
    )


def has_listed_product(marketplace_id: int | None = None, until: date | None = None) -> Clause:
    """SQL: the household has a product listed now (the same rule, about one household)."""
    holders = listed_holders(marketplace_id, until)
    return holders.where(Product.household_id == Household.id).exists()


def activated_holders(
    kind: PartnerKind, marketplace_id: int | None = None, until: date | None = None
) -> Select:
    """SQL: the ids of the households with an activated shop (``MARKETPLACE``) or payment
    account (on the marketplace given, for shops; activated by the end of ``until``)."""
    statement = select(ActivationRequest.household_id).where(
        ActivationRequest.status == ActivationStatus.ACTIVATED,
        ActivationRequest.marketplace_id.in_(_partners(kind, marketplace_id)),
    )
    if until is not None:
        statement = statement.where(ActivationRequest.activated_at < end_of(until))
    return statement


def has_activated(
    kind: PartnerKind, marketplace_id: int | None = None, until: date | None = None
) -> Clause:
    """SQL: the household has an activated shop or payment account (about one household)."""
    holders = activated_holders(kind, marketplace_id, until)
    return holders.where(ActivationRequest.household_id == Household.id).exists()


def is_selling(marketplace_id: int | None = None, until: date | None = None) -> Clause:
    """SQL: the household sells online: a product listed now, or an activated shop.

    Stated as membership of one small set (the households of the listings and of the
    activated shops, a few percent of all), which both databases build once per query."""
    shops = activated_holders(PartnerKind.MARKETPLACE, marketplace_id, until)
    return Household.id.in_(listed_holders(marketplace_id, until).union(shops))


def listed_not_trained(marketplace_id: int | None = None, until: date | None = None) -> Clause:
    """SQL: sells online without a valid certificate; the plan says nobody may."""
    return and_(is_selling(marketplace_id, until), not_(has_valid_certificate(until)))


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
    #: the figures as they stood at the end of this day (None: today)
    as_of: date | None = None
    #: the first day of the period the certificates per week or month are counted from
    date_from: date | None = None
    #: "week" or "month": how the certificates issued in the period are counted
    period: str = "week"

    @property
    def until(self) -> date | None:
        """The as-of day when it is in the past (today's figures need no date condition)."""
        return self.as_of if self.as_of is not None and self.as_of < today() else None

    @property
    def last_day(self) -> date:
        return self.as_of or today()

    @property
    def year(self) -> int:
        """The plan year the figures are measured against: the as-of day's."""
        return self.last_day.year

    def apply(self, statement: Select, registered: bool = True) -> Select:
        """The filters on a statement over households; ``registered``: only households in
        the registry by the as-of day (a statement whose rows imply it, such as a
        certificate issued by then, leaves it out and keeps to its index)."""
        statement = super().apply(statement)
        if self.organisation_id:
            statement = statement.where(trained_by(self.organisation_id))
        if registered and self.until is not None:
            statement = statement.where(Household.created_at < end_of(self.until))
        return statement


# ---------------------------------------------------------------- the figures

#: a fact about a household, as a SQL clause, under the filters
FactClause = Callable[[TargetFilter], Clause]

#: every fact a figure is made of, by name
FACTS: dict[str, FactClause] = {
    "informed": lambda f: Household.is_informed,
    "standardised": lambda f: is_standardised(),
    "certified": lambda f: has_valid_certificate(f.until),
    "listed": lambda f: has_listed_product(f.marketplace_id, f.until),
    "shop": lambda f: has_activated(PartnerKind.MARKETPLACE, f.marketplace_id, f.until),
    "payment": lambda f: has_activated(PartnerKind.PAYMENT_PROVIDER, None, f.until),
}


@dataclass(frozen=True)
class Figure:
    """A target counted in households: those with every fact of ``part``, among those with
    every fact of ``whole`` (all households when ``whole`` is empty)."""

    code: str
    label: LazyString
    part: tuple[str, ...]
    whole: tuple[str, ...] = ()
    #: measured against the plan's count of households where the commune has one (the
    #: plan says 100% of its households), not only against the households imported
    against_target: bool = False

    def clause(self, filters: TargetFilter, missing: bool = False) -> Clause:
        """SQL: the households counted (or, ``missing``, those of the whole not counted)."""
        part = and_(*(FACTS[name](filters) for name in self.part))
        if not missing:
            return part
        whole = [FACTS[name](filters) for name in self.whole]
        return and_(*whole, not_(part))


FIGURES: tuple[Figure, ...] = (
    Figure("informed", _l("Households informed"), ("informed",), against_target=True),
    Figure("standardised", _l("Household records standardised"), ("standardised",)),
    Figure(
        "listed_trained",
        _l("Households with a listed product that hold a valid certificate"),
        ("listed", "certified"),
        ("listed",),
    ),
    Figure("trained", _l("Households trained (certified)"), ("certified",), against_target=True),
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


def format_percent(part: int, whole: int) -> str:
    """A share as officials read it, on the screen, in exports and in the PDF alike: one
    decimal; never "0%" for a share above zero ("< 0,1%"), never "100%" short of the whole
    ("> 99,9%"); "—" when there is nothing to measure against."""
    if not whole:
        return "—"
    if part <= 0:
        return "0%"
    percent = 100 * part / whole
    if percent < 0.1:
        return "< " + format_decimal(0.1, "0.0") + "%"
    if part < whole and percent >= 99.95:
        return "> " + format_decimal(99.9, "0.0") + "%"
    if part == whole:
        return "100%"
    return format_decimal(percent, "#,##0.0") + "%"


@dataclass
class Share:
    part: int = 0
    whole: int = 0

    @property
    def percent(self) -> float | None:
        return 100 * self.part / self.whole if self.whole else None

    @property
    def text(self) -> str:
        """The share as printed: ``format_percent``."""
        return format_percent(self.part, self.whole)

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
    #: OCOP 3★+ products listed on a marketplace, of the plan's count of them (of those in
    #: the registry where the commune has no target)
    ocop: Share = field(default_factory=Share)
    listed_not_trained: int = 0
    #: the commune has sent its household list (some household of it is in the registry)
    has_list: bool = True
    #: the plan's counts for the year (None: not entered)
    target_households: int | None = None
    target_ocop: int | None = None
    #: households in the registry, of the plan's count (whole 0: no target entered)
    coverage: Share = field(default_factory=Share)
    #: OCOP 3★+ products in the registry (listed or not)
    ocop_products: int = 0
    #: communes counted (for a total or a former district)
    communes: int = 0
    #: of those, communes that sent no list, and communes with no target entered
    without_list: int = 0
    without_target: int = 0

    @property
    def name(self) -> str:
        return self.area.name if self.area else _("Total")

    def add(self, other: AreaFigures) -> None:
        self.households += other.households
        for code, share in other.shares.items():
            self.shares.setdefault(code, Share())
            self.shares[code] += share
        self.ocop += other.ocop
        self.listed_not_trained += other.listed_not_trained
        self.coverage += other.coverage
        self.ocop_products += other.ocop_products
        self.communes += other.communes
        self.without_list += other.without_list
        self.without_target += other.without_target
        for name in ("target_households", "target_ocop"):
            if getattr(other, name) is not None:
                setattr(self, name, (getattr(self, name) or 0) + getattr(other, name))


@dataclass
class Dashboard:
    filters: TargetFilter
    #: the area shown: the official's own, or the commune drilled into
    area: Area | None
    rows: list[AreaFigures]
    total: AreaFigures
    #: (first day, valid certificates issued in that week or month), oldest first
    weeks: list[tuple[date, int]] = field(default_factory=list)
    #: listings still on a marketplace whose product is no longer eligible
    ineligible_listings: int = 0
    #: the period the figures cover: its first day (None: from the start) and the as-of day
    date_from: date | None = None
    as_of: date | None = None
    #: "week" or "month"
    period: str = "week"
    #: the plan year the targets are read for
    year: int = 0

    @property
    def certificates_in_period(self) -> int:
        return sum(count for _day, count in self.weeks)


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
    starts = _period_starts(filters, weeks)
    statements = [
        _households_query(user, filters, everyone),
        _sellers_query(user, filters, sellers),
        _ocop_query(user, filters),
        _weekly_query(user, filters, starts[0], filters.last_day),
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
    shown = db.session.get(Area, filters.area_id) if filters.area_id else user.area
    communes = _communes_shown(user, shown)
    for area in communes:
        rows.setdefault(area.id, AreaFigures(area=None))
    areas = {
        area.id: area for area in db.session.scalars(select(Area).where(Area.id.in_(list(rows))))
    }
    with_list = _communes_with_list(list(rows))
    plan = _plan_targets(list(rows), filters.year)
    total = AreaFigures(area=None)
    for key, figures in rows.items():
        figures.area = areas[key]
        _measure_against_plan(figures, plan.get(key), has_list=key in with_list)
        total.add(figures)
    ordered = sorted(rows.values(), key=lambda row: _sort_key(row.area))
    return Dashboard(
        filters=filters,
        area=shown,
        rows=ordered,
        total=total,
        weeks=_periods(weekly_rows, starts, filters.period),
        ineligible_listings=ineligible[0][0],
        date_from=filters.date_from,
        as_of=filters.last_day,
        period=filters.period,
        year=filters.year,
    )


def _communes_shown(user: User, shown: Area | None) -> list[Area]:
    """Every current commune of the area shown, within the user's scope: each is listed,
    households or not (a commune that sent no list says so instead of being left out)."""
    statement = select(Area).where(
        visible_areas(user), Area.level == AreaLevel.COMMUNE, Area.merged_into_id.is_(None)
    )
    if shown is not None:
        statement = statement.where(Area.id.in_(subtree_ids(shown)))
    return list(db.session.scalars(statement))


def _communes_with_list(commune_ids: list[int]) -> set[int]:
    """Those of the communes (their legacy communes included) with a household in the
    registry, whatever the filters: one index probe per area."""
    if not commune_ids:
        return set()
    commune = func.coalesce(Area.merged_into_id, Area.id)
    statement = select(commune).where(
        or_(Area.id.in_(commune_ids), Area.merged_into_id.in_(commune_ids)),
        exists().where(Household.area_id == Area.id),
    )
    return set(db.session.scalars(statement))


def _plan_targets(commune_ids: list[int], year: int) -> dict[int, PlanTarget]:
    if not commune_ids:
        return {}
    statement = select(PlanTarget).where(
        PlanTarget.year == year, PlanTarget.area_id.in_(commune_ids)
    )
    return {target.area_id: target for target in db.session.scalars(statement)}


def _measure_against_plan(row: AreaFigures, plan: PlanTarget | None, has_list: bool) -> None:
    """Put the plan's counts under a commune's figures: coverage is the registry ÷ the plan's
    households; informed and trained are measured against the plan's households, the OCOP
    target against its products (where the plan has no count, against the registry)."""
    row.communes = 1
    row.has_list = has_list
    row.without_list = int(not has_list)
    row.ocop_products = row.ocop.whole
    households = plan.households if plan else None
    ocop = plan.ocop_products if plan else None
    row.target_households, row.target_ocop = households, ocop
    row.without_target = int(households is None)
    for figure in FIGURES:
        row.shares.setdefault(figure.code, Share())
        if figure.against_target and households is not None:
            row.shares[figure.code] = Share(row.shares[figure.code].part, households)
    if households is not None:
        row.coverage = Share(row.households, households)
    if ocop is not None:
        row.ocop = Share(row.ocop.part, ocop)


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
        return listed_not_trained(filters.marketplace_id, filters.until)
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
    marketplace_id, until = filters.marketplace_id, filters.until
    holders = {
        "listed": listed_holders(marketplace_id, until),
        "shop": activated_holders(PartnerKind.MARKETPLACE, marketplace_id, until),
        "payment": activated_holders(PartnerKind.PAYMENT_PROVIDER, None, until),
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
            has_valid_certificate(until).label("certified"),
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
    """Per area: OCOP 3★+ products listed now on a marketplace, and all OCOP 3★+ products,
    their ratings in force (on ``until``, else today); read from those products (a few
    percent, materialised) to their households."""
    products = (
        select(
            Product.household_id,
            _current_listing(filters.marketplace_id, filters.until).label("listed"),
        )
        .where(ocop_rating_clause(filters.until))
        .where(Product.created_at < end_of(filters.until) if filters.until is not None else true())
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
    return filters.apply(statement, registered=False)  # products registered by then


#: the most weeks or months a chart shows (a longer period starts at its last ones)
MAX_PERIODS = 53


def _period_start(day: date, period: str) -> date:
    if period == "month":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def _next_period(start: date, period: str) -> date:
    if period == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(weeks=1)


def _period_starts(filters: TargetFilter, count: int) -> list[date]:
    """The first day of each week (Monday) or month of the period, oldest first: from
    ``date_from`` (the last ``count`` ones when none is given) to the as-of day."""
    last = _period_start(filters.last_day, filters.period)
    starts = [last]
    first = _period_start(filters.date_from, filters.period) if filters.date_from else None
    while len(starts) < (MAX_PERIODS if first else count):
        previous = _period_start(starts[-1] - timedelta(days=1), filters.period)
        if first and previous < first:
            break
        starts.append(previous)
    starts.reverse()
    return starts


def _weekly_query(user: User, filters: TargetFilter, first: date, last: date) -> Select:
    """Valid certificates issued per day from ``first`` to ``last`` (the days are put in
    weeks or months after), read from the households they certify
    (``Household.certified_on``): one each."""
    first = max(first, filters.date_from) if filters.date_from else first
    statement = (
        select(Household.certified_on, func.count())
        .where(
            visible_households(user),
            Household.certified_on >= first,
            Household.certified_on <= last,
        )
        .group_by(Household.certified_on)
    )
    return filters.apply(statement, registered=False)  # certified by then: registered


def _periods(rows, starts: list[date], period: str) -> list[tuple[date, int]]:
    counts = dict.fromkeys(starts, 0)
    for day, count in rows:
        start = _period_start(day, period)
        if start in counts:
            counts[start] += count
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
            lambda f: listed_not_trained(f.marketplace_id, f.until),
        ),
        "not_trained": HouseholdList(
            "not_trained",
            _l("Households not yet trained"),
            lambda f: not_(has_valid_certificate(f.until)),
        ),
        "ocop": HouseholdList(
            "ocop",
            _l("Households with an OCOP 3★+ product listed"),
            lambda f: has_ocop_product(True, f.marketplace_id, f.until),
        ),
        "ocop_missing": HouseholdList(
            "ocop_missing",
            _l("Households with an OCOP 3★+ product not listed"),
            lambda f: has_ocop_product(False, f.marketplace_id, f.until),
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


# ---------------------------------------------------------------- groupings of the figures


@dataclass
class Group:
    """Figures summed over a group of rows: a former district's communes, a village's
    households."""

    name: str
    figures: AreaFigures
    rows: list[AreaFigures] = field(default_factory=list)


def former_districts(board: Dashboard) -> list[Group]:
    """The communes of the board grouped by the district each belonged to before the 2025
    reform (officials still reason by them), in Vietnamese order; communes with no former
    district recorded last. Empty when there is nothing to group (one commune, or none
    recorded)."""
    from lms.core.text import vietnamese_sort_key

    if len(board.rows) < 2 or not any(row.area and row.area.former_district for row in board.rows):
        return []
    groups: dict[str, Group] = {}
    for row in board.rows:
        name = (row.area.former_district if row.area else "") or ""
        group = groups.setdefault(name, Group(name, AreaFigures(area=None)))
        group.figures.add(row)
        group.rows.append(row)
    return sorted(groups.values(), key=lambda g: (not g.name, vietnamese_sort_key(g.name)))


#: the village figures: the facts kept on the household, and listed but not trained
VILLAGE_FIGURES = ("informed", "standardised", "trained")


def villages(user: User, filters: TargetFilter, board: Dashboard) -> list[Group]:
    """Inside one commune: its households per thôn/xóm (as the registry spells the village),
    with the figures kept on the household and the listed-but-not-trained count. Empty
    unless the board shows a commune."""
    from lms.core.text import vietnamese_sort_key

    if board.area is None or board.area.level is not AreaLevel.COMMUNE:
        return []
    counts = [
        func.count().filter(_holds(filters, FIGURES_BY_CODE[code].part)) for code in VILLAGE_FIGURES
    ]
    statement = filters.apply(
        select(
            Household.village,
            func.count(),
            *counts,
            func.count().filter(listed_not_trained(filters.marketplace_id, filters.until)),
        )
        .where(visible_households(user))
        .group_by(Household.village)
    )
    groups = []
    for village, households, *values, unlisted in db.session.execute(statement):
        figures = AreaFigures(area=None, households=households, listed_not_trained=unlisted)
        for code, part in zip(VILLAGE_FIGURES, values, strict=True):
            figures.shares[code] = Share(part, households)
        groups.append(Group(village or "", figures))
    return sorted(groups, key=lambda g: (not g.name, vietnamese_sort_key(g.name)))
