"""Sessions, rosters and marks without HTTP: rules, locking, audit, self check-in."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.attendance import services
from lms.attendance.models import AttendanceMark, ClassSession, EnrolmentSource, MarkStatus
from lms.auth.models import Role
from lms.core.audit import AuditEvent
from lms.core.errors import RuleViolation
from lms.core.models import utcnow
from lms.extensions import db
from lms.households.models import Household
from tests.builders import make_household, make_user

P, L, A, E = MarkStatus.PRESENT, MarkStatus.LATE, MarkStatus.ABSENT, MarkStatus.EXCUSED


@pytest.fixture
def running(world):
    """Session X, running now, with household A and two more on its roster."""
    session = world.session_x
    session.starts_at, session.ends_at = (
        utcnow() - timedelta(hours=1),
        utcnow() + timedelta(hours=2),
    )
    session.checkin_code = "135790"
    others = [
        make_household(
            head_name=f"Hộ Diễn Châu {n}", phone=f"09130000{n:02d}", area=world.commune_1
        )
        for n in (1, 2)
    ]
    services.enrol(world.trainer_x, session, [world.household_a, *others], EnrolmentSource.SEARCH)
    db.session.commit()
    return session


@pytest.fixture
def walk_in(world):
    """A member of a household of session X's commune (Diễn Châu) that is not on its roster."""
    household = make_household(head_name="Hộ Vãng Lai", phone="0913000099", area=world.commune_1)
    member = make_user(Role.HOUSEHOLD, household=household)
    db.session.commit()
    return member


def marks_of(session) -> dict[str, MarkStatus | None]:
    db.session.expire_all()
    return {m.household.head_name: m.status for m in db.session.get(ClassSession, session.id).marks}


def test_a_trainer_plans_a_session_with_a_checkin_code(world):
    from tests.builders import load_shipped_courses

    courses = load_shipped_courses()
    starts = utcnow() + timedelta(days=2)
    session = services.save_session(
        world.trainer_x,
        None,
        courses[:2],
        title=" Lớp  Diễn Châu 2 ",
        place="Hội trường",
        area_id=world.commune_1.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=40,
        co_trainer_id=None,
        description="",
    )
    assert (session.title, session.organisation_id, len(session.checkin_code)) == (
        "Lớp Diễn Châu 2",
        world.org_x.id,
        6,
    )
    assert [c.slug for c in session.courses] == [c.slug for c in courses[:2]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"place": " "}, "place"),
        ({"hours": -1}, "ends_at"),
        ({"hours": 30}, "ends_at"),
        ({"area": "commune_2"}, "area_id"),
        ({"area": "province"}, "area_id"),
        ({"courses": []}, "course_ids"),
    ],
)
def test_planning_rules(world, change, field):
    from tests.builders import load_shipped_courses

    courses = load_shipped_courses()
    starts = utcnow() + timedelta(days=1)
    area = getattr(world, change.get("area", "commune_1"))
    fields = dict(
        title=change.get("title", "Lớp"),
        place=change.get("place", "Hội trường"),
        area_id=area.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=change.get("hours", 3)),
        capacity=None,
        co_trainer_id=None,
        description="",
    )
    # a trainer of commune 1 may not plan a session in commune 2
    commune_trainer = make_user(
        world.trainer_x.role, area=world.commune_1, organisation=world.org_x
    )
    with pytest.raises(RuleViolation) as refused:
        services.save_session(commune_trainer, None, change.get("courses", courses), **fields)
    assert refused.value.field == (field or "area_id")
    assert db.session.scalar(select(func.count()).select_from(ClassSession)) == 2  # the world's own


def test_enrolling_twice_keeps_one_row_and_capacity_holds(running, world):
    report = services.enrol(world.trainer_x, running, [world.household_a], EnrolmentSource.SEARCH)
    assert report.already == [world.household_a] and report.added == []
    running.capacity = 3
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.enrol(
            world.trainer_x, running, [make_household(area=world.commune_1)], EnrolmentSource.SEARCH
        )
    assert len(db.session.get(ClassSession, running.id).marks) == 3


def test_pasted_phones_in_any_form(running, world):
    extra = make_household(head_name="Hộ Mới", phone="0977000111", area=world.commune_1)
    db.session.commit()
    report = services.enrol_phones(
        world.trainer_x, running, "+84 977 000 111\n0912 345 678\n12345\n0900000000\n\n"
    )
    assert report.added == [extra] and report.already == [world.household_a]
    assert [line for line, _ in report.unmatched] == ["12345", "0900000000"]


