"""Learning: which courses a household takes, lesson progress, quizzes scored on the server.

``lessons_finished`` and ``best_quiz_result`` are what the completion rule (DESIGN §4 rule 1)
reads from this domain; attendance and certificates build on them.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, bindparam, case, cast, func, literal, null, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.sql import Select

from lms.areas.models import Area
from lms.auth.models import User
from lms.core.audit import record_event
from lms.core.errors import RuleViolation, rollback_on_violation
from lms.core.events import progress_changed
from lms.core.models import PROGRAMME_TIMEZONE, today, utcnow
from lms.core.origin import Origin
from lms.core.text import clean
from lms.courses.models import (
    Course,
    CourseVersion,
    Lesson,
    LessonProgress,
    Programme,
    ProgrammeCourse,
    Question,
    QuizAttempt,
    QuizDraw,
)
from lms.extensions import db
from lms.households.models import Household

# ---------------------------------------------------------------- what a household takes


@dataclass(frozen=True)
class Offer:
    """A course as a programme offers it."""

    course: Course
    is_required: bool
    pass_mark: int
    #: failed quiz attempts a day before the quiz waits for the next day (the programme's)
    failed_attempts_per_day: int = 3

    @property
    def version(self) -> CourseVersion:
        return self.course.current


def province_id(area: Area) -> int:
    """The root of an area's tree: the province."""
    return int(area.path.strip("/").split("/")[0])


def programme_for(area: Area) -> Programme | None:
    """The active programme of the area's province, the most recent year first."""
    statement = (
        select(Programme)
        .where(Programme.area_id == province_id(area), Programme.is_active)
        .order_by(Programme.year.desc(), Programme.id.desc())
        .limit(1)
        # every caller walks the courses: load them and their versions in two queries
        .options(
            selectinload(Programme.courses)
            .joinedload(ProgrammeCourse.course)
            .selectinload(Course.versions)
        )
    )
    return db.session.scalars(statement).first()


def offers_for(household: Household) -> list[Offer]:
    """The published courses the household's programme lists (all published courses, each
    with its own pass mark, when the province has no programme yet)."""
    programme = programme_for(household.area)
    if programme is not None:
        return [
            Offer(
                link.course,
                link.is_required,
                link.pass_mark or link.course.current.pass_mark,
                programme.failed_attempts_per_day,
            )
            for link in programme.courses
            if link.course.is_published and link.course.versions
        ]
    courses = db.session.scalars(select(Course).where(Course.is_published)).all()
    offers = [Offer(c, c.current.is_required, c.current.pass_mark) for c in courses if c.versions]
    return sorted(offers, key=lambda offer: offer.version.position)


def offer_for(household: Household, slug: str) -> Offer | None:
    return next((offer for offer in offers_for(household) if offer.course.slug == slug), None)


# ---------------------------------------------------------------- the lesson page, read once


@dataclass(frozen=True)
class CourseRef:
    id: int
    slug: str


@dataclass(eq=False)
class LessonCopy:
    """A lesson as its page shows it, copied out of the database once per course version."""

    id: int
    position: int
    slug: str
    title: str
    html: str
    words: int
    course_version: VersionCopy

    @property
    def minutes(self) -> int:
        return max(1, round(self.words / 150))  # as Lesson.minutes


@dataclass(eq=False)
class VersionCopy:
    """What a lesson page reads of a course version (the names of ``CourseVersion``)."""

    id: int
    course_id: int
    version: int
    checksum: str
    title: str
    title_en: str
    course: CourseRef
    lessons: tuple[LessonCopy, ...] = ()


@dataclass(frozen=True)
class OfferCopy:
    """An offer as the lesson page needs it: ``offer.version`` and ``offer.course``."""

    course: CourseRef
    version: VersionCopy


