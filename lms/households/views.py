"""Household screens: the registry in scope, one household, imports, exports, classification."""

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
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.auth.models import Role
from lms.core.database import ListPage, paginate, vietnamese
from lms.core.errors import RuleViolation
from lms.core.forms import attach_error, flash_form_errors
from lms.core.permissions import (
    OFFICIALS,
    STAFF,
    can_edit_household,
    can_open_household,
    can_see_national_id,
    require,
)
from lms.core.scope import get_all_or_404, get_or_404, role_required, visible_imports
from lms.core.spreadsheets import write_xlsx
from lms.core.web import download
from lms.extensions import db
from lms.households import exporting, importing, services, tasks
from lms.households.forms import (
    ClassificationForm,
    HouseholdFilterForm,
    HouseholdForm,
    ImportForm,
    OutreachForm,
    fill_household_choices,
)
from lms.households.models import (
    CHANNEL_LABELS,
    Household,
    HouseholdImport,
    OutreachChannel,
    ProductGroup,
    ScaleClass,
)
from lms.jobs.exports import Export, count_of, export_or_job, register
from lms.jobs.services import start_job, upload_weight
from lms.products.services import is_eligible, marketplaces

bp = Blueprint("households", __name__, url_prefix="/households")

#: the two classifications an admin edits, by the name used in URLs
CLASSIFICATIONS = {"scale-classes": ScaleClass, "product-groups": ProductGroup}


@bp.app_context_processor
def inject_labels() -> dict:
    return {
        "channel_label": lambda value: str(CHANNEL_LABELS[OutreachChannel(value)]),
    }


def _filters(args=None, user=None) -> tuple[HouseholdFilterForm, services.HouseholdFilter]:
    """The list's filters from the query string (``args``: another's, in an export's job)."""
    form = HouseholdFilterForm(request.args if args is None else args)
    fill_household_choices(form, current_user if user is None else user)
    form.validate()
    filters = services.HouseholdFilter(
        q=(form.q.data or "").strip()[:100],
        area_id=form.area_id.data,
        scale_class_id=form.scale_class_id.data,
        product_group_id=form.product_group_id.data,
        quality=form.quality.data or "",
        informed=form.informed.data or "",
    )
    return form, filters


@bp.get("/")
@role_required(*STAFF)
def index() -> str:
    form, filters = _filters()
    page = services.list_households(current_user, filters, request.args.get("page", 1, type=int))
    return render_template(
        "households/index.html",
        page=page,
        problems={h.id: services.household_problems(h) for h in page.items},
        form=form,
        outreach=OutreachForm(),
    )


@bp.get("/export.<any(xlsx, csv):kind>")
@role_required(*STAFF)
def export(kind: str) -> Response:
    return export_or_job("households.list", kind)


