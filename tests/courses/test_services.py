"""Learning without HTTP: what a household takes, reading time, quiz banks and draws,
retakes, programmes."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.core.errors import RuleViolation
from lms.courses import services
from lms.courses.loading import is_longest
from lms.courses.models import Programme, QuizAttempt, QuizDraw
from lms.extensions import db
from tests.courses.helpers import let_time_pass, read_course, read_lesson, take_quiz, wrong


def drawn(draw) -> list:
    return [question for question, _order in draw.drawn_questions()]


def all_right(questions) -> dict[int, list[int]]:
    return {q.position: list(q.answers) for q in questions}


def all_wrong(questions) -> dict[int, list[int]]:
    return {q.position: wrong(q) for q in questions}


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


def test_each_shipped_bank_has_24_questions_about_every_lesson_and_hides_its_answers(courses):
    for course in courses:
        version = course.current
        assert len(version.questions) >= 24 and version.questions_per_attempt == 10
        assert {q.lesson_position for q in version.questions} == {
            lesson.position for lesson in version.lessons
        }
        single = [q for q in version.questions if not q.has_several_answers]
        longest = [q for q in single if is_longest(q.options, q.answers[0])]
        assert len(longest) <= len(single) / 3, course.slug
        several = [q for q in version.questions if q.has_several_answers]
        assert several and not any("chọn" in q.text.lower() for q in several)


def test_a_draw_takes_the_courses_number_covers_every_lesson_and_shuffles(courses):
    version = courses[0].current
    rng = random.Random(7)
    draws = [services.draw_questions(version, rng) for _ in range(30)]
    bank = {q.position: q for q in version.questions}
    for draw in draws:
        positions = [position for position, _order in draw]
        assert len(positions) == 10 == len(set(positions))
        assert {bank[p].lesson_position for p in positions} == {1, 2, 3, 4, 5}
        for position, order in draw:
            assert sorted(order) == list(range(1, len(bank[position].options) + 1))
    assert len({tuple(p for p, _o in draw) for draw in draws}) == 30  # never the same ten
    assert len({tuple(o) for draw in draws for p, o in draw if p == 1}) > 1  # options move
    seen = Counter(p for draw in draws for p, _o in draw)
    assert len(seen) == len(version.questions)  # the whole bank is used


def test_a_retake_draws_other_questions_than_the_last_attempt(courses, world):
    first = take_quiz(world.member_a, world.household_a, courses[0], right=False)
    offer = services.offers_for(world.household_a)[0]
    again = services.start_quiz(world.household_a, offer)
    before = {position for position, _order in first.drawn}
    after = {position for position, _order in again.drawn}
    assert again.nonce != first.nonce and len(before & after) <= 2  # 14 of 24 were not asked


def test_showing_the_quiz_again_shows_the_same_draw_until_it_is_submitted(courses, world):
    offer = services.offers_for(world.household_a)[0]
    draw = services.start_quiz(world.household_a, offer)
    assert services.start_quiz(world.household_a, offer).id == draw.id
    attempt = services.submit_quiz(
        world.member_a, world.household_a, offer, all_right(drawn(draw)), draw.nonce
    )
    assert attempt.drawn == draw.drawn  # the review shows what was asked, in that order
    assert [q.position for q, _o in attempt.drawn_questions()] == [p for p, _o in draw.drawn]
    assert services.start_quiz(world.household_a, offer).id != draw.id


def test_an_answer_sheet_without_a_drawn_form_is_refused(courses, world):
    offer = services.offers_for(world.household_a)[0]
    with pytest.raises(RuleViolation):
        services.submit_quiz(
            world.member_a, world.household_a, offer, all_right(offer.version.questions), "made-up"
        )
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_scoring_counts_the_drawn_questions_and_needs_exactly_the_right_options(courses, world):
    offer = services.offers_for(world.household_a)[0]
    draw = services.start_quiz(world.household_a, offer)
    questions = drawn(draw)
    answers = all_right(offer.version.questions)  # answers to undrawn questions count for nothing
    several = next((q for q in questions if q.has_several_answers), None)
    if several is not None:
        answers[several.position] = list(range(1, len(several.options) + 1))  # all ticked
    attempt = services.submit_quiz(world.member_a, world.household_a, offer, answers, draw.nonce)
    assert attempt.total == 10
    assert attempt.correct == (9 if several is not None else 10)
    assert set(attempt.answers) == {str(q.position) for q in questions}


def test_fail_then_retake_and_pass(courses, world):
    failed = take_quiz(world.member_a, world.household_a, courses[0], right=False)
    assert (failed.percent, failed.passed) == (0, False)
    assert services.best_quiz_result(world.household_a.id, courses[0]) == (0, False)
    passed = take_quiz(world.member_a, world.household_a, courses[0], right=True)
    assert (passed.percent, passed.passed, passed.pass_mark) == (100, True, 70)
    assert services.best_quiz_result(world.household_a.id, courses[0]) == (100, True)
    assert [a.id for a in services.attempts_of(world.household_a)] == [passed.id, failed.id]


def test_the_pass_mark_is_the_programmes(courses, world):
    programme = db.session.scalar(select(Programme))
    programme.courses[0].pass_mark = 100
    db.session.commit()
    attempt = take_quiz(world.member_a, world.household_a, courses[0], right=9)
    assert attempt.percent == 90 and not attempt.passed and attempt.pass_mark == 100


def test_the_same_form_submitted_twice_is_one_attempt(courses, world):
    offer = services.offers_for(world.household_a)[0]
    draw = services.start_quiz(world.household_a, offer)
    first = services.submit_quiz(
        world.member_a, world.household_a, offer, all_right(drawn(draw)), draw.nonce
    )
    again = services.submit_quiz(
        world.member_a, world.household_a, offer, all_wrong(drawn(draw)), draw.nonce
    )
    assert again.id == first.id and again.passed
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_every_question_must_be_answered(courses, world):
    offer = services.offers_for(world.household_a)[0]
    draw = services.start_quiz(world.household_a, offer)
    answers = all_right(drawn(draw))
    answers.pop(drawn(draw)[2].position)
    with pytest.raises(RuleViolation) as refused:
        services.submit_quiz(world.member_a, world.household_a, offer, answers, draw.nonce)
    assert "3" in str(refused.value.message)
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_three_failed_attempts_in_a_day_close_the_quiz_until_tomorrow(courses, world):
    household, course = world.household_a, courses[0]
    for _ in range(3):
        take_quiz(world.member_a, household, course, right=False)
    offer = services.offers_for(household)[0]
    lock = services.quiz_lock(household, offer)
    assert lock is not None and lock.limit == 3
    assert lock.opens_on == services.today() + timedelta(days=1)
    assert lock.lessons and {lesson.position for lesson in lock.lessons} <= {1, 2, 3, 4, 5}
    with pytest.raises(RuleViolation) as refused:
        services.start_quiz(household, offer)
    assert "3" in str(refused.value.message)
    # a form drawn before the third failure cannot be sent either
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 3
    # yesterday's failures do not count today
    for attempt in db.session.scalars(select(QuizAttempt)):
        attempt.submitted_at -= timedelta(days=1)
    db.session.commit()
    assert services.quiz_lock(household, offer) is None
    assert take_quiz(world.member_a, household, course, right=True).passed
    # another household is not held back by this one
    assert services.quiz_lock(world.household_b, services.offers_for(world.household_b)[0]) is None


def test_the_programme_sets_the_failed_attempts_a_day(courses, world):
    programme = db.session.scalar(select(Programme))
    programme.failed_attempts_per_day = 1
    db.session.commit()
    take_quiz(world.member_a, world.household_a, courses[0], right=False)
    lock = services.quiz_lock(world.household_a, services.offers_for(world.household_a)[0])
    assert lock is not None and lock.limit == 1


def test_a_form_drawn_earlier_is_refused_once_the_quiz_is_closed(courses, world):
    household, course = world.household_a, courses[0]
    offer = services.offers_for(household)[0]
    for _ in range(2):
        take_quiz(world.member_a, household, course, right=False)
    early = services.start_quiz(household, offer)
    services.submit_quiz(world.member_a, household, offer, all_wrong(drawn(early)), early.nonce)
    stale = QuizDraw(
        household_id=household.id, course_version_id=offer.version.id, nonce="stale",
        drawn=early.drawn,
    )  # fmt: skip
    db.session.add(stale)
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.submit_quiz(world.member_a, household, offer, all_right(drawn(early)), "stale")
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 3


def test_a_lesson_tapped_through_does_not_count_as_read(courses, world):
    household, lesson = world.household_a, courses[0].current.lessons[0]
    assert services.reading_seconds(lesson) == round(lesson.words * 60 / 150 * 0.3)
    with pytest.raises(RuleViolation) as refused:  # never served: the clock has not started
        services.finish_lesson(household, lesson)
    assert "phút" in str(refused.value.message)  # the kind message, in Vietnamese
    services.open_lesson(household, lesson)
    with pytest.raises(RuleViolation):  # served a moment ago
        services.finish_lesson(household, lesson)
    let_time_pass(household, lesson, services.reading_seconds(lesson) - 5)
    with pytest.raises(RuleViolation):  # not quite long enough
        services.finish_lesson(household, lesson)
    services.open_lesson(household, lesson)  # opening it again does not restart the clock
    let_time_pass(household, lesson, 6)
    services.finish_lesson(household, lesson)
    assert services.lessons_finished(household.id, courses[0])[0] == 1


def test_progress_resumes_where_the_learner_stopped(courses, world):
    household = world.household_a
    lessons = courses[0].current.lessons
    status = services.course_statuses(household)[0]
    assert (status.state, status.next_lesson.position, status.lessons_done) == ("not_started", 1, 0)
    read_lesson(household, lessons[0])
    services.open_lesson(household, lessons[2])
    status = services.course_statuses(household)[0]
    assert (status.state, status.next_lesson.position, status.lessons_done) == ("reading", 3, 1)
    read_course(household, courses[0])
    services.finish_lesson(household, lessons[0])  # again: nothing changes
    status = services.course_statuses(household)[0]
    assert (status.state, status.next_lesson, status.lessons_done) == ("quiz", None, len(lessons))
    assert services.lessons_finished(household.id, courses[0]) == (len(lessons), len(lessons))
    take_quiz(world.member_a, household, courses[0])
    assert services.course_statuses(household)[0].state == "done"


def test_progress_belongs_to_the_household_not_to_another(courses, world):
    read_lesson(world.household_a, courses[0].current.lessons[0])
    assert services.lessons_finished(world.household_b.id, courses[0])[0] == 0


def test_course_numbers(courses, world):
    course = courses[0]
    read_course(world.household_a, course)
    services.open_lesson(world.household_b, course.current.lessons[0])
    take_quiz(world.member_a, world.household_a, course, right=False)
    take_quiz(world.member_a, world.household_a, course, right=True)
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


def test_reading_a_lesson_again_writes_nothing_for_a_while(courses, world):
    """The page households open most: a re-read within ``SEEN_EVERY`` makes no write, so
    forty phones in a class do not queue behind one another's UPDATE and COMMIT."""
    from sqlalchemy import event

    from lms.courses.models import LessonProgress

    household, lesson = world.household_a, courses[0].current.lessons[0]
    services.open_lesson(household, lesson)
    writes = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")):
            writes.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            services.open_lesson(household, lesson)
        assert writes == []
        row = db.session.scalar(select(LessonProgress))
        row.last_seen_at -= services.SEEN_EVERY
        db.session.commit()
        writes.clear()
        services.open_lesson(household, lesson)  # after a while: the resume point moves on
        assert len(writes) == 1 and writes[0].lstrip().upper().startswith("UPDATE")
    finally:
        event.remove(engine, "before_cursor_execute", count)