#: (programme id, its settings, its courses and their current versions) → offers by slug;
#: a new version (``flask courses load``) or a changed programme is a new key, so every web
#: process sees it on its next request without being told
_PROGRAMMES: dict[tuple, dict[str, OfferCopy]] = {}
_PROGRAMMES_KEPT = 64


def forget_programmes() -> None:
    """Empty this process's copies of programmes (they are read again on the next page)."""
    _PROGRAMMES.clear()


def _programme_key(household_id: int) -> tuple:
    """See ``_programme_key_statement``: its rows for the household."""
    global _KEY_STATEMENT
    if _KEY_STATEMENT is None:  # built once: building it costs more than running it
        _KEY_STATEMENT = _programme_key_statement()
    rows = db.session.execute(_KEY_STATEMENT, {"household_id": household_id})
    return tuple(tuple(row) for row in rows)


_KEY_STATEMENT = None


def _programme_key_statement() -> Select:
    """One statement (``:household_id``): the household's programme (the active one of its
    province, the most recent year first), each course it offers and that course's current
    version (id and checksum); the rows themselves are the key of the copy. Without a
    programme, every published course (as ``offers_for``)."""
    current = aliased(CourseVersion)
    latest = (
        select(func.max(CourseVersion.version))
        .where(CourseVersion.course_id == Course.id)
        .scalar_subquery()
    )
    path = (
        select(Area.path)
        .join(Household, Household.area_id == Area.id)
        .where(Household.id == bindparam("household_id"))
        .scalar_subquery()
    )
    province_prefix = literal("/") + cast(Programme.area_id, String) + literal("/%")
    programme = (
        select(Programme.id)
        .where(Programme.is_active, path.like(province_prefix))
        .order_by(Programme.year.desc(), Programme.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    chosen = (
        select(
            Programme.id.label("programme"),
            Course.id.label("course"),
            Course.slug,
            ProgrammeCourse.position.label("position"),
            current.id,
            current.checksum,
        )
        .select_from(Programme)
        .join(ProgrammeCourse, ProgrammeCourse.programme_id == Programme.id)
        .join(Course, Course.id == ProgrammeCourse.course_id)
        .join(current, (current.course_id == Course.id) & (current.version == latest))
        .where(Programme.id == programme, Course.is_published)
    )
    everything = (
        select(
            cast(null(), Integer),
            Course.id,
            Course.slug,
            current.position,
            current.id,
            current.checksum,
        )
        .join(current, (current.course_id == Course.id) & (current.version == latest))
        .where(Course.is_published, programme.is_(None))
    )
    return chosen.union_all(everything).order_by("position", "course")


def _copy_programme(key: tuple) -> dict[str, OfferCopy]:
    versions = db.session.scalars(
        select(CourseVersion)
        .where(CourseVersion.id.in_([row[4] for row in key]))
        .options(selectinload(CourseVersion.lessons))
    ).all()
    by_id = {version.id: version for version in versions}
    offers = {}
    for _programme, course_id, slug, _position, version_id, checksum in key:
        version = by_id[version_id]
        copy = VersionCopy(
            version.id,
            course_id,
            version.version,
            checksum,
            version.title,
            version.title_en,
            CourseRef(course_id, slug),
        )
        copy.lessons = tuple(
            LessonCopy(
                lesson.id,
                lesson.position,
                lesson.slug,
                lesson.title,
                lesson.html,
                lesson.words,
                copy,
            )
            for lesson in version.lessons
        )
        offers[slug] = OfferCopy(copy.course, copy)
    return offers


def lesson_offer(household_id: int, slug: str) -> OfferCopy | None:
    """The course ``slug`` as the household's programme offers it, for its lesson pages:
    one statement per request; the programme, its courses and their lessons are read from
    the database once per programme and version, then kept by the process."""
    key = _programme_key(household_id)
    offers = _PROGRAMMES.get(key)
    if offers is None:
        offers = _copy_programme(key)
        if len(_PROGRAMMES) >= _PROGRAMMES_KEPT:
            _PROGRAMMES.clear()
        _PROGRAMMES[key] = offers
    return offers.get(slug)


# ---------------------------------------------------------------- progress


@dataclass(frozen=True)
class CourseStatus:
    offer: Offer
    finished: frozenset[str]
    best_percent: int | None
    passed: bool
    attempts: int
    #: the lesson to open next: the one last seen if unfinished, else the first unfinished
    next_lesson: Lesson | None
    #: the attempt with the best score (the first of them), if any
    best: QuizAttempt | None = None

    @property
    def lessons_total(self) -> int:
        return len(self.offer.version.lessons)

    @property
    def lessons_done(self) -> int:
        return sum(lesson.slug in self.finished for lesson in self.offer.version.lessons)

    @property
    def state(self) -> str:
        """not_started, reading, quiz (lessons read, quiz not passed) or done."""
        if self.passed and self.lessons_done == self.lessons_total:
            return "done"
        if self.lessons_done == self.lessons_total:
            return "quiz"
        return "reading" if self.finished or self.attempts else "not_started"

    def state_with(self, completion: Any) -> str:
        """The state as the completion rule sees it (``completion``: the course's
        ``CourseCompletion``, from certificates): attending a class counts as reading."""
        if completion is None:
            return self.state
        if completion.complete:
            return "done"
        if completion.attended_on is not None or completion.read_on is not None:
            return "quiz"
        return "reading" if self.finished or self.attempts else "not_started"


def course_statuses(household: Household) -> list[CourseStatus]:
    """Progress in every offered course, read with two queries."""
    offers = offers_for(household)
    progress = db.session.scalars(
        select(LessonProgress).where(LessonProgress.household_id == household.id)
    ).all()
    attempts = db.session.execute(
        select(CourseVersion.course_id, QuizAttempt)
        .join(CourseVersion, CourseVersion.id == QuizAttempt.course_version_id)
        .where(QuizAttempt.household_id == household.id)
        .order_by(QuizAttempt.submitted_at, QuizAttempt.id)
    ).all()
    statuses = []
    for offer in offers:
        rows = [p for p in progress if p.course_id == offer.course.id]
        finished = frozenset(p.lesson_slug for p in rows if p.finished_at)
        own = [a for course_id, a in attempts if course_id == offer.course.id]
        best = max(own, key=lambda a: a.percent, default=None)
        statuses.append(
            CourseStatus(
                offer,
                finished,
                best.percent if best else None,
                any(a.passed for a in own),
                len(own),
                _next_lesson(offer, rows),
                best,
            )
        )
    return statuses


def _next_lesson(offer: Offer, rows: Sequence[LessonProgress]) -> Lesson | None:
    lessons = offer.version.lessons
    unfinished = {p.lesson_slug for p in rows if not p.finished_at}
    seen = sorted((p for p in rows if p.lesson_slug in unfinished), key=lambda p: p.last_seen_at)
    if seen:
        return next((lesson for lesson in lessons if lesson.slug == seen[-1].lesson_slug), None)
    finished = {p.lesson_slug for p in rows if p.finished_at}
    return next((lesson for lesson in lessons if lesson.slug not in finished), None)


def _best_results(household_id: int) -> dict[int, tuple[int | None, int, bool]]:
    """course id → (best %, attempts, ever passed), over every version of the course."""
    statement = (
        select(
            CourseVersion.course_id,
            func.max(QuizAttempt.percent),
            func.count(QuizAttempt.id),
            func.max(case((QuizAttempt.passed, 1), else_=0)),
        )
        .join(CourseVersion, CourseVersion.id == QuizAttempt.course_version_id)
        .where(QuizAttempt.household_id == household_id)
        .group_by(CourseVersion.course_id)
    )
    return {
        course_id: (best, n, bool(passed))
        for course_id, best, n, passed in db.session.execute(statement)
    }


def lessons_finished(household_id: int, course: Course) -> tuple[int, int]:
    """(lessons of the current version the household finished, lessons in it)."""
    slugs = {lesson.slug for lesson in course.current.lessons}
    finished = set(
        db.session.scalars(
            select(LessonProgress.lesson_slug).where(
                LessonProgress.household_id == household_id,
                LessonProgress.course_id == course.id,
                LessonProgress.finished_at.is_not(None),
            )
        )
    )
    return len(slugs & finished), len(slugs)


def best_quiz_result(household_id: int, course: Course) -> tuple[int | None, bool]:
    """(best score in %, whether any attempt passed) for the course's quiz, any version."""
    best, _attempts, passed = _best_results(household_id).get(course.id, (None, 0, False))
    return best, passed


def _progress(household: Household, lesson: Lesson) -> LessonProgress:
    """The household's progress row for a lesson, created if needed (flushes only)."""
    course_id = lesson.course_version.course_id
    statement = select(LessonProgress).where(
        LessonProgress.household_id == household.id,
        LessonProgress.course_id == course_id,
        LessonProgress.lesson_slug == lesson.slug,
    )
    row = db.session.scalar(statement)
    if row is None:
        row = LessonProgress(
            household_id=household.id, course_id=course_id, lesson_slug=lesson.slug
        )
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # the same household opened it in another tab at the same moment
            row = db.session.scalar(statement)
    return row


#: how often reading a lesson again records it as the one to resume: a page read over
#: and over (the most opened page of all) makes no write in between
SEEN_EVERY = timedelta(minutes=5)


def open_lesson(household: Household, lesson: Lesson) -> None:
    """Remember the lesson the household is reading, to resume there; the first time its
    page is served, its reading clock starts. Written at most once per ``SEEN_EVERY``."""
    row = _progress(household, lesson)
    now = utcnow()
    if row.served_at is not None and now - row.last_seen_at < SEEN_EVERY:
        return
    row.last_seen_at = now
    if row.served_at is None:
        row.served_at = now
    db.session.commit()


#: a slow reader's pace, as ``Lesson.minutes`` counts it
WORDS_PER_MINUTE = 150


def reading_seconds(lesson: Lesson) -> int:
    """How long a lesson must have been open before it counts as read: a share
    (``LESSON_READING_SHARE``) of its estimated reading time."""
    share = current_app.config.get("LESSON_READING_SHARE", 0.3)
    return round(lesson.words * 60 / WORDS_PER_MINUTE * share)


def finish_lesson(household: Household, lesson: Lesson, assisted_by: User | None = None) -> None:
    """Mark a lesson as read ("Đã học xong"); finishing it again changes nothing.

    Rule: the lesson counts as read only once its page was served to the household at
    least ``reading_seconds`` ago, measured on the server. Finished in assisted mode
    (``assisted_by``, lms.assisted), it is recorded as assisted, and counts the same.
    """
    row = _progress(household, lesson)
    if row.finished_at is None:
        now = utcnow()
        opened = (now - row.served_at).total_seconds() if row.served_at else 0
        if opened < reading_seconds(lesson):
            db.session.rollback()
            raise RuleViolation(
                _l(
                    "Take your time: this lesson takes about %(minutes)d minutes to read. "
                    "Read it to the end, then tap “Done reading” again.",
                    minutes=lesson.minutes,
                )
            )
        row.finished_at = now
        row.assisted_by_id = assisted_by.id if assisted_by is not None else None
    row.last_seen_at = utcnow()
    db.session.commit()
    progress_changed.send(household_id=household.id)


# ---------------------------------------------------------------- quizzes


def score(questions: Sequence[Question], answers: Mapping[int, Sequence[int]]) -> int:
    """How many questions were answered exactly right (every right option, no wrong one)."""
    return sum(set(answers.get(q.position, ())) == set(q.answers) for q in questions)


def draw_questions(
    version: CourseVersion, rng: random.Random, avoid: frozenset[int] = frozenset()
) -> list[list[Any]]:
    """The questions of one attempt: the course's number of them, at least one about every
    lesson, preferring those not in ``avoid`` (the last attempt's); shuffled, each with its
    options shuffled: [[question position, [option numbers in the order shown]], …]."""
    bank = list(version.questions)
    count = min(version.questions_per_attempt, len(bank))

    def pick(pool: list[Question], n: int) -> list[Question]:
        fresh = [q for q in pool if q.position not in avoid]
        seen = [q for q in pool if q.position in avoid]
        rng.shuffle(fresh)
        rng.shuffle(seen)
        return (fresh + seen)[:n]

    lessons = sorted({q.lesson_position or 0 for q in bank})
    chosen = [pick([q for q in bank if (q.lesson_position or 0) == n], 1)[0] for n in lessons]
    chosen = pick(chosen, count) if len(chosen) > count else chosen
    chosen += pick([q for q in bank if q not in chosen], count - len(chosen))
    rng.shuffle(chosen)
    return [[q.position, rng.sample(range(1, len(q.options) + 1), len(q.options))] for q in chosen]


@dataclass(frozen=True)
class QuizLock:
    """Why the quiz is closed for today, and what to do meanwhile."""

    opens_on: date
    #: lessons about the questions answered wrong today, to read again
    lessons: list[Lesson]
    #: failed attempts allowed a day
    limit: int


def _day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), PROGRAMME_TIMEZONE)


