"""Courses, their versions, lessons and quizzes; what households did with them; programmes.

Content is authored as files under ``courses/`` and loaded into versions: a loaded version
never changes, so a quiz attempt always points at the questions it was taken on.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import Base, utcnow

if TYPE_CHECKING:
    from lms.areas.models import Area


class Course(Base):
    """A course's stable identity: its folder name. Its content lives in versions."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    #: hidden courses are not offered to learners (their records stay)
    is_published: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course", order_by="CourseVersion.version"
    )

    @property
    def current(self) -> CourseVersion:
        return self.versions[-1]


class CourseVersion(Base):
    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    version: Mapped[int]
    #: SHA-256 of the course's files: an unchanged folder loads no new version
    checksum: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(160))
    title_en: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)
    position: Mapped[int]
    is_required: Mapped[bool]
    #: % of questions right to pass, unless the programme says otherwise
    pass_mark: Mapped[int]
    minutes: Mapped[int]
    #: how many questions of the bank one attempt draws
    questions_per_attempt: Mapped[int] = mapped_column(default=10)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="versions")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course_version", order_by="Lesson.position"
    )
    questions: Mapped[list[Question]] = relationship(order_by="Question.position")


class Lesson(Base):
    __tablename__ = "lessons"
    __table_args__ = (UniqueConstraint("course_version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"), index=True)
    #: 1, 2, 3 … in the course
    position: Mapped[int]
    #: the file name without its number: progress follows it from version to version
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    #: rendered from Markdown when loaded (no raw HTML allowed in the source)
    html: Mapped[str] = mapped_column(Text)
    words: Mapped[int]

    course_version: Mapped[CourseVersion] = relationship(back_populates="lessons")

    @property
    def minutes(self) -> int:
        """Reading time at 150 words a minute, a slow reader's pace."""
        return max(1, round(self.words / 150))


class LessonImage(Base):
    """A picture a lesson shows, stored with its version so old versions stay whole."""

    __tablename__ = "lesson_images"
    __table_args__ = (UniqueConstraint("course_version_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("course_version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON)
    #: the right options, 1 = the first
    answers: Mapped[list[int]] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text)
    #: the position of the lesson the question is about (None: versions loaded before banks)
    lesson_position: Mapped[int | None]

    @property
    def has_several_answers(self) -> bool:
        return len(self.answers) > 1


class LessonProgress(Base):
    """A household opened, then finished, a lesson of a course (any version)."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("household_id", "course_id", "lesson_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    lesson_slug: Mapped[str] = mapped_column(String(120))
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when the lesson page was first served to the household: its reading clock starts here
    served_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: the trainer or digital team member beside the household when it finished the lesson
    #: (assisted mode, lms.assisted); None: read alone
    assisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class QuizAttempt(Base):
    """One submitted quiz, scored on the server against the version it was taken on."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (UniqueConstraint("household_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"), index=True)
    #: the member who answered
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: one per quiz form shown: submitting the same form twice records one attempt
    nonce: Mapped[str] = mapped_column(String(40))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: question position (as text) → the options chosen
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: the questions drawn, in the order shown, each with its options' order:
    #: [[question position, [option numbers as shown]], …] (None: attempts before banks)
    drawn: Mapped[list[list[Any]] | None] = mapped_column(JSON)
    correct: Mapped[int]
    total: Mapped[int]
    percent: Mapped[int]
    #: the pass mark in force when the quiz was taken
    pass_mark: Mapped[int]
    passed: Mapped[bool]
    #: the trainer or digital team member who helped (assisted mode, lms.assisted)
    assisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: a hash of the device cookie and a keyed hash of the address it was sent from
    #: (lms.core.origin): what the proxy flags compare, never the address itself
    device_hash: Mapped[str | None] = mapped_column(String(32), index=True)
    address_hash: Mapped[str | None] = mapped_column(String(32), index=True)

    course_version: Mapped[CourseVersion] = relationship()

    @property
    def is_assisted(self) -> bool:
        return self.assisted_by_id is not None

    def drawn_questions(self) -> list[tuple[Question, list[int]]]:
        """The questions as the household saw them, each with its options' order."""
        return _as_drawn(self.course_version, self.drawn)


class QuizDraw(Base):
    """A quiz form shown to a household: the questions drawn from the bank and their options'
    order. Submitting it (its nonce) makes the attempt; until then, showing the quiz again
    shows the same draw."""

    __tablename__ = "quiz_draws"
    __table_args__ = (UniqueConstraint("household_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(40))
    #: as QuizAttempt.drawn
    drawn: Mapped[list[list[Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: set when the draw was submitted: it is never shown again
    submitted_at: Mapped[datetime | None]

    course_version: Mapped[CourseVersion] = relationship()

    def drawn_questions(self) -> list[tuple[Question, list[int]]]:
        return _as_drawn(self.course_version, self.drawn)


def _as_drawn(
    version: CourseVersion, drawn: list[list[Any]] | None
) -> list[tuple[Question, list[int]]]:
    by_position = {q.position: q for q in version.questions}
    if drawn is None:  # an attempt from before question banks: every question, as authored
        return [(q, list(range(1, len(q.options) + 1))) for q in version.questions]
    return [(by_position[position], list(order)) for position, order in drawn]


class Programme(Base):
    """The training a province asks for: its courses and their pass marks; one active per
    province and year."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: the province the programme covers
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    year: Mapped[int]
    is_active: Mapped[bool] = mapped_column(default=True)
    #: failed attempts of one course's quiz a household may make in a day; the next waits
    #: for the next day
    failed_attempts_per_day: Mapped[int] = mapped_column(default=3)

    area: Mapped[Area] = relationship()
    courses: Mapped[list[ProgrammeCourse]] = relationship(
        back_populates="programme",
        order_by="ProgrammeCourse.position",
        cascade="all, delete-orphan",
    )


class ProgrammeCourse(Base):
    __tablename__ = "programme_courses"
    __table_args__ = (UniqueConstraint("programme_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    is_required: Mapped[bool] = mapped_column(default=True)
    #: None: the course's own pass mark
    pass_mark: Mapped[int | None]

    programme: Mapped[Programme] = relationship(back_populates="courses")
    course: Mapped[Course] = relationship()
