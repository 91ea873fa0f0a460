"""The household registry without HTTP: search, Vietnamese order, data quality, outreach."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.auth.models import Role
from lms.core.audit import AuditEvent
from lms.core.errors import RuleViolation
from lms.core.models import today
from lms.extensions import db
from lms.households import services
from lms.households.models import (
    Household,
    OutreachChannel,
    OutreachEvent,
    ProductGroup,
    ScaleClass,
)
from lms.households.services import HouseholdFilter
from lms.reports.targets import TargetFilter, dashboard
from tests.builders import make_area, make_classification, make_household, make_user


def names(user, **filters) -> list[str]:
    return [
        h.head_name
        for h in db.session.scalars(services.households_query(user, HouseholdFilter(**filters)))
    ]


def standardised_figure(user, area=None) -> tuple[int, int]:
    """The dashboard's figure: (standardised, all) households in scope, within ``area``."""
    filters = TargetFilter(area_id=area.id if area is not None else None)
    share = dashboard(user, filters).total.shares["standardised"]
    return share.part, share.whole


@pytest.mark.parametrize(
    "query",
    [
        "nguyen thi huong",
        "Nguyễn Thị Hương",
        "NGUYEN THI",
        "thị hương",
        "0912 345 678",
        "+84912345678",
        "912345",
        "1234",
    ],
)
def test_search_ignores_diacritics_case_and_phone_format(world, query):
    assert names(world.admin, q=query) == ["Nguyễn Thị Hương"]


def test_search_never_leaves_the_scope(world):
    assert names(world.official_1, q="tran van duc") == []
    assert names(world.official_2, q="tran van duc") == ["Trần Văn Đức"]


def test_search_treats_wildcards_as_text(world):
    assert names(world.admin, q="%") == [] and names(world.admin, q="_") == []


def test_names_sort_in_vietnamese_order_not_by_code_point(app):
    commune = make_area(parent=make_area())
    for name in (
        "Đặng Văn An",
        "Dương Thị Bé",
        "Ánh Nguyệt",
        "Anh Tuấn",
        "Ông Văn Ba",
        "Ơn Thị Cả",
        "Bùi Văn Dũng",
        "Zô Thị E",
    ):
        make_household(head_name=name, area=commune)
    admin = make_user(Role.ADMIN)
    assert names(admin) == [
        "Ánh Nguyệt",
        "Anh Tuấn",
        "Bùi Văn Dũng",
        "Dương Thị Bé",
        "Đặng Văn An",
        "Ông Văn Ba",
        "Ơn Thị Cả",
        "Zô Thị E",
    ]


def test_quality_problems_and_the_standardised_share(app):
    province = make_area()
    commune = make_area(parent=province)
    old = make_area(parent=province, merged_into_id=commune.id)
    scale, group = make_classification(ScaleClass), make_classification(ProductGroup)
    complete = make_household(area=commune, scale_class_id=scale.id, product_group_id=group.id)
    no_phone = make_household(
        area=commune, phone=None, scale_class_id=scale.id, product_group_id=group.id
    )
    merged = make_household(area=old, scale_class_id=scale.id, product_group_id=group.id)
    on_province = make_household(area=province, scale_class_id=scale.id, product_group_id=group.id)
    unclassified = make_household(area=commune)
    codes = {
        h.id: [c.code for c in services.household_problems(h)]
        for h in (complete, no_phone, merged, on_province, unclassified)
    }
    assert codes == {
        complete.id: [],
        no_phone.id: ["phone_missing"],
        merged.id: ["commune_merged"],
        on_province.id: ["commune_missing"],
        unclassified.id: ["scale_class_missing", "product_group_missing"],
    }
    admin = make_user(Role.ADMIN)
    db.session.commit()  # the dashboard reads on connections of its own
    assert standardised_figure(admin) == (1, 5)
    # the household of the merged legacy commune counts in the commune that took it over
    assert standardised_figure(admin, commune) == (1, 4)
    assert names(admin, quality="ok") == [complete.head_name]
    assert len(names(admin, quality="problems")) == 4


def test_sql_and_python_quality_rules_agree(world):
    from lms.households.services import QUALITY_CHECKS

    db.session.execute(
        Household.__table__.update()
        .where(Household.id == world.household_a.id)
        .values(national_id="12345")
    )
    db.session.expire_all()
    for check in QUALITY_CHECKS:
        flagged_sql = set(db.session.scalars(select(Household.id).where(check.sql())))
        flagged_python = {h.id for h in db.session.scalars(select(Household)) if check.test(h)}
        assert flagged_sql == flagged_python, check.code