class QuizClosed(RuleViolation):
    """The quiz waits for the next day; ``lock`` says until when and what to do meanwhile."""

    def __init__(self, lock: QuizLock) -> None:
        super().__init__(
            _l(
                "You have taken this quiz %(n)d times today without passing. It opens again "
                "tomorrow, %(day)s: read the lessons again first.",
                n=lock.limit,
                day=lock.opens_on.strftime("%d/%m/%Y"),
            )
        )
        self.lock = lock


def quiz_lock(household: Household, offer: Offer) -> QuizLock | None:
    """The quiz is closed until tomorrow after the programme's number of failed attempts
    (3 unless it says otherwise) today, unless the household has passed it already."""
    attempts = db.session.scalars(
        select(QuizAttempt)
        .join(CourseVersion, CourseVersion.id == QuizAttempt.course_version_id)
        .where(
            QuizAttempt.household_id == household.id,
            CourseVersion.course_id == offer.course.id,
        )
    ).all()
    if any(a.passed for a in attempts):
        return None
    start = _day_start(today())
    failed = [a for a in attempts if a.submitted_at >= start]
    if len(failed) < offer.failed_attempts_per_day:
        return None
    positions = set()
    for attempt in failed:
        for question, _order in attempt.drawn_questions():
            if set(attempt.answers.get(str(question.position), ())) != set(question.answers):
                positions.add(question.lesson_position)
    lessons = [lesson for lesson in offer.version.lessons if lesson.position in positions]
    return QuizLock(today() + timedelta(days=1), lessons, offer.failed_attempts_per_day)


