"""The administrator's home page and the audit trail."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from lms.auth.models import Role
from lms.core.audit import AuditEvent
from lms.core.scope import role_required
from lms.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_required(Role.ADMIN)
def index() -> str:
    return render_template("admin/index.html")


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit() -> str:
    statement = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    page = db.paginate(
        statement,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template("admin/audit.html", page=page)
