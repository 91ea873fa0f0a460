"""Builders for the flagship tests: the shipped stories loaded, and a province whose
households make their products (rated, certified, listed) as the registry holds them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from lms.core.models import today
from lms.extensions import db
from lms.flagship import services
from lms.flagship.loading import load_stories
from lms.flagship.models import FlagshipStory
from lms.products.models import CertificationKind, Product
from tests.builders import (
    make_certification,
    make_household,
    make_listing,
    make_product,
    marketplace,
)

SHIPPED = Path(__file__).resolve().parents[2] / "flagship"
SLUGS = ("che-xanh-dien-chau", "mat-ong-rung-yen-thanh", "tuong-nam-dan")


@dataclass
class Registry:
    tea: Product
    tea_old: Product
    honey: Product
    sauce: Product


def load_shipped() -> dict[str, FlagshipStory]:
    report = load_stories(SHIPPED)
    assert report.ok, report.problems
    return {slug: services.get_story(slug) for slug in SLUGS}


def make_registry(world) -> Registry:
    """Tea made by household A (Diễn Châu, OCOP 3 stars of last year, listed on Postmart) and by
    a second household (OCOP 4 stars of long ago, expired); honey by household B (VietGAP valid,
    listed on Voso); sauce by a third (certificate expired, still listed: not eligible)."""
    days = timedelta(days=1)
    year = today().year
    tea = make_product(
        household=world.household_a, name="Chè xanh Diễn Châu", ocop_stars=3, ocop_year=year - 1
    )
    make_listing(product=tea, url="https://postmart.vn/shop/che-xanh-dien-chau")
    neighbour = make_household(
        head_name="Lê Văn Hàng Xóm", phone="0911222333", national_id="040090009999",
        area=world.commune_1,
    )  # fmt: skip
    tea_old = make_product(
        household=neighbour, name="Chè xanh Diễn Châu", ocop_stars=4, ocop_year=year - 5
    )
    honey = make_product(household=world.household_b, name="Mật ong rừng Yên Thành")
    make_certification(
        product=honey, kind=CertificationKind.VIETGAP, issuer="Sở Nông nghiệp Nghệ An",
        expires_on=today() + 300 * days,
    )  # fmt: skip
    make_listing(product=honey, marketplace=marketplace("voso"), url="https://voso.vn/shop/mat-ong")
    maker = make_household(head_name="Phan Văn Tương", phone="0933444555", area=world.commune_2)
    sauce = make_product(household=maker, name="Tương Nam Đàn")
    make_certification(
        product=sauce, kind=CertificationKind.FOOD_SAFETY, expires_on=today() - 30 * days
    )
    make_listing(product=sauce, url="https://postmart.vn/shop/tuong-het-han")
    db.session.commit()
    return Registry(tea, tea_old, honey, sauce)


def choose_all(stories: dict[str, FlagshipStory], actor=None) -> list:
    return [services.choose_flagship(actor, stories[slug], today().year) for slug in SLUGS]
