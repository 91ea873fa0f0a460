"""The completion rule (DESIGN §4 rule 1), in one place.

A household completes a course when it attended a session of that course *or* finished all
its lessons, *and* passed the course quiz (score ≥ the programme's pass mark; retakes
allowed). It completes the programme when every required course is complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from lms.attendance.models import AttendanceMark, ClassSession, MarkStatus, session_courses
from lms.core.models import PROGRAMME_TIMEZONE
from lms.courses.models import CourseVersion, LessonProgress, Programme, QuizAttempt
from lms.courses.services import Offer, offers_for, programme_for
from lms.extensions import db
from lms.households.models import Household


@dataclass(frozen=True)
class CourseCompletion:
    offer: Offer
    lessons_done: int
    lessons_total: int
    #: the day of the first session of this course the household attended
    attended_on: date | None
    #: the day the household finished the last lesson, once all are finished
    read_on: date | None
    #: the day of the first quiz attempt reaching the pass mark
    passed_on: date | None

    @property
    def complete(self) -> bool:
        return (
            self.attended_on is not None or self.read_on is not None
        ) and self.passed_on is not None

    @property
    def completed_on(self) -> date | None:
        """The day both halves of the rule were met."""
        if not self.complete:
            return None
        learned = min(d for d in (self.attended_on, self.read_on) if d is not None)
        return max(learned, self.passed_on)


@dataclass(frozen=True)
class ProgrammeCompletion:
    programme: Programme | None
    courses: list[CourseCompletion]

    @property
    def required(self) -> list[CourseCompletion]:
        return [course for course in self.courses if course.offer.is_required]

    @property
    def complete(self) -> bool:
        return (
            self.programme is not None
            and bool(self.required)
            and all(c.complete for c in self.required)
        )


def _day(moment) -> date:
    return moment.astimezone(PROGRAMME_TIMEZONE).date()


def completion_for(household: Household) -> ProgrammeCompletion:
    """Where the household stands in every course of its programme (a few queries)."""
    programme = programme_for(household.area)
    offers = offers_for(household) if programme is not None else []
    finished = {
        (course_id, slug): when
        for course_id, slug, when in db.session.execute(
            select(
                LessonProgress.course_id, LessonProgress.lesson_slug, LessonProgress.finished_at
            ).where(
                LessonProgress.household_id == household.id, LessonProgress.finished_at.is_not(None)
            )
        )
    }
    attended = dict(
        db.session.execute(
            select(session_courses.c.course_id, func.min(ClassSession.starts_at))
            .join(AttendanceMark, AttendanceMark.session_id == session_courses.c.session_id)
            .join(ClassSession, ClassSession.id == session_courses.c.session_id)
            .where(
                AttendanceMark.household_id == household.id,
                AttendanceMark.status.in_([MarkStatus.PRESENT, MarkStatus.LATE]),
                ClassSession.cancelled_at.is_(None),
            )
            .group_by(session_courses.c.course_id)
        ).all()
    )
    attempts = db.session.execute(
        select(CourseVersion.course_id, QuizAttempt.percent, QuizAttempt.submitted_at)
        .join(CourseVersion, CourseVersion.id == QuizAttempt.course_version_id)
        .where(QuizAttempt.household_id == household.id)
        .order_by(QuizAttempt.submitted_at)
    ).all()
    courses = []
    for offer in offers:
        slugs = [lesson.slug for lesson in offer.version.lessons]
        done = [
            finished[offer.course.id, slug] for slug in slugs if (offer.course.id, slug) in finished
        ]
        passed = next(
            (
                when
                for course_id, percent, when in attempts
                if course_id == offer.course.id and percent >= offer.pass_mark
            ),
            None,
        )
        first_session = attended.get(offer.course.id)
        courses.append(
            CourseCompletion(
                offer=offer,
                lessons_done=len(done),
                lessons_total=len(slugs),
                attended_on=_day(first_session) if first_session else None,
                read_on=_day(max(done)) if slugs and len(done) == len(slugs) else None,
                passed_on=_day(passed) if passed else None,
            )
        )
    return ProgrammeCompletion(programme, courses)
