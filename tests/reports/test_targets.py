"""The plan's targets per commune, checked against counts made independently, in Python, over
hand-built households: a revoked certificate, a legacy commune merged into a current one,
households with no product, a shop without a listing, a delisted product."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.activation.models import ActivationRequest, ActivationStatus
from lms.attendance.models import AttendanceMark, EnrolmentSource, MarkStatus
from lms.auth.models import Role
from lms.certificates.models import Certificate, CertificateStatus
from lms.core.models import today
from lms.courses.models import Programme
from lms.extensions import db
from lms.households.models import (
    Household,
    OutreachChannel,
    OutreachEvent,
    ProductGroup,
    ScaleClass,
)
from lms.products.models import Marketplace, PartnerKind
from lms.reports import targets
from lms.reports.targets import TargetFilter
from tests.builders import (
    make_area,
    make_certification,
    make_classification,
    make_household,
    make_listing,
    make_product,
    make_programme,
    make_session,
    make_user,
    marketplace,
)

_serial = iter(range(1, 1000))


def certify(household: Household, status=CertificateStatus.VALID, issued_on=None) -> Certificate:
    number = next(_serial)
    certificate = Certificate(
        serial=f"NA-2026-{number:06d}", prefix="NA", year=2026, number=number,
        household_id=household.id, programme_id=db.session.scalar(select(Programme.id)),
        issued_on=issued_on or today(), holder_name=household.head_name, commune_name="",
        issuer="Văn phòng Chương trình", courses=[], status=status,
    )  # fmt: skip
    db.session.add(certificate)
    db.session.flush()
    return certificate


def payment_provider() -> Marketplace:
    """A payment provider (marketplaces are seeded reference data, kept between tests)."""
    wallet = marketplace("wallet")
    if wallet is None:
        wallet = Marketplace(code="wallet", name="Ví", kind=PartnerKind.PAYMENT_PROVIDER)
        db.session.add(wallet)
        db.session.flush()
    return wallet


def activate(household: Household, partner: Marketplace, status=ActivationStatus.ACTIVATED):
    db.session.add(
        ActivationRequest(household_id=household.id, marketplace_id=partner.id, status=status)
    )
    db.session.flush()


def mark(household: Household, session, status: MarkStatus) -> None:
    db.session.add(
        AttendanceMark(
            session_id=session.id,
            household_id=household.id,
            source=EnrolmentSource.SEARCH,
            status=status,
        )
    )
    db.session.flush()


@dataclass
class Province:
    province: object
    commune_1: object
    commune_2: object
    legacy: object
    official: object
    official_1: object
    households: dict
    session_1: object
    session_2: object
    wallet: Marketplace


@pytest.fixture
def province(app) -> Province:
    """Two current communes and a legacy one merged into the first; seven households."""
    province = make_area(code="40", name="Tỉnh Nghệ An")
    commune_1 = make_area(name="Xã Diễn Châu", parent=province)
    commune_2 = make_area(name="Xã Yên Thành", parent=province)
    legacy = make_area(name="Xã Diễn Cũ", parent=province, merged_into_id=commune_1.id)
    make_programme(province, [])
    scale = make_classification(ScaleClass)
    group = make_classification(ProductGroup)
    classified = {"scale_class_id": scale.id, "product_group_id": group.id}
    postmart, voso = marketplace("postmart"), marketplace("voso")
    wallet = payment_provider()
    session_1 = make_session(area=commune_1, starts_at=targets_now() - timedelta(days=3))
    session_2 = make_session(area=commune_2, starts_at=targets_now() - timedelta(days=2))
    h = {}
    # commune 1: informed, standardised, OCOP 4★ listed, certified
    h["listed_trained"] = make_household(head_name="An", area=commune_1, **classified)
    db.session.add(
        OutreachEvent(
            household_id=h["listed_trained"].id,
            informed_on=today(),
            channel=OutreachChannel.MEETING,
        )
    )
    make_listing(product=make_product(household=h["listed_trained"], ocop_stars=4))
    certify(h["listed_trained"])
    # commune 1: listed on Voso, its certificate revoked: listed but not trained
    h["revoked"] = make_household(head_name="Bình", area=commune_1, phone=None)
    eligible = make_product(household=h["revoked"])
    make_certification(product=eligible)
    make_listing(product=eligible, marketplace=voso)
    certify(h["revoked"], status=CertificateStatus.REVOKED)
    # the legacy commune (counted in commune 1): attended a class, certified, no product
    h["legacy"] = make_household(head_name="Cúc", area=legacy, **classified)
    mark(h["legacy"], session_1, MarkStatus.PRESENT)
    certify(h["legacy"])
    activate(h["legacy"], wallet)
    # commune 2: nothing at all
    h["nothing"] = make_household(head_name="Dũng", area=commune_2)
    # commune 2: an activated shop, no listing, no certificate: listed but not trained
    h["shop_only"] = make_household(head_name="Em", area=commune_2, **classified)
    activate(h["shop_only"], postmart)
    # commune 2: an OCOP 3★ product not listed, another delisted; absent from class
    h["unlisted"] = make_household(head_name="Giang", area=commune_2, **classified)
    make_product(household=h["unlisted"], ocop_stars=3)
    delisted = make_product(household=h["unlisted"], ocop_stars=5)
    make_listing(product=delisted, delisted_on=today())
    mark(h["unlisted"], session_2, MarkStatus.ABSENT)
    # commune 2: certified, with a shop and a payment account; a refused request elsewhere
    h["active"] = make_household(head_name="Hà", area=commune_2, **classified)
    certify(h["active"])
    activate(h["active"], postmart)
    activate(h["active"], wallet)
    activate(h["active"], voso, status=ActivationStatus.REFUSED)
    official = make_user(Role.OFFICIAL, area=province)
    official_1 = make_user(Role.OFFICIAL, area=commune_1)
    db.session.commit()
    return Province(
        province, commune_1, commune_2, legacy, official, official_1, h, session_1, session_2,
        wallet,
    )  # fmt: skip


def targets_now():
    from lms.core.models import utcnow

    return utcnow()


# ---------------------------------------------------------------- the independent count


def commune_of(household: Household):
    return household.area.merged_into or household.area


def python_figures(households: list[Household], marketplace_id=None) -> dict:
    """Every figure counted the plain way: one household at a time, rules in Python."""
    day = today()

    def valid_certificate(h):
        return any(
            c.status is CertificateStatus.VALID
            for c in db.session.scalars(select(Certificate).where(Certificate.household_id == h.id))
        )

    def activated(h, kind):
        requests = db.session.scalars(
            select(ActivationRequest).where(ActivationRequest.household_id == h.id)
        )
        return any(
            r.status is ActivationStatus.ACTIVATED
            and r.marketplace.kind is kind
            and (not marketplace_id or kind is not PartnerKind.MARKETPLACE
                 or r.marketplace_id == marketplace_id)
            for r in requests
        )  # fmt: skip

    def listed_product(product):
        return any(
            listing.is_listed
            and listing.marketplace.kind is PartnerKind.MARKETPLACE
            and (not marketplace_id or listing.marketplace_id == marketplace_id)
            for listing in product.listings
        )

    def informed(h):
        marks = db.session.scalars(
            select(AttendanceMark).where(AttendanceMark.household_id == h.id)
        )
        return bool(h.outreach) or any(m.status and m.status.attended for m in marks)

    from lms.households.services import household_problems

    counts: dict = {}
    for h in households:
        c = counts.setdefault(commune_of(h).id, {"households": 0})
        certified = valid_certificate(h)
        listed = any(listed_product(p) for p in h.products)
        shop = activated(h, PartnerKind.MARKETPLACE)
        facts = {
            "informed": (informed(h), True),
            "standardised": (not household_problems(h), True),
            "listed_trained": (listed and certified, listed),
            "trained": (certified, True),
            "shops": (certified and shop, certified),
            "payments": (certified and activated(h, PartnerKind.PAYMENT_PROVIDER), certified),
        }
        c["households"] += 1
        for code, (part, whole) in facts.items():
            p, w = c.get(code, (0, 0))
            c[code] = (p + int(part), w + int(whole))
        ocop = [p for p in h.products if p.ocop_stars >= 3]
        p, w = c.get("ocop", (0, 0))
        c["ocop"] = (p + sum(listed_product(x) for x in ocop), w + len(ocop))
        c["listed_not_trained"] = c.get("listed_not_trained", 0) + int(
            (listed or shop) and not certified
        )
    assert day == today()
    return counts


def sql_figures(board) -> dict:
    counts = {}
    for row in board.rows:
        c = {"households": row.households, "listed_not_trained": row.listed_not_trained}
        for code, share in row.shares.items():
            c[code] = (share.part, share.whole)
        c["ocop"] = (row.ocop.part, row.ocop.whole)
        counts[row.area.id] = c
    return counts


def _normalise(counts: dict) -> dict:
    keys = {"households", "listed_not_trained", "ocop"} | {f.code for f in targets.FIGURES}
    return {
        area: {key: c.get(key, (0, 0) if key != "households" else 0) for key in keys}
        for area, c in counts.items()
    }


# ---------------------------------------------------------------- the tests


def test_every_figure_matches_an_independent_count(province):
    board = targets.dashboard(province.official, TargetFilter())
    households = list(db.session.scalars(select(Household)))
    assert _normalise(sql_figures(board)) == _normalise(python_figures(households))


def test_the_figures_hold_the_edge_cases(province):
    board = targets.dashboard(province.official, TargetFilter())
    by_name = {row.area.name: row for row in board.rows}
    assert list(by_name) == ["Xã Diễn Châu", "Xã Yên Thành"]  # the legacy commune rolled up
    one, two = by_name["Xã Diễn Châu"], by_name["Xã Yên Thành"]
    assert one.households == 3 and two.households == 4
    # the revoked certificate does not count: 2 of 3 trained in commune 1
    assert (one.shares["trained"].part, one.shares["trained"].whole) == (2, 3)
    assert (one.shares["listed_trained"].part, one.shares["listed_trained"].whole) == (1, 2)
    # informed: by outreach (An) and by attending (Cúc); absent (Giang) is not informed
    assert one.shares["informed"].part == 2 and two.shares["informed"].part == 0
    # OCOP 3★+: commune 2 has two, none listed now (one delisted)
    assert (two.ocop.part, two.ocop.whole) == (0, 2)
    assert (one.ocop.part, one.ocop.whole) == (1, 1)
    assert one.listed_not_trained == 1 and two.listed_not_trained == 1
    assert (two.shares["shops"].part, two.shares["shops"].whole) == (1, 1)
    assert (one.shares["payments"].part, one.shares["payments"].whole) == (1, 2)
    assert board.total.households == 7
    assert board.total.shares["trained"].part == 3
    assert board.total.shares["trained"].percent == pytest.approx(300 / 7)


def test_a_filter_by_marketplace_counts_its_listings_and_shops_only(province):
    voso = marketplace("voso")
    board = targets.dashboard(province.official, TargetFilter(marketplace_id=voso.id))
    households = list(db.session.scalars(select(Household)))
    assert _normalise(sql_figures(board)) == _normalise(python_figures(households, voso.id))
    assert board.total.listed_not_trained == 1  # Bình on Voso; Em's shop is on Postmart


def test_filters_by_class_and_organisation_narrow_the_households(province):
    scale_class_id = province.households["listed_trained"].scale_class_id
    board = targets.dashboard(province.official, TargetFilter(scale_class_id=scale_class_id))
    assert board.total.households == 5
    organisation_id = province.session_1.organisation_id
    board = targets.dashboard(province.official, TargetFilter(organisation_id=organisation_id))
    assert board.total.households == 1  # only Cúc attended a class of that organisation


def test_drilling_into_a_commune_includes_its_merged_legacy_commune(province):
    filters = TargetFilter(area_id=province.commune_1.id)
    board = targets.dashboard(province.official, filters)
    assert [row.area.name for row in board.rows] == ["Xã Diễn Châu"]
    assert board.total.households == 3
    assert board.area.name == "Xã Diễn Châu"


def test_a_commune_official_sees_its_commune_and_its_legacy_one_only(province):
    board = targets.dashboard(province.official_1, TargetFilter())
    assert [row.area.name for row in board.rows] == ["Xã Diễn Châu"]
    assert board.total.households == 3
    names = {
        h.head_name
        for h in targets.list_households(province.official_1, TargetFilter(), "trained", 1).items
    }
    assert names == {"An", "Cúc"}


def test_listed_but_not_trained_lists_the_sellers_without_a_valid_certificate(province):
    page = targets.listed_not_trained_page(province.official, TargetFilter())
    assert {h.head_name for h in page.items} == {"Bình", "Em"}
    assert page.total == targets.count_listed_not_trained(province.official, TargetFilter()) == 2


@pytest.mark.parametrize("figure", [f.code for f in targets.FIGURES] + ["ocop"])
def test_each_figure_lists_the_households_behind_it(province, figure):
    """The list behind a figure and the list of those it misses split its whole."""
    official, filters = province.official, TargetFilter()
    board = targets.dashboard(official, filters)
    share = board.total.ocop if figure == "ocop" else board.total.shares[figure]
    part = targets.count_households(official, filters, figure)
    missing = targets.count_households(official, filters, f"{figure}_missing")
    if figure == "ocop":  # counted in products; the lists are households
        assert (part, missing) == (1, 1)
    else:
        assert (part, part + missing) == (share.part, share.whole)


def test_training_status_gives_the_last_class_and_quizzes(province):
    h = province.households["legacy"]
    status = targets.training_status([h.id, province.households["nothing"].id])
    assert status[h.id].last_class_on == province.session_1.starts_at.date()
    assert status[province.households["nothing"].id].last_class_on is None


def test_listings_no_longer_eligible_are_found(province):
    stale = make_product(household=province.households["nothing"], ocop_stars=2)
    make_certification(product=stale, expires_on=today() - timedelta(days=1))
    make_listing(product=stale)
    db.session.commit()
    listings = db.session.scalars(
        targets.ineligible_listings_query(province.official, TargetFilter())
    ).all()
    assert [listing.product.name for listing in listings] == [stale.name]


def test_certificates_per_week_counts_valid_certificates_by_week(province):
    certify(province.households["nothing"], issued_on=today() - timedelta(weeks=1))
    db.session.commit()
    weeks = targets.certificates_per_week(province.official, TargetFilter(), weeks=4)
    assert len(weeks) == 4
    assert weeks[-1][1] == 3  # An, Cúc, Hà this week; Bình's was revoked
    assert weeks[-2][1] == 1
