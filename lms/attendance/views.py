"""Trainer screens: "Buổi tập huấn", planning, the roster, marking on a phone, self check-in,
the printed sign-in sheet and attendance exports."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from lms.attendance import exporting, services
from lms.attendance.forms import (
    CheckinForm,
    ExportForm,
    MarksForm,
    PhonesForm,
    SessionForm,
    WalkInForm,
    submitted_marks,
    to_utc,
)
from lms.attendance.models import MARK_LABELS, ClassSession, EnrolmentSource, MarkStatus
from lms.attendance.tasks import cards as cards_task
from lms.auth import cards as login_cards
from lms.auth.models import Role
from lms.core.errors import RuleViolation
from lms.core.forms import attach_error, flash_form_errors, select_choices
from lms.core.models import PROGRAMME_TIMEZONE, utcnow
from lms.core.origin import request_origin
from lms.core.pdf import html_to_pdf, qr_svg
from lms.core.permissions import STAFF, TRAINERS, can_run_session, require
from lms.core.scope import communes_in_scope, get_all_or_404, get_or_404, role_required
from lms.core.web import download
from lms.courses.services import list_courses
from lms.extensions import db
from lms.households.models import Household
from lms.jobs.services import start_job
from lms.offline.services import DeviceClock, mark_times

bp = Blueprint("attendance", __name__, url_prefix="/sessions")


@bp.app_context_processor
def inject_labels() -> dict:
    return {
        "mark_label": lambda status: str(MARK_LABELS[MarkStatus(status)]),
        "mark_labels": MARK_LABELS,
    }


@bp.get("/")
@role_required(*STAFF)
def sessions() -> str:
    page = services.list_sessions(current_user, request.args.get("page", 1, type=int))
    return render_template(
        "attendance/sessions.html", page=page, export=ExportForm(meta={"csrf": False})
    )


@bp.get("/<int:session_id>")
@role_required(*STAFF)
def detail(session_id: int) -> str:
    session = get_or_404(ClassSession, session_id)
    return render_template(
        "attendance/detail.html",
        session=session,
        totals=services.status_totals(session),
        locked=services.is_locked(session),
        can_restore=services.can_restore(session),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.TRAINER)
def create() -> Response | tuple[str, int]:
    return _save(None)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@role_required(*TRAINERS)
def edit(session_id: int) -> Response | tuple[str, int]:
    return _save(get_or_404(ClassSession, session_id))


#: a session left without an end lasts this long
DEFAULT_LENGTH = timedelta(hours=2)


def _save(session: ClassSession | None) -> Response | tuple[str, int]:
    form = SessionForm(obj=session)
    courses = list_courses()
    form.course_ids.choices = select_choices((c.id, c.current.title) for c in courses)
    form.co_trainer_id.choices = select_choices(
        ((u.id, u.full_name) for u in services.co_trainers_for(current_user)), blank=True
    )
    communes = communes_in_scope(current_user)
    if request.method == "GET":
        if session is not None:
            form.course_ids.data = [c.id for c in session.courses]
            form.starts_at.data = _local(session.starts_at)
            form.ends_at.data = _local(session.ends_at)
            form.commune.data = session.area.name
        else:
            default = services.default_commune_id(current_user)
            form.commune.data = next((a.name for a in communes if a.id == default), "")
    if form.validate_on_submit():
        area = services.commune_named(current_user, form.commune.data)
        starts_at = to_utc(form.starts_at.data)
        chosen = [c for c in courses if c.id in (form.course_ids.data or [])]
        fields = {
            name: getattr(form, name).data
            for name in ("title", "description", "place", "capacity", "co_trainer_id")
        }
        try:
            saved = services.save_session(
                current_user,
                session,
                chosen,
                starts_at=starts_at,
                ends_at=to_utc(form.ends_at.data) or starts_at + DEFAULT_LENGTH,
                area_id=area.id if area else None,
                **fields,
            )
        except RuleViolation as error:
            if error.field == "area_id":  # the commune is typed on the form
                error.field = "commune"
            attach_error(form, error)
        else:
            flash(_("The session was saved."), "success")
            return redirect(url_for("attendance.detail", session_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "attendance/form.html", form=form, session=session, communes=communes
    ), status


def _local(moment: datetime) -> datetime:
    return moment.astimezone(PROGRAMME_TIMEZONE).replace(tzinfo=None)


@bp.post("/<int:session_id>/cancel")
@role_required(*TRAINERS)
def cancel(session_id: int) -> Response | str:
    """First a page that says what cancelling does; its button cancels."""
    session = get_or_404(ClassSession, session_id)
    require(can_run_session(current_user, session))
    if request.form.get("confirmed") != "1":
        return render_template(
            "attendance/cancel_confirm.html", session=session, undoable=utcnow() < session.starts_at
        )
    services.cancel_session(current_user, session)
    flash(_("The session was cancelled; its record is kept."), "success")
    return redirect(url_for("attendance.detail", session_id=session.id))


@bp.post("/<int:session_id>/restore")
@role_required(*TRAINERS)
def restore(session_id: int) -> Response:
    """Undo a cancellation, until the session would have started."""
    session = get_or_404(ClassSession, session_id)
    require(can_run_session(current_user, session))
    try:
        services.restore_session(current_user, session)
    except RuleViolation as error:
        flash(str(error.message), "error")
    else:
        flash(_("The session is on again, with its roster."), "success")
    return redirect(url_for("attendance.detail", session_id=session.id))


# ---------------------------------------------------------------- roster


@bp.get("/<int:session_id>/roster")
@role_required(*TRAINERS)
def roster(session_id: int) -> str:
    session = get_or_404(ClassSession, session_id)
    query = request.args.get("q", "")[:100]
    picked_ids = [int(v) for v in request.args.getlist("picked")[:500] if v.isdigit()]
    return render_template(
        "attendance/roster.html",
        session=session,
        roster=services.roster(session),
        places_left=services.places_left(session),
        picked=get_all_or_404(Household, picked_ids) if picked_ids else [],
        query=query,
        found=services.find_households(current_user, query),
        untrained=services.untrained_in_commune(current_user, session),
        phones=PhonesForm(),
        walk_in=WalkInForm(),
    )


@bp.post("/<int:session_id>/roster/add")
@role_required(*TRAINERS)
def roster_add(session_id: int) -> Response:
    session = get_or_404(ClassSession, session_id)
    ids = [int(v) for v in request.form.getlist("household_id") if v.isdigit()]
    households = get_all_or_404(Household, ids)
    source = (
        EnrolmentSource.COMMUNE
        if request.form.get("source") == "commune"
        else EnrolmentSource.SEARCH
    )
    report = _enrolled(lambda: services.enrol(current_user, session, households, source))
    if report is None:  # refused (e.g. more chosen than places left): the choice is kept
        return redirect(
            url_for("attendance.roster", session_id=session.id, picked=[h.id for h in households])
        )
    return redirect(url_for("attendance.roster", session_id=session.id))


@bp.post("/<int:session_id>/roster/phones")
@role_required(*TRAINERS)
def roster_phones(session_id: int) -> Response:
    session = get_or_404(ClassSession, session_id)
    form = PhonesForm()
    if form.validate():
        report = _enrolled(lambda: services.enrol_phones(current_user, session, form.phones.data))
        for line, reason in report.unmatched if report else []:
            flash(_("“%(line)s”: %(reason)s.", line=line, reason=reason), "error")
    else:
        flash_form_errors(form)
    return redirect(url_for("attendance.roster", session_id=session.id))


@bp.post("/<int:session_id>/roster/walk-in")
@role_required(*TRAINERS)
def roster_walk_in(session_id: int) -> Response:
    session = get_or_404(ClassSession, session_id)
    form = WalkInForm()
    if form.validate():
        try:
            household = services.register_walk_in(
                current_user, session, form.head_name.data, form.phone.data, form.village.data or ""
            )
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("%(name)s is on the roster.", name=household.head_name), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("attendance.roster", session_id=session.id))


@bp.post("/<int:session_id>/roster/<int:mark_id>/remove")
@role_required(*TRAINERS)
def roster_remove(session_id: int, mark_id: int) -> Response | str:
    """First a page that says what removing does; its button removes."""
    session = get_or_404(ClassSession, session_id)
    require(can_run_session(current_user, session))
    mark = next((m for m in session.marks if m.id == mark_id), None)
    if mark is None:
        abort(404)
    try:
        services.check_removable(session, mark)
        if request.form.get("confirmed") != "1":
            return render_template("attendance/remove_confirm.html", session=session, mark=mark)
        services.remove_from_roster(current_user, session, mark)
    except RuleViolation as error:
        flash(str(error.message), "error")
    else:
        flash(_("%(name)s is off the roster.", name=mark.household.head_name), "success")
    return redirect(url_for("attendance.roster", session_id=session.id))


def _enrolled(action):
    try:
        report = action()
    except RuleViolation as error:
        flash(str(error.message), "error")
        return None
    if report.added:
        flash(_("%(n)d households added to the roster.", n=len(report.added)), "success")
    if report.already:
        flash(_("%(n)d were already on the roster.", n=len(report.already)), "info")
    return report


# ---------------------------------------------------------------- marking


@bp.route("/<int:session_id>/marks", methods=["GET", "POST"])
@role_required(*TRAINERS)
def marks(session_id: int) -> Response | tuple[str, int]:
    """One screen: "Tất cả có mặt", then tap the exceptions, then one submit saves all."""
    session = get_or_404(ClassSession, session_id)
    form = MarksForm()
    query = request.values.get("q", "")[:100]
    rows = services.filter_roster(services.roster(session), query)
    if form.validate_on_submit():
        changes = submitted_marks(request.form, [mark.household_id for mark in rows])
        everyone = request.form.get("all_present") == "1"
        # marks made offline come later, each with its time on the phone (lms.offline)
        times = mark_times(DeviceClock.of(request.form), request.form, changes)
        try:
            report = services.record_marks(
                current_user,
                session,
                changes,
                form.reason.data or "",
                everyone_present=everyone,
                times=times,
            )
        except RuleViolation as error:
            attach_error(form, error)
        else:
            _flash_marks(report)
            return redirect(url_for("attendance.marks", session_id=session.id, q=query or None))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "attendance/marks.html",
        session=session,
        rows=rows,
        query=query,
        search_text=services.search_text,
        form=form,
        locked=services.is_locked(session),
        totals=services.status_totals(session),
    ), status


def _flash_marks(report: services.MarksReport) -> None:
    flash(_("Attendance saved: %(n)d marks changed.", n=report.changed), "success")
    for conflict in report.conflicts:
        now = MARK_LABELS[conflict.current] if conflict.current else _("Not marked")
        message = _(
            "Someone else changed the mark of %(name)s meanwhile: it is now “%(now)s”. "
            "Your choice, “%(wanted)s”, was not saved: check it and save again if needed.",
            name=conflict.head_name,
            now=now,
            wanted=MARK_LABELS[conflict.wanted],
        )
        flash(message, "error")


@bp.get("/<int:session_id>/checkin-screen")
@role_required(*TRAINERS)
def checkin_screen(session_id: int) -> str:
    """What the trainer shows the hall: a QR code and the 6-digit code."""
    session = get_or_404(ClassSession, session_id)
    link = url_for(
        "checkin.checkin_link", session_id=session.id, code=session.checkin_code, _external=True
    )
    opens, closes = services.checkin_window(session)
    return render_template(
        "attendance/checkin_screen.html",
        session=session,
        link=link,
        qr=Markup(qr_svg(link, scale=8)),  # noqa: S704 - segno writes this SVG from our own URL
        opens=opens,
        closes=closes,
    )


# ---------------------------------------------------------------- papers


@bp.get("/<int:session_id>/cards")
@role_required(*TRAINERS)
def cards(session_id: int) -> str:
    """The roster's login cards: who needs one (no login yet, or cards revoked) is ticked."""
    session = get_or_404(ClassSession, session_id)
    require(can_run_session(current_user, session))
    households = [mark.household for mark in services.roster(session)]
    return render_template(
        "attendance/cards.html", session=session, rows=login_cards.roster_cards(households)
    )