def test_a_walk_in_is_matched_or_registered(running, world):
    same = services.register_walk_in(world.trainer_x, running, "Nguyễn Thị Hương", "+84912345678")
    assert same.id == world.household_a.id
    new = services.register_walk_in(
        world.trainer_x, running, "  Lô  Thị Xuân ", "0395 112 233", "Bản Nưa"
    )
    assert (new.head_name, new.phone, new.area_id) == (
        "Lô Thị Xuân",
        "0395112233",
        world.commune_1.id,
    )
    with pytest.raises(RuleViolation):
        services.register_walk_in(world.trainer_x, running, "Số Sai", "123")


def test_a_walk_in_with_another_familys_phone_is_a_conflict_not_a_match(running, world):
    """A household's phone typed with another name: the trainer is told whose phone it is,
    and nobody is enrolled (that household's attendance would count for another family)."""
    household = make_household(head_name="Hồ Thị Sen", phone="0395777888", area=world.commune_1)
    db.session.commit()
    with pytest.raises(RuleViolation, match="Hồ Thị Sen"):
        services.register_walk_in(world.trainer_x, running, "Lê Văn Khác", "0395 777 888")
    assert household.id not in {mark.household_id for mark in services.roster(running)}
    assert db.session.get(Household, household.id).head_name == "Hồ Thị Sen"
    # the same name without its marks, or in capitals, is the same family
    same = services.register_walk_in(world.trainer_x, running, "HO THI SEN", "0395777888")
    assert same.id == household.id
    assert household.id in {mark.household_id for mark in services.roster(running)}


def test_marks_change_only_what_the_trainer_changed_and_are_audited(running, world):
    hid = world.household_a.id
    report = services.record_marks(
        world.trainer_x, running, {m.household_id: (None, P) for m in running.marks}
    )
    assert (report.changed, report.conflicts) == (3, [])
    assert services.record_marks(world.trainer_x, running, {hid: (P, P)}).changed == 0
    assert services.record_marks(world.trainer_x, running, {hid: (P, L)}).changed == 1
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "attendance.mark").order_by(AuditEvent.id)
    ).all()
    assert len(events) == 4
    assert (events[-1].before["status"], events[-1].after["status"], events[-1].actor_id) == (
        "present",
        "late",
        world.trainer_x.id,
    )


def test_a_stale_form_does_not_overwrite_another_trainers_mark(running, world):
    """Trainer 1's form showed everyone present; meanwhile trainer 2 marked B absent."""
    a, b, c = (m.household_id for m in running.marks)
    services.record_marks(world.trainer_x, running, {a: (None, P), b: (None, P), c: (None, P)})
    trainer_2 = make_user(world.trainer_x.role, area=world.province, organisation=world.org_x)
    services.record_marks(trainer_2, running, {b: (P, A)})
    name_b = db.session.get(Household, b).head_name
    # trainer 1's old form: A late, B excused (B is absent now), C left as it was
    report = services.record_marks(world.trainer_x, running, {a: (P, L), b: (P, E), c: (P, P)})
    marks = {m.household_id: m.status for m in db.session.get(ClassSession, running.id).marks}
    assert marks == {a: L, b: A, c: P}
    assert report.changed == 1
    assert report.conflicts == [services.MarkConflict(b, name_b, current=A, wanted=E)]


def test_a_stale_form_agreeing_with_the_new_mark_is_no_conflict(running, world):
    a = world.household_a.id
    services.record_marks(world.trainer_x, running, {a: (None, L)})
    report = services.record_marks(world.trainer_x, running, {a: (None, L)})
    assert (report.changed, report.conflicts) == (0, [])


def test_everyone_present_marks_the_households_the_form_showed_unmarked(running, world):
    """The form showed Hương absent, the two others unmarked; the trainer taps the second one
    late, then "everyone present". Meanwhile the first checked itself in, which agrees."""
    ids = {m.household.head_name: m.household_id for m in running.marks}
    hương, first, second = ids["Nguyễn Thị Hương"], ids["Hộ Diễn Châu 1"], ids["Hộ Diễn Châu 2"]
    services.record_marks(world.trainer_x, running, {hương: (None, A)})
    member = make_user(Role.HOUSEHOLD, household=db.session.get(Household, first))
    services.self_check_in(member, "135790")
    report = services.record_marks(
        world.trainer_x,
        running,
        {hương: (A, A), first: (None, None), second: (None, L)},
        everyone_present=True,
    )
    assert marks_of(running) == {"Nguyễn Thị Hương": A, "Hộ Diễn Châu 1": P, "Hộ Diễn Châu 2": L}
    assert (report.changed, report.conflicts) == (1, [])