def start_quiz(household: Household, offer: Offer) -> QuizDraw:
    """The quiz form to show: the household's draw of this quiz not yet submitted, or a new
    draw (a retake draws again). Refused (``QuizClosed``) while the quiz is closed for the
    day."""
    lock = quiz_lock(household, offer)
    if lock is not None:
        raise QuizClosed(lock)
    version = offer.version
    pending = db.session.scalar(
        select(QuizDraw)
        .where(
            QuizDraw.household_id == household.id,
            QuizDraw.course_version_id == version.id,
            QuizDraw.submitted_at.is_(None),
        )
        .order_by(QuizDraw.id.desc())
        .limit(1)
    )
    if pending is not None:
        return pending
    last = db.session.scalar(
        select(QuizAttempt)
        .where(
            QuizAttempt.household_id == household.id,
            QuizAttempt.course_version_id == version.id,
        )
        .order_by(QuizAttempt.id.desc())
        .limit(1)
    )
    avoid = frozenset(position for position, _order in (last.drawn or [])) if last else frozenset()
    draw = QuizDraw(
        household_id=household.id,
        course_version_id=version.id,
        nonce=secrets.token_urlsafe(16),
        drawn=draw_questions(version, random.SystemRandom(), avoid),
    )
    db.session.add(draw)
    db.session.commit()
    return draw


