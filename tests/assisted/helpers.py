"""A session held now with households on its roster: where assisted mode opens."""

from __future__ import annotations

from lms.attendance.models import AttendanceMark, EnrolmentSource
from lms.core.models import utcnow
from lms.extensions import db
from tests.builders import make_session


def session_today(world, *households, trainer=None, area=None, status=None):
    """A session of trainer X (organisation X) starting now in commune 1, with ``households``
    on its roster."""
    session = make_session(
        title="Lớp hôm nay",
        trainer=trainer or world.trainer_x,
        area=area or world.commune_1,
        starts_at=utcnow(),
    )
    for household in households:
        db.session.add(
            AttendanceMark(
                session_id=session.id,
                household_id=household.id,
                source=EnrolmentSource.SEARCH,
                status=status,
            )
        )
    db.session.commit()
    return session