def test_everyone_present_does_not_overwrite_a_mark_made_meanwhile(running, world):
    a = world.household_a.id
    services.record_marks(world.trainer_x, running, {a: (None, E)})  # another trainer's
    others = {m.household_id: (None, None) for m in running.marks if m.household_id != a}
    report = services.record_marks(
        world.trainer_x, running, {a: (None, None), **others}, everyone_present=True
    )
    assert marks_of(running)["Nguyễn Thị Hương"] is E
    assert report.changed == 2
    assert report.conflicts == [services.MarkConflict(a, "Nguyễn Thị Hương", E, P)]


def test_future_and_cancelled_sessions_cannot_be_marked(running, world):
    changes = {world.household_a.id: (None, P)}
    running.starts_at = utcnow() + timedelta(days=1)
    running.ends_at = running.starts_at + timedelta(hours=2)
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.record_marks(world.trainer_x, running, changes)
    services.cancel_session(world.trainer_x, running)
    with pytest.raises(RuleViolation):
        services.record_marks(world.trainer_x, running, changes)
    assert db.session.get(ClassSession, running.id).cancelled_at is not None


def test_locked_marks_need_an_admin_and_a_reason(running, world, app):
    running.starts_at, running.ends_at = (
        utcnow() - timedelta(days=10, hours=3),
        utcnow() - timedelta(days=10),
    )
    db.session.commit()
    changes = {world.household_a.id: (None, A)}
    with pytest.raises(RuleViolation) as trainer:
        services.record_marks(world.trainer_x, running, changes)
    assert "7" in str(trainer.value.message)
    with pytest.raises(RuleViolation) as no_reason:
        services.record_marks(world.admin, running, changes)
    assert no_reason.value.field == "reason"
    report = services.record_marks(world.admin, running, changes, reason="Sổ ký nhận ghi vắng")
    assert report.changed == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attendance.mark"))
    assert event.after["reason"] == "Sổ ký nhận ghi vắng"


def test_self_check_in_during_the_window(running, world):
    services.self_check_in(world.member_a, "135 790")
    mark = db.session.scalar(
        select(AttendanceMark).where(AttendanceMark.household_id == world.household_a.id)
    )
    assert (mark.status, mark.is_self_checkin, mark.source, mark.is_walk_in) == (
        P,
        True,
        EnrolmentSource.SEARCH,
        False,
    )
    services.record_marks(
        world.trainer_x, running, {world.household_a.id: (P, A)}
    )  # the trainer overrules
    services.self_check_in(world.member_a, "135790")  # and checking in again does not undo it
    assert marks_of(running)["Nguyễn Thị Hương"] is A


def test_a_household_of_the_commune_off_the_roster_joins_it_as_a_walk_in(running, walk_in):
    services.self_check_in(walk_in, "135790")
    mark = db.session.scalar(
        select(AttendanceMark).where(AttendanceMark.household_id == walk_in.household_id)
    )
    assert (mark.session_id, mark.status, mark.is_self_checkin, mark.is_walk_in) == (
        running.id,
        P,
        True,
        True,
    )
    enrolled = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "roster.enrol", AuditEvent.actor_id == walk_in.id
        )
    )
    assert enrolled.after == {"household_id": walk_in.household_id, "source": "self_checkin"}


def test_a_household_neither_on_the_roster_nor_of_the_commune_is_refused(running, world):
    with pytest.raises(RuleViolation) as refused:
        services.self_check_in(world.member_b, "135790")  # Yên Thành, at a Diễn Châu class
    assert "không có trong danh sách lớp “Lớp Diễn Châu”" in str(refused.value.message)
    assert "Trần Văn Đức" not in marks_of(running)
    services.self_check_in(world.member_a, "135790")  # the right code counted as no failure


def test_a_walk_in_checks_in_only_while_places_are_left(running, walk_in):
    running.capacity = 3  # household A and the two others
    db.session.commit()
    with pytest.raises(RuleViolation) as full:
        services.self_check_in(walk_in, "135790")
    assert "3" in str(full.value.message) and "Hộ Vãng Lai" not in marks_of(running)


def test_self_check_in_outside_the_window_is_refused(running, world):
    running.starts_at, running.ends_at = (
        utcnow() + timedelta(hours=2),
        utcnow() + timedelta(hours=4),
    )
    db.session.commit()
    with pytest.raises(RuleViolation) as refused:
        services.self_check_in(world.member_a, "135790", session=running)
    assert "30" in str(refused.value.message)
    assert marks_of(running)["Nguyễn Thị Hương"] is None


