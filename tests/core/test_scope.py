"""Scope (DESIGN §4 rule 4): every role sees exactly its own part of the data."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from lms.attendance.models import ClassSession
from lms.core.scope import get_or_404, visible_households, visible_sessions
from lms.extensions import db
from lms.households.models import Household


def _visible(model, clause) -> set[str]:
    rows = db.session.scalars(select(model).where(clause))
    return {getattr(row, "head_name", None) or row.title for row in rows}


@pytest.mark.parametrize(
    ("actor", "households"),
    [
        ("admin", {"Nguyễn Thị Hương", "Trần Văn Đức"}),
        ("official_province", {"Nguyễn Thị Hương", "Trần Văn Đức"}),
        ("official_1", {"Nguyễn Thị Hương"}),
        ("official_2", {"Trần Văn Đức"}),
        ("trainer_x", {"Nguyễn Thị Hương", "Trần Văn Đức"}),
        ("member_a", {"Nguyễn Thị Hương"}),
        ("member_b", {"Trần Văn Đức"}),
    ],
)
def test_each_role_sees_its_households(world, actor, households):
    user = getattr(world, actor)
    assert _visible(Household, visible_households(user)) == households


@pytest.mark.parametrize(
    ("actor", "sessions"),
    [
        ("admin", {"Lớp Diễn Châu", "Lớp Yên Thành"}),
        ("official_province", {"Lớp Diễn Châu", "Lớp Yên Thành"}),
        ("official_1", {"Lớp Diễn Châu"}),
        ("official_2", {"Lớp Yên Thành"}),
        ("trainer_x", {"Lớp Diễn Châu"}),
        ("trainer_y", {"Lớp Yên Thành"}),
        ("member_a", set()),
    ],
)
def test_each_role_sees_its_sessions(world, actor, sessions):
    user = getattr(world, actor)
    assert _visible(ClassSession, visible_sessions(user)) == sessions


def test_a_trainer_of_another_area_sees_nothing_there(world):
    from lms.auth.models import Role
    from tests.builders import make_area, make_user

    elsewhere = make_area(code="38", name="Tỉnh Hà Tĩnh")
    trainer = make_user(Role.TRAINER, area=elsewhere, organisation=world.org_x)
    assert _visible(Household, visible_households(trainer)) == set()
    assert _visible(ClassSession, visible_sessions(trainer)) == set()


def test_get_or_404_fetches_in_scope(world):
    assert get_or_404(Household, world.household_a.id, world.official_1) is world.household_a


@pytest.mark.parametrize(
    ("actor", "model", "record"),
    [
        ("official_1", Household, "household_b"),
        ("member_a", Household, "household_b"),
        ("trainer_x", ClassSession, "session_y"),
        ("official_2", ClassSession, "session_x"),
    ],
)
def test_get_or_404_refuses_out_of_scope_ids(world, actor, model, record):
    with pytest.raises(NotFound):
        get_or_404(model, getattr(world, record).id, getattr(world, actor))


def test_get_or_404_on_a_missing_id(world):
    with pytest.raises(NotFound):
        get_or_404(Household, 999_999, world.admin)


def test_a_household_sees_the_sessions_it_is_enrolled_in(world):
    from lms.attendance.models import AttendanceMark, EnrolmentSource

    assert _visible(ClassSession, visible_sessions(world.member_b)) == set()
    db.session.add(
        AttendanceMark(
            session_id=world.session_y.id,
            household_id=world.household_b.id,
            source=EnrolmentSource.SEARCH,
        )
    )
    db.session.commit()
    assert _visible(ClassSession, visible_sessions(world.member_b)) == {"Lớp Yên Thành"}
    assert _visible(ClassSession, visible_sessions(world.member_a)) == set()


def test_communes_in_scope_lists_current_communes_in_order(world):
    from lms.areas.models import AreaLevel
    from lms.core.scope import communes_in_scope
    from tests.builders import make_area

    make_area(parent=world.province, name="Phường Cũ", merged_into_id=world.commune_1.id)
    assert [a.name for a in communes_in_scope(world.official_1)] == ["Xã Diễn Châu"]
    assert [a.name for a in communes_in_scope(world.admin)] == ["Xã Diễn Châu", "Xã Yên Thành"]
    assert all(a.level is AreaLevel.COMMUNE for a in communes_in_scope(world.trainer_x))
