"""Assisted mode and proxy flags through the services (DESIGN §4 rule 8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.assisted import proxies, services
from lms.attendance.models import MarkStatus
from lms.auth.models import Role
from lms.auth.services import create_user
from lms.certificates.completion import completion_for
from lms.core.audit import AuditEvent
from lms.core.errors import RuleViolation
from lms.core.models import utcnow
from lms.core.origin import Origin
from lms.core.permissions import can_assist, can_see_national_id
from lms.core.scope import visible_households
from lms.courses import services as learning
from lms.courses.models import LessonProgress
from lms.extensions import db
from lms.households.models import Household
from tests.assisted.helpers import session_today
from tests.builders import make_household, make_user
from tests.courses.helpers import let_time_pass, read_lesson, take_quiz, wrong


def _assisted_course(assist, course) -> None:
    """Read every lesson and pass the quiz in assisted mode."""
    household = assist.household
    for lesson in course.current.lessons:
        learning.open_lesson(household, lesson)
        let_time_pass(household, lesson, learning.reading_seconds(lesson) + 1)
        services.finish_lesson(assist, lesson)
    offer = learning.offer_for(household, course.slug)
    draw = learning.start_quiz(household, offer)
    answers = {q.position: q.answers for q, _order in draw.drawn_questions()}
    return services.submit_quiz(assist, offer, answers, draw.nonce)


def test_work_in_assisted_mode_is_the_households_and_records_the_helper(courses, world):
    session = session_today(world, world.household_a)
    assist = services.open_assist(world.trainer_x, session, world.household_a)
    attempt = _assisted_course(assist, courses[0])
    assert attempt.is_assisted and attempt.assisted_by_id == world.trainer_x.id
    assert attempt.household_id == world.household_a.id and attempt.passed
    progress = db.session.scalars(
        select(LessonProgress).where(LessonProgress.household_id == world.household_a.id)
    ).all()
    assert {p.assisted_by_id for p in progress} == {world.trainer_x.id}
    # completion counts assisted work as the household's own: the rule is unchanged
    course = next(
        c for c in completion_for(world.household_a).courses if c.offer.course.id == courses[0].id
    )
    assert course.complete and course.read_on is not None
    services.end_assist(world.trainer_x, assist)
    assert services.current_assist(world.trainer_x, assist.id) is None
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "Assist")
    )
    assert sorted(actions) == ["assist.end", "assist.open"]
    # ended, nothing more is recorded as assisted
    with pytest.raises(RuleViolation):
        services.finish_lesson(assist, courses[1].current.lessons[0])


def test_a_lesson_read_alone_stays_unassisted(courses, world):
    read_lesson(world.household_a, courses[0].current.lessons[0])
    row = db.session.scalar(select(LessonProgress))
    assert row.finished_at is not None and row.assisted_by_id is None


def test_assisted_mode_opens_only_for_a_household_present_at_a_session_today(world):
    other = make_household(area=world.commune_1)
    absent = make_household(area=world.commune_1)
    session = session_today(world, world.household_a)
    session_today(world, absent, status=MarkStatus.ABSENT)
    absent_session = session_today(world, absent, status=MarkStatus.ABSENT)
    refusals = [
        (world.trainer_x, session, other, "không có trong danh sách"),
        (world.trainer_x, absent_session, absent, "vắng"),
        (world.trainer_y, session, world.household_a, "không được hỗ trợ"),
    ]
    world.session_x.marks  # noqa: B018 - tomorrow's session
    tomorrow = world.session_x
    from lms.attendance.models import AttendanceMark, EnrolmentSource

    db.session.add(
        AttendanceMark(session_id=tomorrow.id, household_id=other.id, source=EnrolmentSource.SEARCH)
    )
    db.session.commit()
    refusals.append((world.trainer_x, tomorrow, other, "hôm nay"))
    for helper, at, household, message in refusals:
        with pytest.raises(RuleViolation) as refused:
            services.open_assist(helper, at, household)
        assert message in str(refused.value.message)
    assert services.current_assist(world.trainer_x, None) is None


def test_the_digital_team_sees_only_roster_households_of_its_commune(world):
    team = world.team_1
    assert db.session.scalars(select(Household).where(visible_households(team))).all() == []
    session = session_today(world, world.household_a, trainer=world.trainer_x)
    session_in_2 = session_today(
        world, world.household_b, trainer=world.trainer_y, area=world.commune_2
    )
    seen = db.session.scalars(select(Household).where(visible_households(team))).all()
    assert seen == [world.household_a]
    assert not can_see_national_id(team, world.household_a)
    assert can_assist(team, session) and not can_assist(team, session_in_2)
    assert services.sessions_today(team) == [session]
    assist = services.open_assist(team, session, world.household_a)
    assert assist.helper_id == team.id


def test_a_digital_team_member_is_created_bound_to_a_commune(world):
    fields = {
        "role": Role.DIGITAL_TEAM,
        "full_name": "Lê Thị Mai",
        "email": "mai@example.vn",
        "secret": "mat-khau-dai",
    }
    with pytest.raises(RuleViolation) as refused:
        create_user(world.admin, **fields, area_id=world.province.id)
    assert refused.value.field == "area_id"
    user = create_user(world.admin, **fields, area_id=world.commune_1.id)
    assert user.role is Role.DIGITAL_TEAM and user.area_id == world.commune_1.id


def _quiz_from(member, household, course, origin):
    offer = learning.offer_for(household, course.slug)
    draw = learning.start_quiz(household, offer)
    answers = {q.position: wrong(q) for q, _order in draw.drawn_questions()}
    return learning.submit_quiz(member, household, offer, answers, draw.nonce, origin=origin)


def test_one_device_answering_for_many_households_is_flagged_with_its_evidence(courses, world):
    phone = Origin("d" * 32, "a" * 32)
    households = [make_household(area=world.commune_1) for _ in range(3)]
    for household in households:
        member = make_user(Role.HOUSEHOLD, household=household)
        _quiz_from(member, household, courses[0], phone)
    # another device, one household: no flag
    _quiz_from(world.member_a, world.household_a, courses[0], Origin("e" * 32, "a" * 32))
    flags = proxies.proxy_flags(world.official_1, utcnow() - timedelta(days=1))
    assert [(f.activity, f.signal, f.key, f.households) for f in flags] == [
        ("quiz", "device", "d" * 8, 3)
    ]
    assert [e.household.id for e in flags[0].evidence] == [h.id for h in households]
    # the official of commune 2 sees none of commune 1's households
    assert proxies.proxy_flags(world.official_2, utcnow() - timedelta(days=1)) == []


def test_assisted_attempts_are_never_flagged(courses, world):
    households = [make_household(area=world.commune_1) for _ in range(3)]
    session = session_today(world, *households)
    for household in households:
        assist = services.open_assist(world.team_1, session, household)
        offer = learning.offer_for(household, courses[0].slug)
        draw = learning.start_quiz(household, offer)
        answers = {q.position: wrong(q) for q, _order in draw.drawn_questions()}
        services.submit_quiz(assist, offer, answers, draw.nonce, origin=Origin("f" * 32, "b" * 32))
    assert proxies.proxy_flags(world.admin, utcnow() - timedelta(days=1)) == []


def test_households_far_apart_in_time_raise_no_flag(courses, world, app):
    phone = Origin("c" * 32, None)
    attempts = []
    for _ in range(3):
        household = make_household(area=world.commune_1)
        attempts.append(
            take_quiz(make_user(Role.HOUSEHOLD, household=household), household, courses[0])
        )
        attempts[-1].device_hash = phone.device_hash
    for hours, attempt in enumerate(attempts):
        attempt.submitted_at = utcnow() - timedelta(hours=3 * hours)
    db.session.commit()
    assert proxies.proxy_flags(world.admin, utcnow() - timedelta(days=1)) == []
    attempts[1].submitted_at = utcnow() - timedelta(minutes=20)
    attempts[2].submitted_at = utcnow() - timedelta(minutes=40)
    db.session.commit()
    [flag] = proxies.proxy_flags(world.admin, utcnow() - timedelta(days=1))
    assert flag.households == 3


def test_assisted_share_per_commune(courses, world):
    session = session_today(world, world.household_a)
    assist = services.open_assist(world.trainer_x, session, world.household_a)
    _assisted_course(assist, courses[0])
    take_quiz(world.member_a, world.household_a, courses[1], right=False)
    take_quiz(world.member_b, world.household_b, courses[1], right=False)
    shares = services.assisted_shares(
        world.admin, [world.commune_1, world.commune_2, world.province]
    )
    assert shares == {
        world.commune_1.id: (1, 2),
        world.commune_2.id: (0, 1),
        world.province.id: (1, 3),
    }


def test_one_login_or_one_address_for_many_households_is_flagged(courses, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "PROXY_HOUSEHOLDS", {"address": 2})
    # one account answering for two households outside assisted mode (an API or a replay
    # could), from two devices behind one address
    for n, household in enumerate((world.household_a, make_household(area=world.commune_1))):
        _quiz_from(world.trainer_x, household, courses[0], Origin(str(n) * 32, "a" * 32))
    flags = proxies.proxy_flags(world.admin, utcnow() - timedelta(days=1))
    assert sorted((f.signal, f.key, f.households) for f in flags) == [
        ("address", "a" * 8, 2),
        ("login", "Giảng viên X", 2),
    ]
