"""After ``make run``, the demo shows a broadcast on the commune radio."""

from __future__ import annotations

from sqlalchemy import select

from lms.demo.data import load_demo_data
from lms.extensions import db
from lms.households.models import Household
from lms.outreach.models import Broadcast
from tests.builders import load_shipped_courses


def test_the_demo_has_a_broadcast_that_informed_its_commune(app):
    load_shipped_courses()
    load_demo_data()
    broadcast = db.session.scalar(select(Broadcast))
    assert broadcast.area.name == "Xã Diễn Châu" and broadcast.recorded_by is not None
    assert "Hội trường UBND xã Diễn Châu" in broadcast.text and "đọc là:" in broadcast.text
    informed = db.session.scalars(
        select(Household.is_informed).where(Household.area_id == broadcast.area_id)
    ).all()
    assert broadcast.households == len(informed) > 0 and all(informed)
