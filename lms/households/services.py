"""Households: reading the registry in scope (the registry issue adds import and editing)."""

from __future__ import annotations

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from lms.auth.models import Role, User
from lms.core.scope import visible_households
from lms.extensions import db
from lms.households.models import Household


def list_households(user: User, page: int) -> Pagination:
    statement = select(Household).where(visible_households(user)).order_by(Household.head_name)
    return db.paginate(
        statement, page=page, per_page=current_app.config["PAGE_SIZE"], error_out=False
    )


def can_see_national_id(user: User, household: Household) -> bool:
    """The full CCCD is shown to admins and to the household itself; others see it masked."""
    return user.role is Role.ADMIN or user.household_id == household.id
