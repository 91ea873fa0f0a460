"""Learner screens ("Khóa học của tôi", lessons, quizzes, results) and course administration."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from lms.areas.forms import area_choices
from lms.areas.models import AreaLevel
from lms.auth.models import Role
from lms.core.errors import RuleViolation
from lms.core.forms import attach_error
from lms.core.models import utcnow
from lms.core.origin import request_origin
from lms.core.scope import get_or_404, role_required
from lms.courses import services
from lms.courses.forms import ProgrammeForm, QuizForm, chosen_answers
from lms.courses.models import Course, CourseVersion, LessonImage, Programme, QuizAttempt
from lms.extensions import db
from lms.offline.services import DeviceClock, finish_lesson_offline, is_prefetch

bp = Blueprint("courses", __name__, url_prefix="/learn")


@bp.app_context_processor
def inject_localized() -> dict:
    def localized(version: CourseVersion, field: str) -> str:
        """A course's title or summary in the interface's language (Vietnamese, or English)."""
        english = getattr(version, f"{field}_en", "")
        return english if str(get_locale()) == "en" and english else getattr(version, field)

    return {"localized": localized}


def _offer(slug: str) -> services.Offer:
    offer = services.offer_for(current_user.household, slug)
    if offer is None:
        abort(404)
    return offer


def _lesson(offer, position: int):
    lessons = offer.version.lessons
    if not 1 <= position <= len(lessons):
        abort(404)
    return lessons[position - 1]


@bp.get("/")
@role_required(Role.HOUSEHOLD)
def my_courses() -> str:
    # certificates build on courses: the completion rule is theirs
    from lms.certificates.completion import completion_for
    from lms.certificates.services import valid_certificate

    household = current_user.household
    completion = completion_for(household)
    return render_template(
        "courses/my_courses.html",
        household=household,
        statuses=services.course_statuses(household),
        completions={c.offer.course.id: c for c in completion.courses},
        certificate=valid_certificate(household.id),
    )


@bp.get("/<slug>/")
@role_required(Role.HOUSEHOLD)
def course(slug: str) -> Response:
    """Resume: the lesson the learner stopped at, or the quiz once every lesson is read."""
    offer = _offer(slug)
    status = next(
        s
        for s in services.course_statuses(current_user.household)
        if s.offer.course.id == offer.course.id
    )
    if status.next_lesson is None:
        return redirect(url_for("courses.quiz", slug=slug))
    return redirect(url_for("courses.lesson", slug=slug, position=status.next_lesson.position))


#: (course version id, its checksum, lesson position, language) → the lesson's text rendered
_BODIES: dict[tuple, Markup] = {}
_BODIES_KEPT = 512


def _body(lesson) -> Markup:
    """The lesson's text as ``courses/_lesson_body.html`` renders it, once per lesson
    version and language (a lesson never changes within a version: a new one is loaded)."""
    version = lesson.course_version
    key = (version.id, version.checksum, lesson.position, str(get_locale()))
    body = _BODIES.get(key)
    if body is None:
        # rendered by Jinja with autoescape: only the lesson's loaded HTML is marked safe there
        body = Markup(render_template("courses/_lesson_body.html", lesson=lesson))  # noqa: S704
        if len(_BODIES) >= _BODIES_KEPT:
            _BODIES.clear()
        _BODIES[key] = body
    return body


def _lesson_page(offer, lesson, error: str | None = None) -> str:
    """The lesson as served to the household: serving it starts its reading clock."""
    page = render_template(
        "courses/lesson.html",
        offer=offer,
        lesson=lesson,
        body=_body(lesson),
        preview=False,
        error=error,
    )
    if not is_prefetch():  # a page kept for offline reading is not being read yet
        services.open_lesson(current_user.household, lesson)  # after: committing expires it
    return page


@bp.get("/<slug>/<int:position>")
@role_required(Role.HOUSEHOLD)
def lesson(slug: str, position: int) -> str:
    """The most opened page: its course and lessons come from the process's copy of the
    programme (``services.lesson_offer``), its text from ``_body``."""
    offer = services.lesson_offer(current_user.household_id, slug)
    if offer is None:
        abort(404)
    return _lesson_page(offer, _lesson(offer, position))


@bp.post("/<slug>/<int:position>/done")
@role_required(Role.HOUSEHOLD)
def lesson_done(slug: str, position: int) -> Response | tuple[str, int]:
    offer = _offer(slug)
    lesson = _lesson(offer, position)
    clock = DeviceClock.of(request.form)  # tapped offline, sent later (lms.offline)
    try:
        if clock is not None:
            finish_lesson_offline(current_user, current_user.household, lesson, clock, request.form)
        else:
            services.finish_lesson(current_user.household, lesson)
    except RuleViolation as error:
        return _lesson_page(offer, lesson, str(error.message)), 400
    if position < len(offer.version.lessons):
        return redirect(url_for("courses.lesson", slug=slug, position=position + 1))
    flash(_("You have read every lesson of this course. Now take the quiz."), "success")
    return redirect(url_for("courses.quiz", slug=slug))


@bp.route("/<slug>/quiz", methods=["GET", "POST"])
@role_required(Role.HOUSEHOLD)
def quiz(slug: str) -> Response | tuple[str, int]:
    offer = _offer(slug)
    household = current_user.household
    form = QuizForm()
    chosen = chosen_answers(offer.version.questions)
    if form.validate_on_submit():
        try:
            attempt = services.submit_quiz(
                current_user, household, offer, chosen, form.nonce.data, origin=request_origin()
            )
        except RuleViolation as error:
            attach_error(form, error)
        else:
            return redirect(url_for("courses.attempt", attempt_id=attempt.id))
    status = 400 if request.method == "POST" else 200
    try:
        draw = services.start_quiz(household, offer)
    except services.QuizClosed as closed:
        return render_template(
            "courses/quiz_closed.html",
            offer=offer,
            lock=closed.lock,
            next_class=_next_class(household, offer.course),
        ), 403 if request.method == "POST" else 200
    form.nonce.data = draw.nonce
    return render_template(
        "courses/quiz.html", offer=offer, form=form, drawn=draw.drawn_questions(), chosen=chosen
    ), status


def _next_class(household, course: Course):
    """The next class session of the course in the household's commune, if one is planned."""
    from lms.attendance.models import ClassSession, session_courses  # attendance builds on us

    return db.session.scalar(
        select(ClassSession)
        .join(session_courses, session_courses.c.session_id == ClassSession.id)
        .where(
            session_courses.c.course_id == course.id,
            ClassSession.area_id == household.area_id,
            ClassSession.starts_at > utcnow(),
            ClassSession.cancelled_at.is_(None),
        )
        .order_by(ClassSession.starts_at)
        .limit(1)
    )


