"""Figures for officials, aggregated in SQL over the official's scope."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from lms.areas.models import Area, AreaLevel
from lms.attendance.models import ClassSession
from lms.auth.models import User
from lms.core.scope import visible_areas, visible_households, visible_sessions
from lms.extensions import db
from lms.households.models import Household


@dataclass(frozen=True)
class CommuneRow:
    area: Area
    households: int
    sessions: int


def commune_overview(user: User) -> list[CommuneRow]:
    """One row per commune in scope (merged communes left out): households and sessions."""
    households = (
        select(Household.area_id, func.count().label("n"))
        .where(visible_households(user))
        .group_by(Household.area_id)
        .subquery()
    )
    sessions = (
        select(ClassSession.area_id, func.count().label("n"))
        .where(visible_sessions(user), ClassSession.cancelled_at.is_(None))
        .group_by(ClassSession.area_id)
        .subquery()
    )
    statement = (
        select(Area, func.coalesce(households.c.n, 0), func.coalesce(sessions.c.n, 0))
        .where(visible_areas(user), Area.level == AreaLevel.COMMUNE, Area.merged_into_id.is_(None))
        .outerjoin(households, households.c.area_id == Area.id)
        .outerjoin(sessions, sessions.c.area_id == Area.id)
        .order_by(Area.name)
    )
    return [CommuneRow(area, h, s) for area, h, s in db.session.execute(statement)]
