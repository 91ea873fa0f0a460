"""Class sessions: reading them in scope (the attendance issue adds planning and marking)."""

from __future__ import annotations

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from lms.attendance.models import ClassSession
from lms.auth.models import User
from lms.core.scope import visible_sessions
from lms.extensions import db


def list_sessions(user: User, page: int) -> Pagination:
    """Sessions in scope, the most recent first."""
    statement = (
        select(ClassSession).where(visible_sessions(user)).order_by(ClassSession.starts_at.desc())
    )
    return db.paginate(
        statement, page=page, per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