@bp.get("/results/<int:attempt_id>")
@login_required
def attempt(attempt_id: int) -> str:
    from lms.certificates.services import valid_certificate, verification_url

    attempt = get_or_404(QuizAttempt, attempt_id)
    certificate = valid_certificate(attempt.household_id) if attempt.passed else None
    if certificate is not None and not services.completed_the_programme(attempt, certificate):
        certificate = None  # announced on the pass page that completed the programme only
    version = attempt.course_version
    return render_template(
        "courses/attempt.html",
        attempt=attempt,
        version=version,
        review=attempt.drawn_questions(),
        lessons={lesson.position: lesson for lesson in version.lessons},
        certificate=certificate,
        verify_url=verification_url(certificate) if certificate else None,
    )


@bp.get("/results/")
@role_required(Role.HOUSEHOLD)
def results() -> str:
    return render_template(
        "courses/results.html", attempts=services.attempts_of(current_user.household)
    )


@bp.get("/media/<int:version_id>/<name>")
@login_required
def media(version_id: int, name: str) -> Response:
    """A lesson's image: it never changes for a version, so phones may keep it for good."""
    image = db.session.scalar(
        select(LessonImage).where(
            LessonImage.course_version_id == version_id, LessonImage.name == name
        )
    )
    if image is None:
        abort(404)
    response = Response(image.data, mimetype=image.content_type)
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


# ---------------------------------------------------------------- administration


@bp.get("/admin/")
@role_required(Role.ADMIN)
def admin() -> str:
    courses = services.list_courses()
    numbers = {course.id: services.course_numbers(course) for course in courses}
    programmes = db.session.scalars(select(Programme).order_by(Programme.year.desc())).all()
    return render_template(
        "courses/admin.html", courses=courses, numbers=numbers, programmes=programmes
    )


@bp.get("/admin/<slug>/<int:version>/<int:position>")
@role_required(Role.ADMIN)
def preview(slug: str, version: int, position: int) -> str:
    course_version = db.session.scalar(
        select(CourseVersion)
        .join(Course)
        .where(Course.slug == slug, CourseVersion.version == version)
    )
    if course_version is None or not 1 <= position <= len(course_version.lessons):
        abort(404)
    offer = services.Offer(
        course_version.course, course_version.is_required, course_version.pass_mark
    )
    return render_template(
        "courses/lesson.html",
        offer=offer,
        lesson=course_version.lessons[position - 1],
        preview=True,
    )


@bp.post("/admin/<slug>/publish")
@role_required(Role.ADMIN)
def publish(slug: str) -> Response:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    services.set_published(current_user, course, request.form.get("published") == "1")
    return redirect(url_for("courses.admin"))


@bp.route("/admin/programmes/new", methods=["GET", "POST"])
@bp.route("/admin/programmes/<int:programme_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def programme(programme_id: int | None = None) -> Response | tuple[str, int]:
    record = db.session.get(Programme, programme_id) if programme_id else None
    if programme_id and record is None:
        abort(404)
    form = ProgrammeForm(obj=record)
    form.area_id.choices = area_choices(current_user, level=AreaLevel.PROVINCE)
    if form.validate_on_submit():
        choices = {
            course.id: {
                "included": request.form.get(f"include-{course.id}") == "1",
                "required": request.form.get(f"required-{course.id}") == "1",
                "pass_mark": request.form.get(f"pass-{course.id}", type=int),
            }
            for course in services.list_courses()
        }
        try:
            saved = services.save_programme(current_user, record, form.data, choices)
        except RuleViolation as error:
            attach_error(form, error)
        else:
            flash(_("The programme was saved."), "success")
            return redirect(url_for("courses.programme", programme_id=saved.id))
    links = {link.course_id: link for link in record.courses} if record else {}
    status = 400 if request.method == "POST" else 200
    return render_template(
        "courses/programme.html",
        form=form,
        programme=record,
        links=links,
        courses=services.list_courses(),
    ), status
