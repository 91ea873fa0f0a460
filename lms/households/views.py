"""Household screens: the list in scope and one household's record."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from lms.auth.models import Role
from lms.core.scope import get_or_404, role_required
from lms.households import services
from lms.households.models import Household

bp = Blueprint("households", __name__, url_prefix="/households")


@bp.get("/")
@role_required(Role.ADMIN, Role.OFFICIAL, Role.TRAINER)
def index() -> str:
    page = services.list_households(current_user, request.args.get("page", 1, type=int))
    return render_template("households/index.html", page=page)


@bp.get("/<int:household_id>")
@login_required
def detail(household_id: int) -> str:
    household = get_or_404(Household, household_id)
    show_national_id = services.can_see_national_id(current_user, household)
    return render_template(
        "households/detail.html", household=household, show_national_id=show_national_id
    )
