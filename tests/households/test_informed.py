"""``Household.is_informed`` is derived, never set by hand: every writer of outreach or
attendance keeps it equal to the rule it stands for (``informed_by_records``)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from lms.attendance import services as attendance
from lms.attendance.models import EnrolmentSource, MarkStatus
from lms.core.models import today, utcnow
from lms.extensions import db
from lms.households import importing
from lms.households.models import Household, OutreachChannel
from lms.households.services import informed_by_records, record_outreach
from tests.builders import load_shipped_courses, make_import

P, L, A = MarkStatus.PRESENT, MarkStatus.LATE, MarkStatus.ABSENT


def informed() -> dict[str, bool]:
    """Every household's stored fact, by name, once checked against the rule."""
    db.session.expire_all()
    rows = db.session.execute(
        select(Household.head_name, Household.is_informed, informed_by_records())
    ).all()
    assert [bool(stored) for _, stored, _ in rows] == [bool(rule) for _, _, rule in rows], rows
    return {name: bool(stored) for name, stored, _ in rows}


def test_a_new_household_is_not_informed(world):
    assert informed() == {"Nguyễn Thị Hương": False, "Trần Văn Đức": False}


def test_recorded_outreach_informs(world):
    record_outreach(world.official_1, [world.household_a], today(), OutreachChannel.ZALO)
    assert informed() == {"Nguyễn Thị Hương": True, "Trần Văn Đức": False}


def test_an_imported_outreach_date_informs(world):
    record = make_import(
        world.admin,
        "Họ và tên,Số điện thoại,Xã/Phường,Ngày tuyên truyền\n"
        "Trần Văn Đức,0987654321,Xã Yên Thành,01/02/2026\n"
        "Lê Văn Mới,0933333333,Xã Yên Thành,\n",
    )
    result = importing.commit_import(world.admin, record)
    assert (result.counts["new"], result.counts["duplicate"]) == (1, 1)  # Đức is registered
    assert informed() == {"Nguyễn Thị Hương": False, "Trần Văn Đức": True, "Lê Văn Mới": False}


def test_marks_inform_and_a_corrected_mark_takes_it_back(world):
    session = world.session_x
    session.starts_at = utcnow() - timedelta(hours=1)
    attendance.enrol(
        world.trainer_x, session, [world.household_a, world.household_b], EnrolmentSource.SEARCH
    )
    a, b = world.household_a.id, world.household_b.id
    attendance.record_marks(world.trainer_x, session, {a: (None, P), b: (None, A)})
    assert informed() == {"Nguyễn Thị Hương": True, "Trần Văn Đức": False}
    attendance.record_marks(world.trainer_x, session, {a: (P, A), b: (A, L)})
    assert informed() == {"Nguyễn Thị Hương": False, "Trần Văn Đức": True}


def test_a_corrected_mark_leaves_outreach_standing(world):
    session = world.session_x
    session.starts_at = utcnow() - timedelta(hours=1)
    attendance.enrol(world.trainer_x, session, [world.household_a], EnrolmentSource.SEARCH)
    record_outreach(world.official_1, [world.household_a], today(), OutreachChannel.MEETING)
    a = world.household_a.id
    attendance.record_marks(world.trainer_x, session, {a: (None, P)})
    attendance.record_marks(world.trainer_x, session, {a: (P, A)})
    assert informed()["Nguyễn Thị Hương"] is True


def test_checking_in_informs(world):
    session = world.session_x
    session.starts_at, session.ends_at = (
        utcnow() - timedelta(hours=1),
        utcnow() + timedelta(hours=1),
    )
    session.checkin_code = "135790"
    db.session.commit()
    attendance.self_check_in(world.member_a, "135790")
    assert informed() == {"Nguyễn Thị Hương": True, "Trần Văn Đức": False}


def test_the_demo_and_the_generated_province_keep_the_facts(app):
    """Informed, and (kept the same way by the certificates) the day of the valid certificate."""
    from lms.certificates.models import Certificate, CertificateStatus
    from lms.demo.data import load_demo_data
    from lms.demo.generate import generate_province
    from lms.demo.training import generate_training

    load_shipped_courses()
    load_demo_data()
    generate_province(300, seed=7)
    generate_training(seed=7)
    facts = informed()
    assert 0 < sum(facts.values()) < len(facts)
    valid_day = (
        select(func.max(Certificate.issued_on))
        .where(
            Certificate.household_id == Household.id,
            Certificate.status == CertificateStatus.VALID,
        )
        .scalar_subquery()
    )
    kept = db.session.execute(select(Household.certified_on, valid_day)).all()
    assert all(stored == rule for stored, rule in kept)
    assert 0 < sum(stored is not None for stored, _ in kept) < len(kept)