def draw_with_nonce(household: Household, nonce: str) -> QuizDraw | None:
    return db.session.scalar(
        select(QuizDraw).where(QuizDraw.household_id == household.id, QuizDraw.nonce == nonce)
    )


def submit_quiz(
    user: User,
    household: Household,
    offer: Offer,
    answers: Mapping[int, Sequence[int]],
    nonce: str,
    assisted_by: User | None = None,
    origin: Origin | None = None,
) -> QuizAttempt:
    """Score a quiz on the server and record the attempt.

    Rules: the answers are to the questions drawn for the form (``nonce``, from
    ``start_quiz``), and every one of them must be answered; the same form submitted twice
    records one attempt, also when both arrive at once; after the programme's number of
    failed attempts in a day, the next waits for the next day. An attempt made in assisted
    mode records who helped (``assisted_by``); ``origin`` is the device and address it came
    from, hashed (lms.core.origin), for the proxy flags.
    """
    existing = _attempt_with_nonce(household, nonce)
    if existing is not None:
        return existing
    version = offer.version
    draw = draw_with_nonce(household, nonce)
    if draw is None or draw.course_version_id != version.id:
        raise RuleViolation(_l("This quiz form is out of date: here are its questions again."))
    lock = quiz_lock(household, offer)
    if lock is not None:
        raise QuizClosed(lock)
    drawn = draw.drawn_questions()
    missing = [n for n, (q, _order) in enumerate(drawn, start=1) if not answers.get(q.position)]
    if missing:
        raise RuleViolation(
            _l("Please answer every question (question %(n)s is not answered).", n=missing[0])
        )
    questions = [q for q, _order in drawn]
    correct = score(questions, answers)
    total = len(questions)
    percent = round(100 * correct / total)
    attempt = QuizAttempt(
        household_id=household.id,
        course_version_id=version.id,
        user_id=user.id,
        nonce=nonce,
        answers={str(q.position): sorted(answers[q.position]) for q in questions},
        drawn=draw.drawn,
        correct=correct,
        total=total,
        percent=percent,
        pass_mark=offer.pass_mark,
        passed=percent >= offer.pass_mark,
        assisted_by_id=assisted_by.id if assisted_by is not None else None,
        device_hash=origin.device_hash if origin else None,
        address_hash=origin.address_hash if origin else None,
    )
    db.session.add(attempt)
    draw.submitted_at = utcnow()
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return _attempt_with_nonce(household, nonce)
    record_event(
        user, "quiz.submit", attempt, after={"course": offer.course.slug, "percent": percent}
    )
    db.session.commit()
    progress_changed.send(household_id=household.id)
    return attempt


