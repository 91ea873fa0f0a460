"""Trainer screens: "Buổi tập huấn", planning, the roster, marking on a phone, self check-in,
the printed sign-in sheet and attendance exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
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
from lms.auth.models import Role
from lms.core.errors import RuleViolation
from lms.core.forms import attach_error, commune_choices, flash_form_errors, select_choices
from lms.core.models import PROGRAMME_TIMEZONE
from lms.core.pdf import html_to_pdf, qr_svg
from lms.core.permissions import STAFF, TRAINERS
from lms.core.scope import get_all_or_404, get_or_404, role_required
from lms.core.web import download
from lms.courses.services import list_courses
from lms.extensions import db
from lms.households.models import Household

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
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.TRAINER)
def create() -> Response | tuple[str, int]:
    return _save(None)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@role_required(*TRAINERS)
def edit(session_id: int) -> Response | tuple[str, int]:
    return _save(get_or_404(ClassSession, session_id))


def _save(session: ClassSession | None) -> Response | tuple[str, int]:
    form = SessionForm(obj=session)
    courses = list_courses()
    form.course_ids.choices = select_choices((c.id, c.current.title) for c in courses)
    form.area_id.choices = commune_choices(current_user)
    form.co_trainer_id.choices = select_choices(
        ((u.id, u.full_name) for u in services.co_trainers_for(current_user)), blank=True
    )
    if request.method == "GET" and session is not None:
        form.course_ids.data = [c.id for c in session.courses]
        form.starts_at.data = session.starts_at.astimezone(PROGRAMME_TIMEZONE).replace(tzinfo=None)
        form.ends_at.data = session.ends_at.astimezone(PROGRAMME_TIMEZONE).replace(tzinfo=None)
    if form.validate_on_submit():
        chosen = [c for c in courses if c.id in (form.course_ids.data or [])]
        fields = {
            name: getattr(form, name).data
            for name in ("title", "description", "area_id", "place", "capacity", "co_trainer_id")
        }
        try:
            saved = services.save_session(
                current_user,
                session,
                chosen,
                starts_at=to_utc(form.starts_at.data),
                ends_at=to_utc(form.ends_at.data),
                **fields,
            )
        except RuleViolation as error:
            attach_error(form, error)
        else:
            flash(_("The session was saved."), "success")
            return redirect(url_for("attendance.detail", session_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template("attendance/form.html", form=form, session=session), status


@bp.post("/<int:session_id>/cancel")
@role_required(*TRAINERS)
def cancel(session_id: int) -> Response:
    session = get_or_404(ClassSession, session_id)
    services.cancel_session(current_user, session)
    flash(_("The session was cancelled; its record is kept."), "success")
    return redirect(url_for("attendance.detail", session_id=session.id))


# ---------------------------------------------------------------- roster


@bp.get("/<int:session_id>/roster")
@role_required(*TRAINERS)
def roster(session_id: int) -> str:
    session = get_or_404(ClassSession, session_id)
    query = request.args.get("q", "")[:100]
    return render_template(
        "attendance/roster.html",
        session=session,
        roster=services.roster(session),
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
    _enrolled(lambda: services.enrol(current_user, session, households, source))
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
def roster_remove(session_id: int, mark_id: int) -> Response:
    session = get_or_404(ClassSession, session_id)
    mark = next((m for m in session.marks if m.id == mark_id), None)
    if mark is None:
        abort(404)
    try:
        services.remove_from_roster(current_user, session, mark)
    except RuleViolation as error:
        flash(str(error.message), "error")
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
    rows = services.roster(session)
    if form.validate_on_submit():
        changes = submitted_marks(request.form, [mark.household_id for mark in rows])
        everyone = request.form.get("all_present") == "1"
        try:
            report = services.record_marks(
                current_user, session, changes, form.reason.data or "", everyone_present=everyone
            )
        except RuleViolation as error:
            attach_error(form, error)
        else:
            _flash_marks(report)
            return redirect(url_for("attendance.marks", session_id=session.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "attendance/marks.html",
        session=session,
        rows=rows,
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
            session = services.self_check_in(current_user, form.code.data)
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
        checked = services.self_check_in(current_user, code, session=session)
    except RuleViolation as error:
        form = CheckinForm()
        form.form_errors.append(str(error.message))
        return render_template("attendance/checkin.html", form=form), 400
    return render_template("attendance/checkin_done.html", session=checked)
