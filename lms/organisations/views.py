"""Administrator screens for organisations."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.areas.forms import area_choices
from lms.auth.models import Role
from lms.core.errors import RuleViolation
from lms.core.forms import attach_error, select_choices
from lms.core.scope import get_or_404, role_required
from lms.organisations import services
from lms.organisations.forms import OrganisationForm
from lms.organisations.models import KIND_LABELS, Organisation, OrganisationKind

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.app_context_processor
def inject_labels() -> dict:
    return {"kind_label": lambda value: str(KIND_LABELS[value])}


@bp.get("/")
@role_required(Role.ADMIN)
def index() -> str:
    organisations = services.list_organisations(current_user)
    return render_template("organisations/index.html", organisations=organisations)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create() -> Response | tuple[str, int]:
    return _save(None)


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit(organisation_id: int) -> Response | tuple[str, int]:
    return _save(get_or_404(Organisation, organisation_id))


def _save(organisation: Organisation | None) -> Response | tuple[str, int]:
    form = OrganisationForm(obj=organisation)
    form.area_id.choices = area_choices(current_user)
    form.partner_ids.choices = select_choices((p.id, p.name) for p in services.all_partners())
    if request.method == "GET" and organisation is not None:
        form.partner_ids.data = [partner.id for partner in services.partners_run_by(organisation)]
    if form.validate_on_submit():
        fields = {
            name: getattr(form, name).data
            for name in ("code", "name", "area_id", "is_active", "partner_ids")
        }
        try:
            saved = services.save_organisation(
                current_user, organisation, kind=OrganisationKind(form.kind.data), **fields
            )
        except RuleViolation as error:
            attach_error(form, error)
        else:
            flash(_("%(name)s was saved.", name=saved.name), "success")
            return redirect(url_for("organisations.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("organisations/form.html", form=form, organisation=organisation), status
