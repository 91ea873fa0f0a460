"""The plan's targets per commune, checked against counts made independently, in Python, over
hand-built households: a revoked certificate, a legacy commune merged into a current one,
households with no product, a shop without a listing, a delisted product."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.activation.models import ActivationRequest, ActivationStatus
from lms.areas.models import AreaLevel
from lms.attendance.models import AttendanceMark, MarkStatus
from lms.certificates.models import Certificate, CertificateStatus
from lms.core.models import today
from lms.extensions import db
from lms.households.models import (
    Household,
)
from lms.products.models import PartnerKind
from lms.products.services import is_ocop_rating_valid
from lms.reports import targets
from lms.reports.targets import TargetFilter
from tests.builders import (
    make_certification,
    make_listing,
    make_product,
    marketplace,
)
from tests.reports.conftest import certify

# ---------------------------------------------------------------- the independent count


def commune_of(household: Household):
    return household.area.merged_into or household.area


def python_figures(households: list[Household], marketplace_id=None) -> dict:
    """Every figure counted the plain way: one household at a time, each rule written out
    here from DESIGN over the rows' plain fields, never by calling the product's own."""

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
            listing.delisted_on is None
            and listing.marketplace.kind is PartnerKind.MARKETPLACE
            and (not marketplace_id or listing.marketplace_id == marketplace_id)
            for listing in product.listings
        )

    def informed(h):
        marks = db.session.scalars(
            select(AttendanceMark).where(AttendanceMark.household_id == h.id)
        )
        attended = (MarkStatus.PRESENT, MarkStatus.LATE)
        return bool(h.outreach) or any(m.status in attended for m in marks)

    def standardised(h):
        """A phone, a CCCD of 12 digits if any, a current commune, a scale class and a
        product group."""
        return (
            bool(h.phone)
            and (h.national_id is None or re.fullmatch(r"\d{12}", h.national_id) is not None)
            and h.area.level is AreaLevel.COMMUNE
            and h.area.merged_into_id is None
            and None not in (h.scale_class_id, h.product_group_id)
        )

    counts: dict = {}
    for h in households:
        c = counts.setdefault(commune_of(h).id, {"households": 0})
        certified = valid_certificate(h)
        listed = any(listed_product(p) for p in h.products)
        shop = activated(h, PartnerKind.MARKETPLACE)
        facts = {
            "informed": (informed(h), True),
            "standardised": (standardised(h), True),
            "listed_trained": (listed and certified, listed),
            "trained": (certified, True),
            "shops": (certified and shop, certified),
            "payments": (certified and activated(h, PartnerKind.PAYMENT_PROVIDER), certified),
        }
        c["households"] += 1
        for code, (part, whole) in facts.items():
            p, w = c.get(code, (0, 0))
            c[code] = (p + int(part), w + int(whole))
        ocop = [p for p in h.products if is_ocop_rating_valid(p)]
        p, w = c.get("ocop", (0, 0))
        c["ocop"] = (p + sum(listed_product(x) for x in ocop), w + len(ocop))
        c["listed_not_trained"] = c.get("listed_not_trained", 0) + int(
            (listed or shop) and not certified
        )
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
    # standardised: An only in commune 1 (Bình has no phone nor classes, Cúc's commune was
    # merged); Em, Giang and Hà in commune 2 (Dũng has no classes)
    assert (one.shares["standardised"].part, one.shares["standardised"].whole) == (1, 3)
    assert (two.shares["standardised"].part, two.shares["standardised"].whole) == (3, 4)
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


def test_an_ocop_rating_past_its_36_months_is_no_ocop_product_in_the_figures(province):
    ended = make_product(
        household=province.households["nothing"],
        ocop_stars=4,
        ocop_year=2020,
        ocop_decided_on=date(2020, 5, 4),  # held until 03/05/2023
    )
    ended.created_at = datetime(2021, 1, 1, tzinfo=UTC)
    db.session.commit()
    now = targets.dashboard(province.official, TargetFilter()).total.ocop
    assert now.whole == 3  # the three in force of the edge cases, not this one
    households = list(db.session.scalars(select(Household)))
    assert _normalise(sql_figures(targets.dashboard(province.official, TargetFilter()))) == (
        _normalise(python_figures(households))
    )
    missing = targets.list_households(province.official, TargetFilter(), "ocop_missing", 1)
    assert province.households["nothing"].id not in {h.id for h in missing.items}
    # as the figures stood while it held, it counted
    then = targets.dashboard(province.official, TargetFilter(as_of=date(2023, 5, 3))).total.ocop
    after = targets.dashboard(province.official, TargetFilter(as_of=date(2023, 5, 4))).total.ocop
    assert then.whole == after.whole + 1


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
    official, filters = province.official, TargetFilter()
    page = targets.list_households(official, filters, targets.LISTED_NOT_TRAINED, 1)
    assert {h.head_name for h in page.items} == {"Bình", "Em"}
    assert page.total == targets.dashboard(official, filters).total.listed_not_trained == 2


@pytest.mark.parametrize("figure", [f.code for f in targets.FIGURES] + ["ocop"])
def test_each_figure_lists_the_households_behind_it(province, figure):
    """The list behind a figure and the list of those it misses split its whole."""
    official, filters = province.official, TargetFilter()
    board = targets.dashboard(official, filters)
    share = board.total.ocop if figure == "ocop" else board.total.shares[figure]
    part = targets.list_households(official, filters, figure, 1).total
    missing = targets.list_households(official, filters, f"{figure}_missing", 1).total
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
    assert targets.dashboard(province.official, TargetFilter()).ineligible_listings == 1


def test_certificates_per_week_counts_valid_certificates_by_week(province):
    certify(province.households["nothing"], issued_on=today() - timedelta(weeks=1))
    db.session.commit()
    weeks = targets.dashboard(province.official, TargetFilter(), weeks=4).weeks
    assert len(weeks) == 4
    assert weeks[-1][1] == 3  # An, Cúc, Hà this week; Bình's was revoked
    assert weeks[-2][1] == 1
