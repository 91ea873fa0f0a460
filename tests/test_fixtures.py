"""The suite's own shortcuts keep to what they stand for: a test run ``rolled_back`` leaves
nothing behind, on SQLite as on PostgreSQL, each test sharing a world sees it as it was
built, and the ``courses`` fixture's copy of a load is what loading the files writes."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.auth.models import User
from lms.extensions import db
from lms.households.models import Household
from tests.builders import load_shipped_courses
from tests.conftest import _empty_database, shipped_courses, written_at


def committed_names() -> set[str]:
    """The households' names as another connection sees them: what is really committed."""
    with db.engine.connect() as connection:
        return set(connection.scalars(select(Household.head_name)))


def test_a_commit_inside_only_releases_a_savepoint(shared_world, rolled_back):
    household_id = shared_world.household_a.id
    shared_world.household_a.head_name = "Tên đã đổi"
    db.session.commit()
    assert db.session.get(Household, household_id).head_name == "Tên đã đổi"
    assert committed_names() == {"Nguyễn Thị Hương", "Trần Văn Đức"}

    rolled_back.end()  # as between two tests
    rolled_back.begin()
    assert db.session.get(Household, household_id).head_name == "Nguyễn Thị Hương"


def test_a_rollback_inside_keeps_what_the_test_committed_before(shared_world):
    household = shared_world.household_b
    household.head_name = "Lần một"
    db.session.commit()
    household.head_name = "Lần hai"
    db.session.flush()
    db.session.rollback()
    assert household.head_name == "Lần một"


def test_the_shared_rows_load_what_they_refer_to(shared_world):
    assert shared_world.household_a.area.name == "Xã Diễn Châu"
    assert shared_world.member_b.household is shared_world.household_b


def test_what_a_request_commits_stays_in_the_test(shared_world, client_for):
    official_id = shared_world.official_2.id
    response = client_for(shared_world.admin).post(
        f"/users/{official_id}/deactivate", data={"confirmed": "1"}
    )
    assert response.status_code == 302
    assert db.session.get(User, official_id).is_active is False
    with db.engine.connect() as connection:
        assert connection.scalar(select(User.is_active).where(User.id == official_id)) is True


def test_a_test_that_commits_for_real_starts_from_empty_tables(app):
    """After the tests above, whose world is still committed."""
    assert db.session.scalar(select(func.count()).select_from(Household)) == 0


def every_row() -> dict[str, list[tuple]]:
    """Each table's rows, but for the times rows were written at."""
    rows = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.c if c not in written_at(table)]
        statement = select(*columns).order_by(*table.primary_key.columns)
        rows[table.name] = [tuple(row) for row in db.session.execute(statement)]
    return rows


def test_the_courses_fixture_writes_what_loading_the_shipped_courses_writes(app):
    load_shipped_courses()
    loaded = every_row()
    assert loaded["lessons"] and loaded["questions"]
    for _ in range(2):  # the first may be the run's first load, the second copies one
        _empty_database(app)
        assert [course.slug for course in shipped_courses()] == [
            "ban-hang-truc-tuyen",
            "thanh-toan-an-toan",
            "tai-khoan-postmart-voso",
        ]
    assert every_row() == loaded
