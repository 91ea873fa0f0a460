"""Official screens: "Tổng quan" (the plan's targets per commune, the officials' home page),
the lists behind each figure, exports, the PDF report, reconciliation and the trail."""

from __future__ import annotations

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
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from lms.areas.models import Area
from lms.assisted.services import assisted_shares
from lms.core.database import paginate, paginate_list
from lms.core.errors import RuleViolation
from lms.core.forms import attach_error, select_choices
from lms.core.models import today
from lms.core.permissions import OFFICIALS
from lms.core.scope import get_or_404, role_required
from lms.core.spreadsheets import export_filename, export_response
from lms.core.web import download
from lms.extensions import db
from lms.flagship.services import dashboard_count as flagship_count
from lms.households.forms import fill_household_choices
from lms.households.models import Household
from lms.jobs.exports import Export, count_of, export_or_job, register
from lms.jobs.models import Job
from lms.jobs.services import start_job, upload_weight
from lms.products.forms import marketplace_choices
from lms.products.models import Marketplace
from lms.reports import document, exporting, plan_targets, reconciliation, targets
from lms.reports import trail as trail_module
from lms.reports.forms import (
    PlanTargetsForm,
    PlanTargetsImportForm,
    ReportForm,
    SellerListForm,
    TargetFilterForm,
    TrailSearchForm,
)
from lms.reports.targets import TargetFilter
from lms.reports.tasks import reconcile as reconcile_task
from lms.reports.tasks import reconcile_commit as reconcile_commit_task
from lms.reports.tasks import report as report_task

bp = Blueprint("reports", __name__, url_prefix="/overview")


class ConfirmForm(FlaskForm):
    """A button that only posts a CSRF token."""


def _filters(args=None, user=None) -> tuple[TargetFilterForm, TargetFilter]:
    """The filters of the query string (``args``: another's, in an export's job); an area
    outside the user's scope is ignored."""
    args = request.args if args is None else args
    user = current_user if user is None else user
    form = TargetFilterForm(args)
    fill_household_choices(form, user)
    form.marketplace_id.choices = marketplace_choices(blank=True)
    form.organisation_id.choices = select_choices(
        ((o.id, o.name) for o in targets.organisations()), blank=True
    )
    form.validate()
    filters = TargetFilter(
        area_id=targets.area_in_scope(user, form.area_id.data),
        scale_class_id=form.scale_class_id.data,
        product_group_id=form.product_group_id.data,
        marketplace_id=form.marketplace_id.data,
        organisation_id=form.organisation_id.data,
        as_of=form.as_of.data,
        date_from=form.date_from.data,
        period=form.period.data or "week",
    )
    return form, filters


@bp.app_template_filter("percent")
def percent_filter(share: targets.Share) -> str:
    """``{{ share | percent }}``: one rule for every share printed (``format_percent``)."""
    return share.text


def _download(body: bytes, kind: str, name: str) -> Response:
    return download(body, export_filename(name, kind))


def _export(rows, kind: str, name: str, title: str, caption: str) -> Response:
    return export_response(rows, kind, name, title, caption)


def _area_name(board_area) -> str:
    return board_area.name if board_area else _("All areas")


def _caption(title: str, filters: TargetFilter, user=None) -> str:
    """An export's header row: what it lists, for which area, under which filters."""
    user = current_user if user is None else user
    area = db.session.get(Area, filters.area_id) if filters.area_id else user.area
    return f"{title} — {exporting.describe(filters, _area_name(area))}"


@bp.get("/")
@role_required(*OFFICIALS)
def overview() -> str:
    form, filters = _filters()
    board = targets.dashboard(current_user, filters)
    chart = request.args.get("chart", "trained")
    if chart not in targets.FIGURES_BY_CODE and chart not in ("ocop", "coverage"):
        chart = "trained"
    return render_template(
        "reports/overview.html",
        form=form,
        board=board,
        filters=filters,
        figures=targets.FIGURES,
        chart=chart,
        **document.chart_context(board, chart),
        districts=targets.former_districts(board),
        villages=targets.villages(current_user, filters, board),
        gaps=targets.standardisation_gaps(current_user, filters),
        report_form=ReportForm(request.args),
        flagships=flagship_count(current_user),
        assisted={
            area_id: targets.Share(*counts)
            for area_id, counts in assisted_shares(
                current_user, [row.area for row in board.rows]
            ).items()
        },
    )


