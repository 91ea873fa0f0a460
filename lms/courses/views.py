"""Learner screens: "Khóa học của tôi", the household's home page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from lms.auth.models import Role
from lms.core.scope import role_required

bp = Blueprint("courses", __name__, url_prefix="/learn")


@bp.get("/")
@role_required(Role.HOUSEHOLD)
def my_courses() -> str:
    # the courses issue fills this page with the programme's courses and progress
    return render_template("courses/my_courses.html", household=current_user.household)