@register("households.list")
def _list_export(user, args) -> Export:
    """The registry in scope: a province's 500,000 households."""
    _form, filters = _filters(args, user)
    return Export(
        rows=exporting.export_rows(user, filters),
        name=_("Household list file"),
        title=_("Households"),
        caption=exporting.export_caption(user, filters),
        count=count_of(services.households_query(user, filters)),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(*STAFF)
def create() -> Response | tuple[str, int]:
    form = _household_form()
    if form.validate_on_submit():
        try:
            household = services.create_household(current_user, **_household_fields(form))
        except RuleViolation as error:
            attach_error(form, error)
        else:
            flash(_("%(name)s was registered.", name=household.head_name), "success")
            return redirect(url_for("households.detail", household_id=household.id))
    return _render_form(form, None)


@bp.get("/<int:household_id>")
@login_required
def detail(household_id: int) -> str:
    from lms.activation.services import partners, requests_of  # activation builds on households
    from lms.certificates.services import valid_certificate  # certificates build on households

    household = get_or_404(Household, household_id)
    require(can_open_household(current_user))
    is_staff = current_user.role.is_staff
    return render_template(
        "households/detail.html",
        household=household,
        show_national_id=can_see_national_id(current_user, household),
        problems=services.household_problems(household),
        eligible={product.id: is_eligible(product) for product in household.products},
        marketplaces=marketplaces(),
        outreach=OutreachForm(),
        is_staff=is_staff,
        can_edit=can_edit_household(current_user, household),
        certificate=valid_certificate(household.id),
        # the activation section, shown to staff only
        partners=partners() if is_staff else [],
        requests=requests_of(household) if is_staff else {},
    )


@bp.route("/<int:household_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def edit(household_id: int) -> Response | tuple[str, int]:
    household = get_or_404(Household, household_id)
    require(can_edit_household(current_user, household))
    form = _household_form(obj=household)
    if form.validate_on_submit():
        try:
            services.update_household(current_user, household, **_household_fields(form))
        except RuleViolation as error:
            attach_error(form, error)
        else:
            flash(_("%(name)s was saved.", name=household.head_name), "success")
            return redirect(url_for("households.detail", household_id=household.id))
    return _render_form(form, household)


@bp.post("/inform")
@role_required(*STAFF)
def inform() -> Response:
    """Record outreach for the households ticked in the list (or one, from its page)."""
    form = OutreachForm()
    ids = [int(value) for value in request.form.getlist("household_id") if value.isdigit()]
    back = request.form.get("back") == "detail" and ids
    households = get_all_or_404(Household, ids)
    if not form.validate():
        flash_form_errors(form)
    else:
        try:
            added = services.record_outreach(
                current_user, households, form.informed_on.data, OutreachChannel(form.channel.data)
            )
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("Outreach recorded for %(n)d households.", n=added), "success")
    if back:
        return redirect(url_for("households.detail", household_id=ids[0]))
    return redirect(
        request.referrer if _same_site(request.referrer) else url_for("households.index")
    )


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


def _household_form(**kwargs) -> HouseholdForm:
    form = HouseholdForm(**kwargs)
    fill_household_choices(form, current_user)
    return form


def _household_fields(form: HouseholdForm) -> dict:
    names = (
        "head_name",
        "phone",
        "area_id",
        "village",
        "address",
        "scale_class_id",
        "product_group_id",
    )
    fields = {name: getattr(form, name).data for name in names}
    if form.national_id.typed is not None:  # left empty, the stored CCCD stays
        if form.remove_national_id.data:
            raise RuleViolation(
                _("Either type a new national ID (CCCD) or remove the stored one, not both."),
                field="national_id",
            )
        fields["national_id"] = form.national_id.typed
    elif form.remove_national_id.data:
        fields["national_id"] = None
    return fields


def _render_form(form: HouseholdForm, household: Household | None) -> tuple[str, int]:
    status = 400 if request.method == "POST" else 200
    return render_template("households/form.html", form=form, household=household), status


# ---------------------------------------------------------------- imports


@bp.route("/import", methods=["GET", "POST"])
@role_required(*OFFICIALS)
def import_upload() -> Response | tuple[str, int]:
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            record = _upload(upload)
        except RuleViolation as error:
            attach_error(form, error)
        else:
            return redirect(url_for("households.import_preview", import_id=record.id))
    status = 400 if request.method == "POST" else 200
    return render_template("households/import.html", form=form), status


def _upload(upload) -> HouseholdImport:
    """Keep the file; analyse it here when small (a few thousand rows, under a second),
    else in a job, whose page the preview sends to until the analysis is done."""
    if upload_weight(upload) <= current_app.config["IMPORT_JOB_BYTES"]:
        record, _analysis = importing.start_import(current_user, upload.stream, upload.filename)
        return record
    record = importing.store_upload(current_user, upload.stream, upload.filename)
    start_job(
        current_user,
        "households.import_analyse",
        {
            "import_id": record.id,
            "next_url": url_for("households.import_preview", import_id=record.id),
        },
        tasks.analyse,
        key=f"households.import_analyse:{record.id}",
    )
    return record


@bp.get("/imports")
@role_required(*OFFICIALS)
def import_history() -> str:
    """The imports in scope, newest first: who, when, what they held, committed or not."""
    statement = (
        select(HouseholdImport)
        .where(visible_imports(current_user))
        .order_by(HouseholdImport.created_at.desc(), HouseholdImport.id.desc())
    )
    return render_template("households/import_history.html", page=paginate(statement))


@bp.get("/import/<int:import_id>")
@role_required(*OFFICIALS)
def import_preview(import_id: int) -> str:
    record = get_or_404(HouseholdImport, import_id)
    if record.summary is None:  # still being analysed: its job's page
        job = analysis_job(record)
        if job is None:
            abort(404)
        return redirect(url_for("jobs.detail", job_id=job.id))
    status = request.args.get("status", "")
    if status not in importing.STATUSES:
        status = ""
    number = max(1, request.args.get("page", 1, type=int) or 1)
    per_page = current_app.config["PAGE_SIZE"]
    analysis, rows, count = importing.preview_page(record, status, number, per_page)
    page = ListPage(rows, number, per_page, count)
    return render_template(
        "households/import_preview.html",
        record=record,
        analysis=analysis,
        status=status,
        page=page,
        rows=page.items,
        communes=importing.commune_names(page.items),
        changes=importing.changed_values(page.items),
        conflicts={c.row.line: c for c in importing.conflicts(current_user, analysis, page.items)},
        taken=sum(r["choice"] == "take" for r in analysis.resolutions.values()),
    )


def analysis_job(record: HouseholdImport):
    """The job analysing an upload (None: analysed in its request, or long gone)."""
    from lms.jobs.models import Job

    return db.session.scalar(select(Job).where(Job.key == f"households.import_analyse:{record.id}"))


@bp.post("/import/<int:import_id>/rows/<int:line>/resolve")
@role_required(*OFFICIALS)
def import_resolve(import_id: int, line: int) -> Response:
    """Keep the registry's values for a conflicting row, or take the file's."""
    record = get_or_404(HouseholdImport, import_id)
    if record.summary is None:  # still being analysed: nothing to act on yet
        return redirect(url_for("households.import_preview", import_id=record.id))
    try:
        importing.resolve_conflict(current_user, record, line, request.form.get("choice", ""))
    except RuleViolation as error:
        flash(str(error.message), "error")
    else:
        flash(_("Line %(line)d: your choice was saved.", line=line), "success")
    return redirect(url_for("households.import_preview", import_id=record.id, status="conflict"))


@bp.post("/import/<int:import_id>/commit")
@role_required(*OFFICIALS)
def import_commit(import_id: int) -> Response:
    record = get_or_404(HouseholdImport, import_id)
    if record.summary is None:  # still being analysed: nothing to act on yet
        return redirect(url_for("households.import_preview", import_id=record.id))
    if sum((record.summary or {}).values()) > current_app.config["IMPORT_JOB_ROWS"]:
        # one job per import: a second click (a second tab) is sent to the same job
        job = start_job(
            current_user,
            "households.import_commit",
            {"import_id": record.id, "next_url": url_for("households.index")},
            tasks.commit,
            key=f"households.import_commit:{record.id}",
        )
        return redirect(url_for("jobs.detail", job_id=job.id))
    try:
        analysis = importing.commit_import(current_user, record)
    except RuleViolation as error:
        flash(str(error.message), "error")
        return redirect(url_for("households.import_preview", import_id=record.id))
    counts = analysis.counts
    flash(
        _(
            "Imported: %(new)d new households, %(update)d updated.",
            new=counts["new"],
            update=counts["update"],
        ),
        "success",
    )
    if counts["conflict"]:
        flash(_("%(n)d rows to review were left out.", n=counts["conflict"]), "info")
    return redirect(url_for("households.index"))


@bp.get("/import/<int:import_id>/rejected.xlsx")
@role_required(*OFFICIALS)
def import_rejected(import_id: int) -> Response:
    record = get_or_404(HouseholdImport, import_id)
    if record.summary is None:  # still being analysed: nothing to act on yet
        return redirect(url_for("households.import_preview", import_id=record.id))
    body = write_xlsx(importing.rejected_rows(importing.load_preview(record)), _("Errors"))
    return download(body, f"loi-nhap-{record.id}.xlsx")


# ---------------------------------------------------------------- classification (admin)


@bp.route("/classifications/<any('scale-classes', 'product-groups'):kind>", methods=["GET", "POST"])
@bp.route(
    "/classifications/<any('scale-classes', 'product-groups'):kind>/<int:record_id>",
    methods=["GET", "POST"],
)
@role_required(Role.ADMIN)
def classifications(kind: str, record_id: int | None = None) -> Response | tuple[str, int]:
    model = CLASSIFICATIONS[kind]
    record = db.session.get(model, record_id) if record_id else None
    if record_id and record is None:
        abort(404)
    form = ClassificationForm(obj=record)
    if form.validate_on_submit():
        try:
            services.save_classification(current_user, model, record, **form.data)
        except RuleViolation as error:
            attach_error(form, error)
        else:
            flash(_("%(name)s was saved.", name=form.name.data), "success")
            return redirect(url_for("households.classifications", kind=kind))
    records = db.session.scalars(
        select(model).order_by(model.position, vietnamese(model.name))
    ).all()
    status = 400 if request.method == "POST" else 200
    return render_template(
        "households/classifications.html", kind=kind, records=records, record=record, form=form
    ), status