@bp.get("/export.<any(xlsx, csv):kind>")
@role_required(*OFFICIALS)
def export(kind: str) -> Response:
    _form, filters = _filters()
    board = targets.dashboard(current_user, filters)
    caption = _("Overview") + " — " + exporting.describe(filters, _area_name(board.area))
    return _export(exporting.dashboard_rows(board), kind, "tong-quan", _("Overview"), caption)


@bp.get("/households/<code>")
@role_required(*OFFICIALS)
def households(code: str) -> str:
    lists = targets.household_lists()
    if code not in lists:
        abort(404)
    form, filters = _filters()
    page = targets.list_households(
        current_user, filters, code, request.args.get("page", 1, type=int)
    )
    status = targets.training_status([h.id for h in page.items])
    selling = code == targets.LISTED_NOT_TRAINED
    return render_template(
        "reports/households.html",
        form=form,
        page=page,
        status=status,
        code=code,
        title=lists[code].title,
        selling=exporting.selling_details([h.id for h in page.items]) if selling else None,
        classes=exporting.last_classes(page.items) if selling else {},
    )


@bp.get("/households/<code>.<any(xlsx, csv):kind>")
@role_required(*OFFICIALS)
def export_households(code: str, kind: str) -> Response:
    if code not in targets.household_lists():
        abort(404)
    return export_or_job("reports.households", kind, code=code)


@register("reports.households")
def _households_export(user, args, code: str) -> Export:
    """A list behind a figure (the "not trained" list …): 220,000 rows in a province."""
    _form, filters = _filters(args, user)
    title = str(targets.household_lists()[code].title)
    clause = targets.household_lists()[code].clause(filters)
    return Export(
        rows=exporting.household_rows(user, filters, code),
        name=exporting.list_file_name(code, title),
        title=title,
        caption=_caption(title, filters, user),
        count=count_of(targets.households_query(user, filters, clause)),
    )


@bp.get("/listings/ineligible")
@role_required(*OFFICIALS)
def ineligible() -> str:
    form, filters = _filters()
    page = paginate(targets.ineligible_listings_query(current_user, filters))
    return render_template("reports/ineligible.html", form=form, page=page)


@bp.get("/listings/ineligible.<any(xlsx, csv):kind>")
@role_required(*OFFICIALS)
def export_ineligible(kind: str) -> Response:
    return export_or_job("reports.ineligible", kind)


@register("reports.ineligible")
def _ineligible_export(user, args) -> Export:
    _form, filters = _filters(args, user)
    title = _("Listed products no longer eligible")
    return Export(
        rows=exporting.ineligible_rows(user, filters),
        name="san-pham-het-dieu-kien",
        title=title,
        caption=_caption(title, filters, user),
        count=count_of(targets.ineligible_listings_query(user, filters)),
    )


@bp.get("/report.<any(pdf, docx):kind>")
@role_required(*OFFICIALS)
def report(kind: str) -> Response:
    """ "Báo cáo kết quả thực hiện kế hoạch": the dashboard's figures for the area and period
    chosen, laid out as an administrative document (PDF, or .docx to edit before signing)."""
    _form, filters = _filters()
    board = targets.dashboard(current_user, filters)
    if len(board.rows) <= current_app.config["REPORT_JOB_COMMUNES"]:
        body = report_body(current_user, request.args, kind, board)
        return _download(body, kind, REPORT_FILE)
    # a province's report (131 pages, 8 s): laid out by a job, from the same query string
    params = {"kind": kind, "args": request.args.to_dict(flat=False)}
    job = start_job(current_user, f"reports.report_{kind}", params, report_task)
    return redirect(url_for("jobs.detail", job_id=job.id))