@bp.post("/<int:session_id>/cards.pdf")
@role_required(*TRAINERS)
def cards_pdf(session_id: int) -> Response:
    """One A4 PDF of the chosen households' cards, several a page with cut lines; each gets
    a new PIN (earlier cards of those households stop working)."""
    session = get_or_404(ClassSession, session_id)
    require(can_run_session(current_user, session))
    on_roster = {mark.household_id: mark.household for mark in session.marks}
    chosen = [
        on_roster[int(v)]
        for v in request.form.getlist("household_id")
        if v.isdigit() and int(v) in on_roster
    ]
    if not chosen:
        flash(_("Tick at least one household to print its card."), "error")
        return redirect(url_for("attendance.cards", session_id=session.id))
    if len(chosen) > current_app.config["CARDS_JOB_HOUSEHOLDS"]:
        # a whole roster: a PIN hash each (scrypt, ~0.2 s), so a job with its progress bar
        params = {
            "session_id": session.id,
            "household_ids": [h.id for h in chosen],
            "base_url": request.host_url,
        }
        job = start_job(current_user, "attendance.cards", params, cards_task)
        return redirect(url_for("jobs.detail", job_id=job.id))
    try:
        body = cards_file(current_user, session, chosen)
    except RuleViolation as error:
        flash(str(error.message), "error")
        return redirect(url_for("attendance.cards", session_id=session.id))
    return download(body, cards_file_name(session))