def _attempt_with_nonce(household: Household, nonce: str) -> QuizAttempt | None:
    statement = select(QuizAttempt).where(
        QuizAttempt.household_id == household.id, QuizAttempt.nonce == nonce
    )
    return db.session.scalar(statement)


def completed_the_programme(attempt: QuizAttempt, certificate: Any) -> bool:
    """Whether this passed attempt is the one that completed the programme: the household's
    last attempt before its certificate was issued."""
    if not attempt.passed or attempt.submitted_at > certificate.issued_at:
        return False
    later = db.session.scalar(
        select(func.count()).where(
            QuizAttempt.household_id == attempt.household_id,
            QuizAttempt.submitted_at > attempt.submitted_at,
            QuizAttempt.submitted_at <= certificate.issued_at,
        )
    )
    return not later


def attempts_of(household: Household) -> list[QuizAttempt]:
    statement = (
        select(QuizAttempt)
        .where(QuizAttempt.household_id == household.id)
        .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc())
    )
    return list(db.session.scalars(statement))


# ---------------------------------------------------------------- administration


@dataclass(frozen=True)
class CourseNumbers:
    started: int
    finished: int
    attempts: int
    pass_rate: int | None


def course_numbers(course: Course) -> CourseNumbers:
    """Learners who started and finished every lesson, quiz attempts and the pass rate."""
    slugs = [lesson.slug for lesson in course.current.lessons]
    per_household = (
        select(
            LessonProgress.household_id,
            func.count()
            .filter(LessonProgress.finished_at.is_not(None), LessonProgress.lesson_slug.in_(slugs))
            .label("done"),
        )
        .where(LessonProgress.course_id == course.id)
        .group_by(LessonProgress.household_id)
        .subquery()
    )
    started, finished = db.session.execute(
        select(func.count(), func.count().filter(per_household.c.done == len(slugs)))
    ).one()
    attempts, passed = db.session.execute(
        select(func.count(), func.count().filter(QuizAttempt.passed))
        .join(CourseVersion, CourseVersion.id == QuizAttempt.course_version_id)
        .where(CourseVersion.course_id == course.id)
    ).one()
    return CourseNumbers(
        started, finished, attempts, round(100 * passed / attempts) if attempts else None
    )


