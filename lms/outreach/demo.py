"""The demo's commune radio: Xã Diễn Châu read the announcement of its classes today."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.areas.models import Area
from lms.auth.models import User
from lms.core.models import today
from lms.extensions import db
from lms.outreach.services import record_broadcast, write_announcement


def add_demo_broadcast() -> None:
    """The announcement of the next month's classes in Xã Diễn Châu, recorded as read on its
    radio today by the commune's official: its households are informed by it."""
    commune = db.session.scalar(select(Area).where(Area.code == "17464"))
    official = db.session.scalar(select(User).where(User.email == "canbo.dienchau@demo.vn"))
    start, end = today() + timedelta(days=1), today() + timedelta(days=30)
    announcement = write_announcement(
        commune, start, end, contact="chị Hoàng Thị Lan, cán bộ văn hóa xã, 0912000999"
    )
    record_broadcast(official, commune, today(), announcement.text, start, end)
