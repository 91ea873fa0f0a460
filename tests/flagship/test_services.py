"""Choosing flagship products within the plan's bounds, audited, and what the registry says of
them: an expired rating or certification is shown expired, an ineligible listing is not linked."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.core.audit import AuditEvent
from lms.core.errors import RuleViolation
from lms.core.models import today
from lms.extensions import db
from lms.flagship import services
from lms.flagship.models import FlagshipProduct
from tests.builders import make_user
from tests.flagship.helpers import SLUGS, choose_all, load_shipped, make_registry


def count_flagships() -> int:
    return db.session.scalar(select(func.count(FlagshipProduct.id)))


def test_a_province_official_chooses_and_each_choice_is_audited(world):
    stories, _registry = load_shipped(), make_registry(world)
    chosen = choose_all(stories, world.official_province)
    assert [f.chosen_by_id for f in chosen] == [world.official_province.id] * 3
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "flagship.choose").order_by(AuditEvent.id)
    ).all()
    assert [e.actor_id for e in events] == [world.official_province.id] * 3
    assert events[0].after == {
        "province": "40",
        "year": today().year,
        "story": "che-xanh-dien-chau",
        "product_name": "Chè xanh Diễn Châu",
    }
    services.withdraw_flagship(world.admin, chosen[0])
    withdrawn = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "flagship.withdraw")
    )
    assert withdrawn.actor_id == world.admin.id
    assert withdrawn.before["story"] == "che-xanh-dien-chau"


@pytest.mark.parametrize("actor", ["official_1", "official_2", "trainer_x", "member_a"])
def test_only_admins_and_the_province_officials_choose(world, actor):
    stories, _registry = load_shipped(), make_registry(world)
    with pytest.raises(RuleViolation, match="quản trị viên hoặc cán bộ quản lý của tỉnh"):
        services.choose_flagship(getattr(world, actor), stories["tuong-nam-dan"], today().year)
    assert count_flagships() == 0


def test_the_list_is_public_only_from_the_minimum(world):
    stories, _registry = load_shipped(), make_registry(world)
    first, second = (
        services.choose_flagship(world.admin, stories[slug], today().year) for slug in SLUGS[:2]
    )
    assert services.public_flagships() == []
    assert services.public_flagship("che-xanh-dien-chau") is None
    services.choose_flagship(world.admin, stories[SLUGS[2]], today().year)
    assert len(services.public_flagships()) == 3
    assert services.public_flagship("che-xanh-dien-chau").id == first.id
    services.withdraw_flagship(world.admin, second)
    assert services.public_flagships() == []


def test_the_maximum_is_refused_and_writes_nothing(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "FLAGSHIP_MAX_PER_YEAR", 2)
    stories, _registry = load_shipped(), make_registry(world)
    for slug in SLUGS[:2]:
        services.choose_flagship(world.admin, stories[slug], today().year)
    with pytest.raises(RuleViolation, match="tối đa 2 sản phẩm tiêu biểu"):
        services.choose_flagship(world.admin, stories[SLUGS[2]], today().year)
    assert count_flagships() == 2
    events = select(func.count(AuditEvent.id)).where(AuditEvent.action == "flagship.choose")
    assert db.session.scalar(events) == 2


def test_the_minimum_is_configurable(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "FLAGSHIP_MIN_PER_YEAR", 1)
    stories, _registry = load_shipped(), make_registry(world)
    services.choose_flagship(world.admin, stories["tuong-nam-dan"], today().year)
    assert [f.slug for f in services.public_flagships()] == ["tuong-nam-dan"]


def test_a_product_twice_a_product_the_registry_lacks_and_a_far_year_are_refused(world):
    stories = load_shipped()
    with pytest.raises(RuleViolation, match="Chưa hộ nào của tỉnh có sản phẩm tên"):
        services.choose_flagship(world.admin, stories["tuong-nam-dan"], today().year)
    make_registry(world)
    services.choose_flagship(world.admin, stories["tuong-nam-dan"], today().year)
    with pytest.raises(RuleViolation, match="đã là sản phẩm tiêu biểu"):
        services.choose_flagship(world.admin, stories["tuong-nam-dan"], today().year)
    with pytest.raises(RuleViolation, match="năm nay, năm trước hoặc năm sau"):
        services.choose_flagship(world.admin, stories["tuong-nam-dan"], today().year + 3)
    assert count_flagships() == 1


def test_facts_come_from_the_registry_with_their_validity(world):
    stories, _registry = load_shipped(), make_registry(world)
    tea, honey, sauce = choose_all(stories)
    facts = services.facts_of(tea)
    assert [(r.stars, r.is_current) for r in facts.ratings] == [(3, True), (4, False)]
    assert [s.url for s in facts.shops] == ["https://postmart.vn/shop/che-xanh-dien-chau"]
    assert facts.communes == {"Xã Diễn Châu": 2}
    honey_facts = services.facts_of(honey)
    assert [(c.label, c.is_valid) for c in honey_facts.certifications] == [("VietGAP", True)]
    assert [s.marketplace for s in honey_facts.shops] == ["Voso"]
    sauce_facts = services.facts_of(sauce)
    assert [c.is_valid for c in sauce_facts.certifications] == [False]
    # the sauce is still listed, but its only certification expired: the listing is not linked
    assert sauce_facts.shops == [] and sauce_facts.hidden_listings == 1


def test_a_delisted_shop_is_not_linked_and_the_count_of_listed_follows(world):
    stories, registry = load_shipped(), make_registry(world)
    choose_all(stories)
    assert services.count_listed(world.province, today().year) == 2  # tea and honey
    registry.honey.listings[0].delisted_on = today()
    db.session.commit()
    assert services.count_listed(world.province, today().year) == 1
    honey = services.public_flagship("mat-ong-rung-yen-thanh")
    assert services.facts_of(honey).shops == []


def test_officials_see_the_producers_of_their_scope_with_training_and_shops(world):
    stories, _registry = load_shipped(), make_registry(world)
    tea = choose_all(stories)[0]
    rows = services.producers(world.official_province, tea)
    assert [r.household.head_name for r in rows] == ["Lê Văn Hàng Xóm", "Nguyễn Thị Hương"]
    assert [len(r.listings) for r in rows] == [0, 1]
    assert all(not r.attended and r.certified_on is None for r in rows)
    assert services.producers(world.official_2, tea) == []
    assert services.producers(make_user(), tea)  # an admin sees all


def test_a_rating_is_current_until_its_last_day_when_its_decision_date_is_known(app):
    from datetime import date

    from lms.products.models import Product

    dated = Product(ocop_stars=3, ocop_year=2024, ocop_decided_on=date(2024, 3, 15))
    assert services.is_rating_current(dated, date(2027, 3, 14))
    assert not services.is_rating_current(dated, date(2027, 3, 15))
    undated = Product(ocop_stars=3, ocop_year=2024)  # the year rule: to the end of 2026
    assert services.is_rating_current(undated, date(2026, 12, 31))
    assert not services.is_rating_current(undated, date(2027, 1, 1))
