"""Learning as a household does, through the services: read a lesson for as long as it
takes, take a quiz drawn from the bank."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.courses import services as learning
from lms.courses.models import LessonProgress, QuizAttempt
from lms.extensions import db


def let_time_pass(household, lesson, seconds: float) -> None:
    """Move the lesson's reading clock back, as if its page had been served ``seconds`` ago."""
    row = db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.household_id == household.id,
            LessonProgress.course_id == lesson.course_version.course_id,
            LessonProgress.lesson_slug == lesson.slug,
        )
    )
    row.served_at -= timedelta(seconds=seconds)
    db.session.commit()


def read_lesson(household, lesson) -> None:
    """Open the lesson, stay on it long enough, then tap "Đã học xong"."""
    learning.open_lesson(household, lesson)
    let_time_pass(household, lesson, learning.reading_seconds(lesson) + 1)
    learning.finish_lesson(household, lesson)


def read_course(household, course) -> None:
    for lesson in course.current.lessons:
        read_lesson(household, lesson)


def wrong(question) -> list[int]:
    return [n for n in range(1, len(question.options) + 1) if n not in question.answers][:1]


def take_quiz(member, household, course, right: bool | int = True) -> QuizAttempt:
    """Draw the quiz and answer it: every question right (``True``), none (``False``), or
    the first ``right`` questions right."""
    offer = learning.offer_for(household, course.slug)
    draw = learning.start_quiz(household, offer)
    drawn = [question for question, _order in draw.drawn_questions()]
    count = len(drawn) if right is True else int(right)
    answers = {q.position: (q.answers if n < count else wrong(q)) for n, q in enumerate(drawn)}
    return learning.submit_quiz(member, household, offer, answers, draw.nonce)