def cards_file_name(session: ClassSession) -> str:
    return f"the-dang-nhap-buoi-{session.id}.pdf"


def cards_file(actor, session: ClassSession, chosen: list, progress=None) -> bytes:
    """Issue the chosen households' cards (new PINs, one transaction) and lay them out in
    one PDF; in the request for a few, in a job for a roster (``lms.attendance.tasks``)."""
    batch = login_cards.issue_login_cards(actor, chosen, progress)
    printed = []
    for household, card in batch.cards:
        link = url_for("auth.card_login", token=card.token, _external=True)
        printed.append((household, card, Markup(qr_svg(link))))  # noqa: S704 - our own URL
    html = render_template(
        "attendance/cards_pdf.html",
        session=session,
        printed=printed,
        refused=batch.refused,
        expires=login_cards.card_expiry(),
    )
    return html_to_pdf(html)


@bp.get("/<int:session_id>/sign-in-sheet.pdf")
@role_required(*STAFF)
def sign_in_sheet(session_id: int) -> Response:
    """The printed roster with a blank signature column (danh sách ký nhận)."""
    session = get_or_404(ClassSession, session_id)
    html = render_template(
        "attendance/sign_in_sheet.html", session=session, rows=services.roster(session)
    )
    return download(html_to_pdf(html), f"ky-nhan-{session.id}.pdf")