def test_guessing_codes_is_locked(running, world):
    for _ in range(4):
        with pytest.raises(RuleViolation) as wrong:
            services.self_check_in(world.member_a, "000000")
        assert "không khớp" in str(wrong.value.message)
    with pytest.raises(RuleViolation) as locked:
        services.self_check_in(world.member_a, "000000")
    assert "10 phút" in str(locked.value.message)
    with pytest.raises(RuleViolation):
        services.self_check_in(world.member_a, "135790")  # even the right code, while locked


def test_attending_counts_toward_the_sessions_courses(running, world):
    from lms.certificates.completion import completion_for
    from tests.builders import load_shipped_courses, make_programme

    courses = load_shipped_courses()
    make_programme(world.province, courses)
    running.courses = courses[:2]
    db.session.commit()

    def attended() -> set[int]:
        completion = completion_for(world.household_a)
        return {course.offer.course.id for course in completion.courses if course.attended_on}

    services.record_marks(world.trainer_x, running, {world.household_a.id: (None, L)})
    assert attended() == {courses[0].id, courses[1].id}
    services.record_marks(world.trainer_x, running, {world.household_a.id: (L, A)})
    assert attended() == set()


@pytest.mark.races_on_postgres
def test_two_trainers_marking_one_household_differently_at_once_record_one(running, world, app):
    """Two trainers save the same form at once: both saw Hương unmarked, one marks her
    present, the other absent, and each marks a household of their own. Each thread has its
    own connection and transaction, as two web requests would. One mark of Hương is recorded,
    the other trainer is told what it now is, and both trainers' own marks are saved."""
    ids = {m.household.head_name: m.household_id for m in running.marks}
    hương, first, second = ids["Nguyễn Thị Hương"], ids["Hộ Diễn Châu 1"], ids["Hộ Diễn Châu 2"]
    trainers = [
        world.trainer_x.id,
        make_user(world.trainer_x.role, area=world.province, organisation=world.org_x).id,
    ]
    db.session.commit()
    session_id = running.id  # plain values only: the test's objects belong to its own session
    barrier = threading.Barrier(2)
    reports: dict = {}

    def save(trainer_id: int, changes: dict) -> None:
        with app.app_context():
            try:
                from lms.auth.models import User

                trainer = db.session.get(User, trainer_id)
                session = db.session.get(ClassSession, session_id)
                barrier.wait(timeout=30)
                reports[trainer_id] = services.record_marks(trainer, session, changes)
            except Exception as error:  # pragma: no cover - reported below
                reports[trainer_id] = error
            finally:
                db.session.remove()

    wanted = dict(zip(trainers, (P, A), strict=True))
    threads = [
        threading.Thread(target=save, args=(trainers[0], {hương: (None, P), first: (None, L)})),
        threading.Thread(target=save, args=(trainers[1], {hương: (None, A), second: (None, E)})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(r, services.MarksReport) for r in reports.values()), reports
    marks = {m.household_id: m.status for m in db.session.scalars(select(AttendanceMark))}
    [winner] = [t for t in trainers if wanted[t] is marks[hương]]
    [loser] = [t for t in trainers if t != winner]
    assert marks == {hương: wanted[winner], first: L, second: E}
    assert (reports[winner].changed, reports[winner].conflicts) == (2, [])
    assert reports[loser].changed == 1
    assert reports[loser].conflicts == [
        services.MarkConflict(
            hương, "Nguyễn Thị Hương", current=wanted[winner], wanted=wanted[loser]
        )
    ]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attendance.mark"))
    assert sorted((e.after["household_id"], e.actor_id) for e in events) == sorted(
        [(hương, winner), (first, trainers[0]), (second, trainers[1])]
    )


@pytest.mark.races_on_postgres
def test_a_checkin_and_an_enrolment_at_once_make_one_row(running, world, app, walk_in):
    household_b, member_b = walk_in.household_id, walk_in.id  # of Diễn Châu, off the roster
    trainer_x = world.trainer_x.id
    session_id = running.id  # plain values only: the test's objects belong to its own session
    barrier = threading.Barrier(2)
    errors = []

    def run(action) -> None:
        with app.app_context():
            try:
                from lms.auth.models import User
                from lms.households.models import Household

                session = db.session.get(ClassSession, session_id)
                barrier.wait(timeout=30)
                action(session, User, Household)
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(
            target=run,
            args=(lambda s, U, H: services.self_check_in(db.session.get(U, member_b), "135790"),),
        ),
        threading.Thread(
            target=run,
            args=(
                lambda s, U, H: services.enrol(
                    db.session.get(U, trainer_x),
                    s,
                    [db.session.get(H, household_b)],
                    EnrolmentSource.SEARCH,
                ),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = db.session.scalars(
        select(AttendanceMark).where(AttendanceMark.household_id == household_b)
    ).all()
    assert len(rows) == 1 and rows[0].status is P
