"""Official screens: "Tổng quan", the official's home page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from lms.auth.models import Role
from lms.core.scope import role_required
from lms.reports import services

bp = Blueprint("reports", __name__, url_prefix="/overview")


@bp.get("/")
@role_required(Role.OFFICIAL, Role.ADMIN)
def overview() -> str:
    rows = services.commune_overview(current_user)
    totals = (sum(row.households for row in rows), sum(row.sessions for row in rows))
    return render_template("reports/overview.html", rows=rows, totals=totals)
