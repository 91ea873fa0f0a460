"""Trainer screens: "Buổi tập huấn", the trainer's home page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from lms.attendance import services
from lms.attendance.models import ClassSession
from lms.auth.models import Role
from lms.core.scope import get_or_404, role_required

bp = Blueprint("attendance", __name__, url_prefix="/sessions")


@bp.get("/")
@role_required(Role.TRAINER, Role.OFFICIAL, Role.ADMIN)
def sessions() -> str:
    page = services.list_sessions(current_user, request.args.get("page", 1, type=int))
    return render_template("attendance/sessions.html", page=page)


@bp.get("/<int:session_id>")
@role_required(Role.TRAINER, Role.OFFICIAL, Role.ADMIN)
def detail(session_id: int) -> str:
    return render_template("attendance/detail.html", session=get_or_404(ClassSession, session_id))