def list_courses() -> list[Course]:
    courses = db.session.scalars(select(Course)).all()
    return sorted((c for c in courses if c.versions), key=lambda c: c.current.position)


def set_published(actor: User, course: Course, published: bool) -> None:
    course.is_published = published
    record_event(actor, "course.publish" if published else "course.hide", course)
    db.session.commit()


@rollback_on_violation
def save_programme(
    actor: User,
    programme: Programme | None,
    fields: Mapping[str, Any],
    choices: Mapping[int, dict[str, Any]],
) -> Programme:
    """Create (``programme`` is None) or edit a programme: its name, province and year, which
    courses it lists, which it requires, and their pass marks.

    ``choices`` maps a course id to {"included", "required", "pass_mark"}. Rules: a pass mark
    goes from 50 to 100 (None keeps the course's own); a programme requires at least one course.
    """
    if not any(c.get("included") and c.get("required") for c in choices.values()):
        raise RuleViolation(_l("A programme requires at least one course."))
    for choice in choices.values():
        mark = choice.get("pass_mark")
        if choice.get("included") and mark is not None and not 50 <= mark <= 100:
            raise RuleViolation(_l("A pass mark goes from 50 to 100."))
    before = _programme_snapshot(programme) if programme else None
    if programme is None:
        programme = Programme(is_active=True)
        db.session.add(programme)
    programme.name = clean(fields["name"])
    programme.area_id = fields["area_id"]
    programme.year = fields["year"]
    programme.failed_attempts_per_day = fields.get("failed_attempts_per_day") or 3
    links = {link.course_id: link for link in programme.courses}
    for course_id, choice in choices.items():
        link = links.get(course_id)
        if not choice.get("included"):
            if link is not None:
                programme.courses.remove(link)
            continue
        if link is None:
            link = ProgrammeCourse(course_id=course_id, position=len(programme.courses) + 1)
            programme.courses.append(link)
        link.is_required = bool(choice.get("required"))
        link.pass_mark = choice.get("pass_mark")
    db.session.flush()
    action = "programme.update" if before else "programme.create"
    record_event(actor, action, programme, before=before, after=_programme_snapshot(programme))
    db.session.commit()
    return programme


def _programme_snapshot(programme: Programme) -> dict[str, Any]:
    return {
        "name": programme.name,
        "year": programme.year,
        "failed_attempts_per_day": programme.failed_attempts_per_day,
        "courses": {str(c.course_id): [c.is_required, c.pass_mark] for c in programme.courses},
    }
