"""``flask demo generate``: a synthetic province that looks real, the same for the same seed."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from lms.areas.models import Area, AreaLevel
from lms.core.models import today
from lms.core.text import fold, normalize_phone
from lms.demo.generate import CATALOGUE, PRODUCT_GROUPS, SCALE_CLASSES, generate_province
from lms.extensions import db
from lms.households import defaults
from lms.households.models import Household, OutreachEvent, ProductGroup, ScaleClass
from lms.products.models import Certification, CertificationKind, Listing, Product
from lms.products.services import eligible_clause


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _households() -> list[Household]:
    return list(db.session.scalars(select(Household).order_by(Household.id)))


def _is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


def test_households_are_valid_and_in_current_communes(app):
    report = generate_province(300, seed=11)

    households = _households()
    assert report.households == len(households) == 300
    phones = [h.phone for h in households if h.phone]
    assert len(phones) == len(set(phones)) >= 280
    assert all(normalize_phone(phone) == phone for phone in phones)
    national_ids = [h.national_id for h in households if h.national_id]
    assert len(national_ids) == len(set(national_ids))
    assert 0.45 < len(national_ids) / 300 < 0.75
    assert all(re.fullmatch(r"040[0-3]\d{8}", nid) for nid in national_ids)
    for household in households:
        assert household.name_key == fold(household.head_name)
        assert _is_nfc(household.head_name) and _is_nfc(household.village)
        assert len(household.head_name.split()) >= 3 and household.village
    women = [h for h in households if " Thị " in h.head_name]
    assert women and all(h.national_id[3] in "13" for h in women if h.national_id)

    province = db.session.scalar(select(Area).where(Area.code == "40"))
    areas = {h.area for h in households}
    assert all(
        area.level is AreaLevel.COMMUNE
        and not area.is_merged
        and area.path.startswith(province.path)
        for area in areas
    )
    assert len(areas) > 50


def _snapshot() -> list[tuple]:
    rows = db.session.execute(
        select(Household.head_name, Household.phone, Household.national_id, Household.village)
    )
    products = db.session.execute(select(Product.name, Product.ocop_stars))
    return sorted(map(tuple, rows), key=str) + sorted(map(tuple, products), key=str)


def _empty_generated() -> None:
    for model in (OutreachEvent, Listing, Certification, Product, Household):
        db.session.execute(delete(model))
    db.session.commit()


def test_the_same_seed_gives_the_same_data(app):
    generate_province(200, seed=5)
    first = _snapshot()
    _empty_generated()

    generate_province(200, seed=5)
    assert _snapshot() == first
    _empty_generated()

    generate_province(200, seed=6)
    assert _snapshot() != first


def test_runs_stack_without_collisions_or_duplicate_classes(app):
    seeded = {code for code, _ in (*defaults.SCALE_CLASSES, *defaults.PRODUCT_GROUPS)}
    demo = {code for code, _ in (*SCALE_CLASSES, *PRODUCT_GROUPS)}
    first = generate_province(150, seed=1)
    assert first.areas_created == 146
    assert first.classes_created == len(demo - seeded)  # the seeded ones are reused

    # the same seed again would draw the same phones and CCCDs: they must be drawn anew
    again = generate_province(150, seed=1)
    other = generate_province(150, seed=2)
    assert (again.areas_created, again.classes_created, other.classes_created) == (0, 0, 0)

    households = _households()
    assert len(households) == 450
    phones = [h.phone for h in households if h.phone]
    national_ids = [h.national_id for h in households if h.national_id]
    assert len(phones) == len(set(phones)) and len(national_ids) == len(set(national_ids))
    assert _count(ScaleClass) == len(defaults.SCALE_CLASSES)
    assert _count(ProductGroup) == len({c for c, _ in (*defaults.PRODUCT_GROUPS, *PRODUCT_GROUPS)})


def test_products_listings_and_outreach_look_like_a_province(app):
    report = generate_province(2000, seed=2026)
    statement = select(Household).options(
        selectinload(Household.products), selectinload(Household.product_group)
    )
    households = list(db.session.scalars(statement))

    unclassified = [h for h in households if h.scale_class_id is None]
    assert all(h.product_group_id is None for h in unclassified)
    assert 0.05 < len(unclassified) / 2000 < 0.15

    by_commune = Counter(h.area_id for h in households)
    assert max(by_commune.values()) > 5 * min(by_commune.values())
    assert any(h.village.startswith("Bản ") for h in households)

    with_products = [h for h in households if h.products]
    assert 0.14 < len(with_products) / 2000 < 0.27
    assert all(1 <= len(h.products) <= 3 for h in with_products)
    products = [p for h in with_products for p in h.products]
    assert report.products == len(products) == _count(Product)
    for household in with_products:
        for product in household.products:
            assert _is_nfc(product.name)
            if household.product_group is not None:  # linked to the right household
                names = [name for name, _, _ in CATALOGUE[household.product_group.code]]
                assert product.name.startswith(tuple(names))

    stars = Counter(p.ocop_stars for p in products)
    assert set(stars) <= {0, 3, 4, 5}
    assert stars[0] > stars[3] > stars[4] > stars[5]
    for product in products:
        if product.ocop_stars:
            assert 2019 <= product.ocop_year <= 2025
            assert re.fullmatch(r"\d+/QĐ-[A-ZĐ-]+", product.ocop_decision)
        else:
            assert product.ocop_year is None and product.ocop_decision == ""

    certifications = list(db.session.scalars(select(Certification)))
    assert 0.08 < len(certifications) / len(products) < 0.25
    kinds = Counter(c.kind for c in certifications)
    assert kinds.most_common(1)[0][0] is CertificationKind.VIETGAP
    expiries = [c.expires_on for c in certifications if c.expires_on]
    assert min(expiries) < today() < max(expiries)

    listings = list(db.session.scalars(select(Listing)))
    assert {listing.marketplace.code for listing in listings} == {"postmart", "voso"}
    not_eligible = select(func.count()).select_from(Listing).join(Product)
    assert db.session.scalar(not_eligible.where(~eligible_clause())) == 0
    for listing in listings:
        assert today() - timedelta(days=730) <= listing.listed_on <= today()
        assert listing.url.startswith("https://") and listing.url.endswith(f"-{listing.product_id}")

    informed = Counter(event.household_id for event in db.session.scalars(select(OutreachEvent)))
    assert 0.5 < len(informed) / 2000 < 0.7
    assert 2 in informed.values()
    assert report.outreach_events == sum(informed.values())


def test_generate_command_prints_what_it_made(app):
    result = app.test_cli_runner().invoke(
        args=["demo", "generate", "--households", "40", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "Created 40 households" in result.output
    assert "products" in result.output and "outreach events" in result.output
    assert re.search(r"Done in \d+\.\d s", result.output)
    assert _count(Household) == 40


def test_generate_command_refuses_impossible_sizes(app):
    runner = app.test_cli_runner()
    for size in ("0", "2000001"):
        result = runner.invoke(args=["demo", "generate", "--households", size])
        assert result.exit_code == 2 and "--households" in result.output
    assert runner.invoke(args=["demo", "generate"]).exit_code == 2
    assert _count(Household) == 0