def test_create_household_standardises_and_audits(world):
    household = services.create_household(
        world.official_1,
        head_name="  Lê  Thị Ngọc Ánh ",
        phone="+84 358 123 456",
        national_id="040 186 009 999",
        area_id=world.commune_1.id,
        village="Xóm Đông",
    )
    assert (household.head_name, household.name_key, household.phone, household.national_id) == (
        "Lê Thị Ngọc Ánh",
        "le thi ngoc anh",
        "0358123456",
        "040186009999",
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "household.create"))
    assert event.actor_id == world.official_1.id and event.after["phone"] == "0358123456"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"head_name": " "}, "head_name"),
        ({"phone": "12345"}, "phone"),
        ({"national_id": "12345"}, "national_id"),
        ({"area_id": None}, "area_id"),
        ({"phone": "0912 345 678"}, None),  # household A's phone
    ],
)
def test_create_household_refuses_bad_input_and_writes_nothing(world, fields, field):
    before = db.session.scalar(select(func.count()).select_from(Household))
    with pytest.raises(RuleViolation) as refused:
        services.create_household(
            world.admin, **{"head_name": "Hộ Mới", "area_id": world.commune_1.id, **fields}
        )
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Household)) == before


@pytest.mark.parametrize(
    "name", ["Lò Văn Páo", "H'Hen Niê", "Y Ngọc K’Bang", "Nguyễn-Trần Thị Ánh", "Lê Văn Tèo Jr."]
)
def test_a_name_of_letters_spaces_hyphens_apostrophes_and_dots_is_kept(world, name):
    household = services.create_household(world.admin, head_name=name, area_id=world.commune_1.id)
    assert household.head_name == name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Nguyễn Văn An 😀", "“😀”"),
        ("阮 Thị Hương", "“阮”"),
        ("Trần Văn 2", "“2”"),
        ("Lê <b>Hoa</b>", "“< > /”"),
        ("...", "phải có chữ cái"),
    ],
)
def test_a_name_with_characters_no_name_holds_is_refused_saying_which(world, name, shown):
    with pytest.raises(RuleViolation) as refused:
        services.create_household(world.admin, head_name=name, area_id=world.commune_1.id)
    assert refused.value.field == "head_name" and shown in str(refused.value.message)
    with pytest.raises(RuleViolation):
        services.update_household(world.admin, world.household_a, head_name=name)
    db.session.expire_all()
    assert world.household_a.head_name == "Nguyễn Thị Hương"


def test_an_official_cannot_put_a_household_in_another_commune(world):
    with pytest.raises(RuleViolation) as refused:
        services.create_household(world.official_1, head_name="Hộ Mới", area_id=world.commune_2.id)
    assert refused.value.field == "area_id"


def test_a_household_cannot_be_put_in_a_merged_commune(world):
    old = make_area(
        parent=world.province, name="Phường Bến Thủy", merged_into_id=world.commune_1.id
    )
    with pytest.raises(RuleViolation) as refused:
        services.create_household(world.admin, head_name="Hộ Mới", area_id=old.id)
    assert "đã sáp nhập vào Xã Diễn Châu" in str(refused.value.message)


def test_update_household_records_only_real_changes(world):
    services.update_household(
        world.admin, world.household_a, head_name="Nguyễn Thị Hương", village="Xóm 3"
    )
    services.update_household(
        world.admin, world.household_a, head_name="Nguyễn Thị Hương", village="Xóm 3"
    )
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "household.update")
    ).all()
    assert len(events) == 1 and events[0].after["village"] == "Xóm 3"


def test_outreach_is_recorded_once_per_day_and_channel(world):
    households = [world.household_a, world.household_b]
    day = today()
    assert services.record_outreach(world.admin, households, day, OutreachChannel.ZALO) == 2
    assert services.record_outreach(world.admin, households, day, OutreachChannel.ZALO) == 0
    assert services.record_outreach(world.admin, households[:1], day, OutreachChannel.MEETING) == 1
    assert db.session.scalar(select(func.count()).select_from(OutreachEvent)) == 3
    assert names(world.admin, informed="yes") == ["Nguyễn Thị Hương", "Trần Văn Đức"]


def test_outreach_cannot_be_dated_in_the_future(world):
    with pytest.raises(RuleViolation):
        services.record_outreach(
            world.admin, [world.household_a], today() + timedelta(days=1), OutreachChannel.ZALO
        )
    assert names(world.admin, informed="no") == ["Nguyễn Thị Hương", "Trần Văn Đức"]


def test_filters_by_commune_and_classification(world):
    group = make_classification(ProductGroup, name="Chè")
    world.household_b.product_group_id = group.id
    db.session.commit()
    assert names(world.admin, area_id=world.commune_1.id) == ["Nguyễn Thị Hương"]
    assert names(world.admin, area_id=world.province.id) == ["Nguyễn Thị Hương", "Trần Văn Đức"]
    assert names(world.admin, product_group_id=group.id) == ["Trần Văn Đức"]


def test_classifications_have_unique_codes(world):
    seeded = db.session.scalar(select(func.count()).select_from(ScaleClass))
    services.save_classification(world.admin, ScaleClass, None, code="NHO", name="Hộ nhỏ")
    with pytest.raises(RuleViolation):
        services.save_classification(world.admin, ScaleClass, None, code="nho", name="Trùng")
    with pytest.raises(RuleViolation):
        services.save_classification(world.admin, ScaleClass, None, code="ho-nho", name="Trùng")
    assert db.session.scalar(select(func.count()).select_from(ScaleClass)) == seeded + 1