@bp.get("/<int:session_id>/attendance.xlsx")
@role_required(*STAFF)
def export_session(session_id: int) -> Response:
    session = get_or_404(ClassSession, session_id)
    return download(exporting.attendance_xlsx([session]), f"diem-danh-{session.id}.xlsx")


@bp.get("/attendance.xlsx")
@role_required(*STAFF)
def export_range() -> Response:
    form = ExportForm(request.args, meta={"csrf": False})
    if not form.validate() or form.first.data > form.last.data:
        flash(_("Please choose a start date before the end date."), "error")
        return redirect(url_for("attendance.sessions"))
    sessions = services.sessions_between(current_user, form.first.data, form.last.data)
    return download(
        exporting.attendance_xlsx(sessions),
        f"diem-danh-{form.first.data:%Y%m%d}-{form.last.data:%Y%m%d}.xlsx",
    )


# ---------------------------------------------------------------- self check-in (households)


checkin_bp = Blueprint("checkin", __name__, url_prefix="/checkin")


@checkin_bp.route("/", methods=["GET", "POST"])
@role_required(Role.HOUSEHOLD)
def checkin() -> Response | tuple[str, int]:
    form = CheckinForm()
    if form.validate_on_submit():
        try:
            session = services.self_check_in(current_user, form.code.data, origin=request_origin())
        except RuleViolation as error:
            attach_error(form, error)
        else:
            return render_template("attendance/checkin_done.html", session=session)
    status = 400 if request.method == "POST" else 200
    return render_template("attendance/checkin.html", form=form), status


@checkin_bp.get("/<int:session_id>/<code>")
@login_required
def checkin_link(session_id: int, code: str) -> Response | tuple[str, int] | str:
    """The link in the trainer's QR: logging in first comes back here, and checks in."""
    if current_user.role is not Role.HOUSEHOLD:
        abort(403)
    session = db.session.get(ClassSession, session_id)
    if session is None:
        abort(404)
    try:
        checked = services.self_check_in(
            current_user, code, session=session, origin=request_origin()
        )
    except RuleViolation as error:
        form = CheckinForm()
        form.form_errors.append(str(error.message))
        return render_template("attendance/checkin.html", form=form), 400
    return render_template("attendance/checkin_done.html", session=checked)
