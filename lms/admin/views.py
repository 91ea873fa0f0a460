"""The administrator's home page, the audit trail and the partners' API keys."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.wrappers import Response
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.activation.forms import partner_choices
from lms.api import services as api_keys
from lms.api.forms import ApiKeyForm
from lms.api.models import ApiKey
from lms.auth.models import Role
from lms.core.audit import AuditEvent
from lms.core.database import paginate
from lms.core.errors import RuleViolation
from lms.core.forms import attach_error, select_choices
from lms.core.scope import role_required
from lms.extensions import db
from lms.organisations.services import list_organisations
from lms.products.models import Marketplace

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_required(Role.ADMIN)
def index() -> str:
    return render_template("admin/index.html")


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit() -> str:
    statement = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    page = paginate(statement)
    return render_template("admin/audit.html", page=page)


@bp.route("/api-keys", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def api_keys_index() -> tuple[str, int]:
    """The partners' API keys; a new key is shown on this answer only, never again."""
    form = ApiKeyForm()
    form.organisation_id.choices = select_choices(
        ((o.id, o.name) for o in list_organisations(current_user) if o.is_active), blank=True
    )
    form.marketplace_id.choices = (
        select_choices([("", _("Verifying certificates only"))]) + partner_choices()
    )
    secret, status = None, 200
    if form.validate_on_submit():
        from lms.organisations.models import Organisation

        organisation = db.session.get(Organisation, form.organisation_id.data) or abort(400)
        partner = db.session.get(Marketplace, form.marketplace_id.data or 0)
        try:
            _key, secret = api_keys.create_key(current_user, organisation, partner, form.name.data)
        except RuleViolation as error:
            attach_error(form, error)
    if request.method == "POST" and secret is None:
        status = 400
    return render_template(
        "admin/api_keys.html", form=form, keys=api_keys.list_keys(), secret=secret
    ), status


@bp.post("/api-keys/<int:key_id>/revoke")
@role_required(Role.ADMIN)
def revoke_api_key(key_id: int) -> Response | str:
    """First a page that says what revoking does; its button revokes."""
    key = db.session.get(ApiKey, key_id) or abort(404)
    if request.form.get("confirmed") != "1":
        return render_template("admin/api_key_revoke_confirm.html", key=key)
    api_keys.revoke_key(current_user, key)
    flash(_("The key %(prefix)s… stopped working.", prefix=key.prefix), "success")
    return redirect(url_for("admin.api_keys_index"))