REPORT_FILE = "bao-cao-ket-qua-thuc-hien-ke-hoach"


def report_body(user, args, kind: str, board: targets.Dashboard | None = None) -> bytes:
    """The report's file for ``user`` and the query string ``args``: in the request for a
    few communes, else in its job (``lms.reports.tasks``)."""
    _form, filters = _filters(args, user)
    board = board or targets.dashboard(user, filters)
    header = document.ReportHeader.from_form(ReportForm(args), board)
    caption = exporting.describe(filters, _area_name(board.area))
    if kind == "docx":
        return document.report_docx(board, header, caption)
    return document.report_pdf(board, header, caption)


@bp.route("/targets", methods=["GET", "POST"])
@role_required(*OFFICIALS)
def plan_targets_page() -> Response | tuple[str, int]:
    """The plan's targets per commune for a year: typed in the table, or imported."""
    year = request.values.get("year", type=int) or today().year
    form = PlanTargetsForm(year=year)
    upload = PlanTargetsImportForm(year=year)
    errors: list[str] = []
    if form.validate_on_submit():
        values, errors = plan_targets.typed_targets(request.form, current_user)
        if not errors:
            try:
                changed = plan_targets.save_targets(current_user, form.year.data, values)
            except RuleViolation as error:
                errors = [str(error.message)]
            else:
                flash(_("Targets saved: %(n)d communes changed.", n=changed), "success")
                return redirect(url_for("reports.plan_targets_page", year=form.year.data))
    lines = plan_targets.list_targets(current_user, form.year.data or year)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "reports/targets.html", form=form, upload=upload, lines=lines, errors=errors
    ), status


@bp.post("/targets/import")
@role_required(*OFFICIALS)
def import_plan_targets() -> Response | tuple[str, int]:
    form = PlanTargetsImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        result = plan_targets.import_targets(
            current_user, form.year.data, form.file.data.stream, form.file.data.filename
        )
        if not result.errors:
            flash(_("Targets imported: %(n)d communes changed.", n=result.changed), "success")
            return redirect(url_for("reports.plan_targets_page", year=form.year.data))
        errors = result.errors
    year = form.year.data or today().year
    return render_template(
        "reports/targets.html",
        form=PlanTargetsForm(year=year),
        upload=form,
        lines=plan_targets.list_targets(current_user, year),
        errors=errors,
    ), 400


@bp.route("/reconcile", methods=["GET", "POST"])
@role_required(*OFFICIALS)
def reconcile() -> Response | str | tuple[str, int]:
    form = SellerListForm()
    form.marketplace_id.choices = select_choices(
        (m.id, m.name) for m in reconciliation.marketplaces()
    )
    if form.validate_on_submit():
        market = db.session.get(Marketplace, form.marketplace_id.data)
        try:
            token = _seller_upload(market, form.file.data)
        except RuleViolation as error:
            attach_error(form, error)
        else:
            return redirect(url_for("reports.reconcile_preview", token=token))
    status = 400 if form.is_submitted() else 200
    return render_template("reports/reconcile.html", form=form), status


def _seller_upload(market: Marketplace, upload) -> str:
    """Read and match a small export here; keep a large one for a job to read and match
    once (its pages then read the matches it kept), and go to the job's page meanwhile."""
    if upload_weight(upload) <= current_app.config["RECONCILE_JOB_BYTES"]:
        return reconciliation.upload(current_user, market, upload.stream, upload.filename)
    record = reconciliation.keep(current_user, market, upload.stream, upload.filename)
    start_job(
        current_user,
        "reports.reconcile",
        {
            "token": record.token,
            "next_url": url_for("reports.reconcile_preview", token=record.token),
        },
        reconcile_task,
        key=f"reports.reconcile:{record.id}",
    )
    return record.token


