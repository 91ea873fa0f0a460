"""Products: the "eligible to list" rule (in Python and SQL), products, certifications, listings."""

from __future__ import annotations

from datetime import timedelta

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
