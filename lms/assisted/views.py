"""Assisted mode (the helper's own login, acting for a household present at a session, under
the banner "Đang hỗ trợ hộ …") and the officials' proxy flags. See ``lms.assisted.services``
for why the helper never logs in as the household."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms.assisted import proxies, services
from lms.assisted.models import Assist
from lms.attendance.models import ClassSession
from lms.core.errors import RuleViolation
from lms.core.forms import attach_error
from lms.core.models import utcnow
from lms.core.origin import request_origin
from lms.core.permissions import ASSISTERS, OFFICIALS, can_assist, require
from lms.core.scope import get_or_404, role_required
from lms.courses import services as courses
from lms.courses.forms import QuizForm, chosen_answers
from lms.courses.models import QuizAttempt
from lms.households.models import Household

bp = Blueprint("assisted", __name__, url_prefix="/assisted")

#: where the open assisted mode is remembered: the helper's own session cookie
ASSIST_KEY = "assist_id"


def _assist() -> Assist | None:
    return services.current_assist(current_user, session.get(ASSIST_KEY))


def _assisting() -> Assist:
    """The open assisted mode, or back to the helper's sessions: every learning page needs it."""
    assist = _assist()
    if assist is None:
        session.pop(ASSIST_KEY, None)
        abort(redirect(url_for("assisted.index")))
    return assist


@bp.get("/")
@role_required(*ASSISTERS)
def index() -> str:
    return render_template(
        "assisted/index.html", sessions=services.sessions_today(current_user), assist=_assist()
    )


@bp.get("/sessions/<int:session_id>")
@role_required(*ASSISTERS)
def roster(session_id: int, error: str | None = None) -> str:
    class_session = get_or_404(ClassSession, session_id)
    require(can_assist(current_user, class_session))
    return render_template(
        "assisted/roster.html",
        session=class_session,
        marks=services.roster(current_user, class_session),
        is_today=services.is_today(class_session),
        assist=_assist(),
        error=error,
    )


@bp.post("/sessions/<int:session_id>/households/<int:household_id>")
@role_required(*ASSISTERS)
def open_assist(session_id: int, household_id: int) -> Response | tuple[str, int]:
    class_session = get_or_404(ClassSession, session_id)
    require(can_assist(current_user, class_session))
    household = get_or_404(Household, household_id)
    try:
        assist = services.open_assist(current_user, class_session, household)
    except RuleViolation as error:
        return roster(session_id, error=str(error.message)), 400
    session[ASSIST_KEY] = assist.id
    return redirect(url_for("assisted.learn"))


@bp.post("/end")
@role_required(*ASSISTERS)
def end() -> Response:
    assist = _assist()
    session.pop(ASSIST_KEY, None)
    if assist is None:
        return redirect(url_for("assisted.index"))
    services.end_assist(current_user, assist)
    flash(_("Assisted mode has ended."), "success")
    return redirect(url_for("assisted.roster", session_id=assist.session_id))


@bp.get("/learn/")
@role_required(*ASSISTERS)
def learn() -> str:
    assist = _assisting()
    return render_template(
        "assisted/courses.html", assist=assist, statuses=courses.course_statuses(assist.household)
    )


def _offer(assist: Assist, slug: str) -> courses.Offer:
    offer = courses.offer_for(assist.household, slug)
    if offer is None:
        abort(404)
    return offer


def _lesson(offer: courses.Offer, position: int):
    lessons = offer.version.lessons
    if not 1 <= position <= len(lessons):
        abort(404)
    return lessons[position - 1]


def _lesson_page(assist: Assist, offer, lesson, error: str | None = None) -> str:
    page = render_template(
        "assisted/lesson.html", assist=assist, offer=offer, lesson=lesson, error=error
    )
    courses.open_lesson(assist.household, lesson)  # serving it starts its reading clock
    return page


@bp.get("/learn/<slug>/<int:position>")
@role_required(*ASSISTERS)
def lesson(slug: str, position: int) -> str:
    assist = _assisting()
    offer = _offer(assist, slug)
    return _lesson_page(assist, offer, _lesson(offer, position))


@bp.post("/learn/<slug>/<int:position>/done")
@role_required(*ASSISTERS)
def lesson_done(slug: str, position: int) -> Response | tuple[str, int]:
    assist = _assisting()
    offer = _offer(assist, slug)
    lesson = _lesson(offer, position)
    try:
        services.finish_lesson(assist, lesson)
    except RuleViolation as error:
        return _lesson_page(assist, offer, lesson, str(error.message)), 400
    if position < len(offer.version.lessons):
        return redirect(url_for("assisted.lesson", slug=slug, position=position + 1))
    return redirect(url_for("assisted.quiz", slug=slug))


@bp.route("/learn/<slug>/quiz", methods=["GET", "POST"])
@role_required(*ASSISTERS)
def quiz(slug: str) -> Response | tuple[str, int]:
    assist = _assisting()
    offer = _offer(assist, slug)
    form = QuizForm()
    chosen = chosen_answers(offer.version.questions)
    if form.validate_on_submit():
        try:
            attempt = services.submit_quiz(
                assist, offer, chosen, form.nonce.data, origin=request_origin()
            )
        except RuleViolation as error:
            attach_error(form, error)
        else:
            return redirect(url_for("assisted.attempt", attempt_id=attempt.id))
    status = 400 if request.method == "POST" else 200
    try:
        draw = courses.start_quiz(assist.household, offer)
    except courses.QuizClosed as closed:
        flash(str(closed.message), "error")
        return redirect(url_for("assisted.learn"))
    form.nonce.data = draw.nonce
    return render_template(
        "assisted/quiz.html",
        assist=assist,
        offer=offer,
        form=form,
        drawn=draw.drawn_questions(),
        chosen=chosen,
    ), status


@bp.get("/learn/results/<int:attempt_id>")
@role_required(*ASSISTERS)
def attempt(attempt_id: int) -> str:
    assist = _assisting()
    record = get_or_404(QuizAttempt, attempt_id)
    if record.household_id != assist.household_id:
        abort(404)
    return render_template("assisted/attempt.html", assist=assist, attempt=record)


# ---------------------------------------------------------------- officials


@bp.get("/flags")
@role_required(*OFFICIALS)
def proxy_flags() -> str:
    days = request.args.get("days", 7, type=int)
    days = days if days in (1, 7, 30, 90) else 7
    flags = proxies.proxy_flags(current_user, utcnow() - timedelta(days=days))
    return render_template("assisted/flags.html", flags=flags, days=days, proxies=proxies)
