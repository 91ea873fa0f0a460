"""Learning without HTTP: what a household takes, progress, scoring, retakes, programmes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.core.errors import RuleViolation
from lms.courses import services
from lms.courses.models import Programme, QuizAttempt
from lms.extensions import db


def all_right(version) -> dict[int, list[int]]:
    return {q.position: list(q.answers) for q in version.questions}


def all_wrong(version) -> dict[int, list[int]]:
    return {
        q.position: [next(n for n in range(1, len(q.options) + 1) if n not in q.answers)]
        for q in version.questions
    }


def test_a_household_is_offered_its_programmes_courses(courses, world):
    offers = services.offers_for(world.household_a)
    assert [o.course.slug for o in offers] == [c.slug for c in courses]
    assert all(o.is_required and o.pass_mark == 70 for o in offers)


def test_without_a_programme_every_published_course_is_offered(world):
    from tests.builders import load_shipped_courses

    courses = load_shipped_courses()
    courses[1].is_published = False
    db.session.commit()
    assert [o.course.slug for o in services.offers_for(world.household_a)] == [
        courses[0].slug,
        courses[2].slug,
    ]


def test_scoring_needs_exactly_the_right_options(courses):
    version = courses[0].current
    several = next(q for q in version.questions if q.has_several_answers)
    answers = all_right(version)
    assert services.score(version, answers) == len(version.questions)
    answers[several.position] = several.answers[:1]  # half of a two-answer question
    assert services.score(version, answers) == len(version.questions) - 1
    answers[several.position] = list(range(1, len(several.options) + 1))  # everything ticked
    assert services.score(version, answers) == len(version.questions) - 1


def test_fail_then_retake_and_pass(courses, world):
    offer = services.offers_for(world.household_a)[0]
    failed = services.submit_quiz(
        world.member_a, world.household_a, offer, all_wrong(offer.version), "one"
    )
    assert (failed.percent, failed.passed) == (0, False)
    assert services.best_quiz_result(world.household_a.id, offer.course) == (0, False)
    passed = services.submit_quiz(
        world.member_a, world.household_a, offer, all_right(offer.version), "two"
    )
    assert (passed.percent, passed.passed, passed.pass_mark) == (100, True, 70)
    assert services.best_quiz_result(world.household_a.id, offer.course) == (100, True)
    assert [a.id for a in services.attempts_of(world.household_a)] == [passed.id, failed.id]


def test_the_pass_mark_is_the_programmes(courses, world):
    programme = db.session.scalar(select(Programme))
    programme.courses[0].pass_mark = 100
    db.session.commit()
    offer = services.offers_for(world.household_a)[0]
    version = offer.version
    answers = all_right(version)
    answers[1] = all_wrong(version)[1]
    attempt = services.submit_quiz(world.member_a, world.household_a, offer, answers, "n")
    assert attempt.percent < 100 and not attempt.passed and attempt.pass_mark == 100


def test_the_same_form_submitted_twice_is_one_attempt(courses, world):
    offer = services.offers_for(world.household_a)[0]
    first = services.submit_quiz(
        world.member_a, world.household_a, offer, all_right(offer.version), "same"
    )
    again = services.submit_quiz(
        world.member_a, world.household_a, offer, all_wrong(offer.version), "same"
    )
    assert again.id == first.id and again.passed
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_every_question_must_be_answered(courses, world):
    offer = services.offers_for(world.household_a)[0]
    answers = all_right(offer.version)
    answers.pop(3)
    with pytest.raises(RuleViolation) as refused:
        services.submit_quiz(world.member_a, world.household_a, offer, answers, "n")
    assert "3" in str(refused.value.message)
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_progress_resumes_where_the_learner_stopped(courses, world):
    household = world.household_a
    lessons = courses[0].current.lessons
    status = services.course_statuses(household)[0]
    assert (status.state, status.next_lesson.position, status.lessons_done) == ("not_started", 1, 0)
    services.finish_lesson(household, lessons[0])
    services.open_lesson(household, lessons[2])
    status = services.course_statuses(household)[0]
    assert (status.state, status.next_lesson.position, status.lessons_done) == ("reading", 3, 1)
    for lesson in lessons:
        services.finish_lesson(household, lesson)
    services.finish_lesson(household, lessons[0])  # again: nothing changes
    status = services.course_statuses(household)[0]
    assert (status.state, status.next_lesson, status.lessons_done) == ("quiz", None, len(lessons))
    assert services.lessons_finished(household.id, courses[0]) == (len(lessons), len(lessons))
    services.submit_quiz(
        world.member_a, household, status.offer, all_right(status.offer.version), "n"
    )
    assert services.course_statuses(household)[0].state == "done"


def test_progress_belongs_to_the_household_not_to_another(courses, world):
    services.finish_lesson(world.household_a, courses[0].current.lessons[0])
    assert services.lessons_finished(world.household_b.id, courses[0])[0] == 0


def test_course_numbers(courses, world):
    course = courses[0]
    for lesson in course.current.lessons:
        services.finish_lesson(world.household_a, lesson)
    services.open_lesson(world.household_b, course.current.lessons[0])
    offer = services.offers_for(world.household_a)[0]
    services.submit_quiz(world.member_a, world.household_a, offer, all_wrong(offer.version), "a")
    services.submit_quiz(world.member_a, world.household_a, offer, all_right(offer.version), "b")
    numbers = services.course_numbers(course)
    assert (numbers.started, numbers.finished, numbers.attempts, numbers.pass_rate) == (2, 1, 2, 50)


def test_save_programme_rules(courses, world):
    choices = {c.id: {"included": True, "required": False, "pass_mark": None} for c in courses}
    fields = {"name": "Chương trình", "area_id": world.province.id, "year": 2027}
    with pytest.raises(RuleViolation):
        services.save_programme(world.admin, None, fields, choices)
    choices[courses[0].id] |= {"required": True, "pass_mark": 40}
    with pytest.raises(RuleViolation):
        services.save_programme(world.admin, None, fields, choices)
    choices[courses[0].id]["pass_mark"] = 80
    choices[courses[2].id]["included"] = False
    programme = services.save_programme(world.admin, None, fields, choices)
    assert [(link.course_id, link.is_required, link.pass_mark) for link in programme.courses] == [
        (courses[0].id, True, 80),
        (courses[1].id, False, None),
    ]