class _Waiting(Exception):
    """The list's job has not matched it yet: its page is the job's."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id


def _reconciliation(token: str, fresh: bool = False) -> reconciliation.Reconciliation:
    record = reconciliation.find(current_user, token)
    if record is not None and not reconciliation.is_matched(record):
        job = db.session.scalar(select(Job).where(Job.key == f"reports.reconcile:{record.id}"))
        if job is not None and not job.is_finished:
            raise _Waiting(job.id)
    result = reconciliation.load(current_user, token, fresh=fresh)
    if result is None:
        abort(404)
    return result


@bp.errorhandler(_Waiting)
def _to_job(waiting: _Waiting) -> Response:
    return redirect(url_for("jobs.detail", job_id=waiting.job_id))


@bp.get("/reconcile/<token>")
@role_required(*OFFICIALS)
def reconcile_preview(token: str) -> str:
    result = _reconciliation(token)
    show = request.args.get("show", "")
    return render_template(
        "reports/reconcile_preview.html",
        result=result,
        show=show,
        page=paginate_list(reconciliation.shown_rows(result, show)),
        methods=reconciliation.METHOD_LABELS,
        states=reconciliation.STATE_LABELS,
        form=ConfirmForm(),
    )


@bp.post("/reconcile/<token>")
@role_required(*OFFICIALS)
def reconcile_commit(token: str) -> Response:
    """Matched again now (the registry may have changed since the preview) and recorded;
    a large list by a job, once (a second click is sent to the same job)."""
    record = reconciliation.find(current_user, token)
    if (
        record is not None
        and reconciliation.is_matched(record)
        and ConfirmForm().validate_on_submit()
    ):
        params = {
            "token": token,
            "next_url": url_for("reports.reconcile_preview", token=token),
        }
        job = start_job(
            current_user,
            "reports.reconcile_commit",
            params,
            reconcile_commit_task,
            key=f"reports.reconcile_commit:{record.id}",
        )
        return redirect(url_for("jobs.detail", job_id=job.id))
    result = _reconciliation(token, fresh=True)
    if ConfirmForm().validate_on_submit():
        try:
            reconciliation.commit(current_user, result)
        except RuleViolation as error:
            flash(str(error.message), "error")
    return redirect(url_for("reports.reconcile_preview", token=token))


@bp.post("/reconcile/<token>/sellers/<int:number>")
@role_required(*OFFICIALS)
def reconcile_decide(token: str, number: int) -> Response:
    result = _reconciliation(token)
    if ConfirmForm().validate_on_submit():
        try:
            reconciliation.decide(current_user, result, number, request.form.get("choice", ""))
        except RuleViolation as error:
            flash(str(error.message), "error")
    back = {name: request.args[name] for name in ("show", "page") if request.args.get(name)}
    return redirect(
        url_for("reports.reconcile_preview", token=token, _anchor=f"seller-{number}", **back)
    )


@bp.get("/reconcile/<token>/report.<any(xlsx, csv):kind>")
@role_required(*OFFICIALS)
def reconcile_report(token: str, kind: str) -> Response:
    result = _reconciliation(token)
    title = _("Reconciliation with %(market)s", market=result.marketplace.name)
    caption = reconciliation.report_caption(result)
    return _export(reconciliation.report_rows(result), kind, "doi-soat", title, caption)


@bp.get("/trail")
@role_required(*OFFICIALS)
def trail() -> Response | str:
    form = TrailSearchForm(request.args)
    query = (form.q.data or "").strip()[:100] if form.validate() else ""
    certificate, households = trail_module.find(current_user, query) if query else (None, [])
    if certificate is not None:
        return redirect(url_for("reports.household_trail", household_id=certificate.household_id))
    return render_template(
        "reports/trail_search.html", form=form, query=query, households=households
    )


@bp.get("/trail/<int:household_id>")
@role_required(*OFFICIALS)
def household_trail(household_id: int) -> str:
    household = get_or_404(Household, household_id)
    return render_template(
        "reports/trail.html",
        trail=trail_module.trail_of(household),
        labels=trail_module.labels(),
    )
