"""Administrator screens for the area tree."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.areas import services
from lms.areas.forms import AreaForm, AreaImportForm, area_choices
from lms.areas.models import LEVEL_LABELS, Area, AreaLevel
from lms.auth.models import Role
from lms.core.errors import RuleViolation
from lms.core.forms import attach_error
from lms.core.scope import get_or_404, role_required

bp = Blueprint("areas", __name__, url_prefix="/areas")


@bp.app_context_processor
def inject_labels() -> dict:
    return {"level_label": lambda value: str(LEVEL_LABELS[value])}


@bp.get("/")
@role_required(Role.ADMIN)
def index() -> str:
    return render_template("areas/index.html", areas=services.list_areas(current_user))


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create() -> Response | tuple[str, int]:
    form = _area_form()
    if form.validate_on_submit():
        try:
            area = services.create_area(current_user, **_fields(form))
        except RuleViolation as error:
            attach_error(form, error)
        else:
            flash(_("%(name)s was created.", name=area.name), "success")
            return redirect(url_for("areas.index"))
    return _render_form(form, None)


@bp.route("/<int:area_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit(area_id: int) -> Response | tuple[str, int]:
    area = get_or_404(Area, area_id)
    form = _area_form(obj=area)
    if form.validate_on_submit():
        try:
            services.update_area(current_user, area, **_fields(form))
        except RuleViolation as error:
            attach_error(form, error)
        else:
            flash(_("%(name)s was saved.", name=area.name), "success")
            return redirect(url_for("areas.index"))
    return _render_form(form, area)


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_csv() -> Response | tuple[str, int]:
    form = AreaImportForm()
    report = None
    if form.validate_on_submit():
        report = services.import_areas_csv(current_user, form.file.data.stream)
        if report.ok:
            flash(
                _(
                    "Imported: %(created)d new, %(updated)d updated.",
                    created=report.created,
                    updated=report.updated,
                ),
                "success",
            )
            return redirect(url_for("areas.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("areas/import.html", form=form, report=report), status


def _area_form(**kwargs) -> AreaForm:
    form = AreaForm(**kwargs)
    choices = area_choices(current_user, blank=True)
    form.parent_id.choices = choices
    form.merged_into_id.choices = choices
    return form


def _fields(form: AreaForm) -> dict:
    return {
        "code": form.code.data,
        "name": form.name.data,
        "level": AreaLevel(form.level.data),
        "parent_id": form.parent_id.data,
        "merged_into_id": form.merged_into_id.data,
        "former_district": form.former_district.data or "",
    }


def _render_form(form: AreaForm, area: Area | None) -> tuple[str, int]:
    status = 400 if request.method == "POST" else 200
    return render_template("areas/form.html", form=form, area=area), status
