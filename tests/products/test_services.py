"""Products: the "eligible to list" rule (in Python and SQL), products, certifications, listings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.core.errors import RuleViolation
from lms.core.models import today
from lms.extensions import db
from lms.products import services
from lms.products.models import CertificationKind, Product
from tests.builders import make_certification, make_product, marketplace

YESTERDAY, TOMORROW = today() - timedelta(days=1), today() + timedelta(days=1)


@pytest.mark.parametrize(
    ("stars", "expiries", "eligible"),
    [
        (0, [], False),
        (2, [], False),
        (3, [], True),
        (5, [], True),
        (0, [YESTERDAY], False),  # expired certifications don't count
        (0, [today()], True),  # valid through its last day
        (0, [TOMORROW], True),
        (0, [None], True),  # no expiry stated
        (2, [YESTERDAY, TOMORROW], True),
    ],
)
def test_eligible_to_list(app, stars, expiries, eligible):
    product = make_product(ocop_stars=stars)
    for expires_on in expiries:
        make_certification(product=product, expires_on=expires_on)
    db.session.expire(product)
    assert services.is_eligible(product) is eligible
    in_sql = db.session.scalar(
        select(Product.id).where(Product.id == product.id, services.eligible_clause())
    )
    assert (in_sql is not None) is eligible


def test_an_ocop_rating_holds_until_the_day_before_the_same_date_three_years_on(app):
    def until(decided_on):
        return services.ocop_valid_until(Product(ocop_stars=3, ocop_decided_on=decided_on))

    assert until(date(2024, 3, 15)) == date(2027, 3, 14)
    assert until(date(2024, 2, 29)) == date(2027, 2, 28)
    assert until(date(2025, 3, 1)) == date(2028, 2, 29)
    assert until(None) is None  # only the year: its end is unknown


def test_an_ended_rating_closes_eligibility_only_when_its_date_is_known(app):
    ended = make_product(ocop_stars=4, ocop_year=2020, ocop_decided_on=date(2020, 5, 4))
    undated = make_product(ocop_stars=4, ocop_year=2020)
    assert not services.is_eligible(ended) and services.is_eligible(undated)
    make_certification(product=ended, expires_on=TOMORROW)  # a certification still opens it
    db.session.expire(ended)
    assert services.is_eligible(ended)


def test_the_ocop_rule_and_its_sql_twin_agree_on_edge_days(app):
    """Decisions around the days a rating ends (29 February included), checked on those
    days: Python and SQL name the same eligible products."""
    decided = [None, today() - timedelta(days=3 * 365 + 1), today() - timedelta(days=1)]
    for start in (date(2024, 2, 25), date(2025, 2, 25), date(2023, 2, 25)):
        decided += [start + timedelta(days=n) for n in range(8)]
    products = [make_product(ocop_stars=3, ocop_decided_on=d) for d in decided]
    products.append(make_product(ocop_stars=2, ocop_decided_on=today()))
    ids = [p.id for p in products]
    days = [today(), date(2027, 2, 28), date(2027, 3, 1), date(2028, 2, 29), date(2028, 3, 1)]
    days += [date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1)]
    for on in days:
        in_python = {p.id for p in products if services.is_eligible(p, on)}
        in_sql = set(
            db.session.scalars(
                select(Product.id).where(Product.id.in_(ids), services.eligible_clause(on))
            )
        )
        assert in_python == in_sql, on
    leap = next(p for p in products if p.ocop_decided_on == date(2024, 2, 29))
    assert services.is_eligible(leap, date(2027, 2, 28))
    assert not services.is_eligible(leap, date(2027, 3, 1))


def test_save_product_checks_the_ocop_decision_date(world):
    household = world.household_a
    fields = {"name": "Chè", "ocop_stars": 3}
    with pytest.raises(RuleViolation) as future:
        services.save_product(world.admin, household, None, **fields, ocop_decided_on=TOMORROW)
    assert future.value.field == "ocop_decided_on"
    with pytest.raises(RuleViolation) as other_year:
        services.save_product(
            world.admin, household, None, **fields, ocop_year=2024, ocop_decided_on=date(2023, 5, 2)
        )
    assert other_year.value.field == "ocop_decided_on"
    assert db.session.scalar(select(Product.id).where(Product.name == "Chè")) is None
    product = services.save_product(
        world.admin, household, None, **fields, ocop_decided_on=date(2024, 5, 2)
    )
    assert product.ocop_year == 2024  # the date gives the year
    assert services.ocop_valid_until(product) == date(2027, 5, 1)


def test_save_product_checks_ocop_fields(world):
    household = world.household_a
    with pytest.raises(RuleViolation) as no_year:
        services.save_product(world.admin, household, None, name="Chè", ocop_stars=3)
    assert no_year.value.field == "ocop_year"
    with pytest.raises(RuleViolation):
        services.save_product(
            world.admin, household, None, name="Chè", ocop_stars=9, ocop_year=2024
        )
    product = services.save_product(
        world.admin,
        household,
        None,
        name=" Chè  xanh ",
        ocop_stars=4,
        ocop_year=2024,
        ocop_decision="1234/QĐ-UBND",
    )
    assert (product.name, product.ocop_stars) == ("Chè xanh", 4)
    assert services.is_eligible(product)


def test_a_certification_needs_its_number(world):
    with pytest.raises(RuleViolation):
        services.add_certification(world.admin, world.product_b, kind="haccp", number=" ")
    certification = services.add_certification(
        world.admin, world.product_b, kind="haccp", number="HC-1", expires_on=TOMORROW
    )
    assert certification.kind is CertificationKind.HACCP


def test_listing_is_set_once_per_marketplace_and_can_end(world):
    voso = marketplace("voso")
    listing = services.set_listing(
        world.admin, world.product_b, voso, "https://voso.vn/shop/9", None
    )
    again = services.set_listing(
        world.admin, world.product_b, voso, "https://voso.vn/shop/10", YESTERDAY
    )
    assert again.id == listing.id and again.url == "https://voso.vn/shop/10"
    services.end_listing(world.admin, again)
    assert not again.is_listed
    with pytest.raises(RuleViolation):
        services.set_listing(world.admin, world.product_b, voso, "javascript:alert(1)", None)
    with pytest.raises(RuleViolation):
        services.set_listing(world.admin, world.product_b, voso, "", TOMORROW)


def test_marketplaces_are_data_seeded_by_the_migrations(app):
    assert [m.name for m in services.marketplaces()] == ["Postmart", "Voso"]
    assert marketplace("postmart").operator == "VNPost"
