"""After ``make run``, the demo shows a class reminder, an OCOP rating ending, and consents."""

from __future__ import annotations

from lms.demo.data import load_demo_data
from lms.extensions import db
from lms.households.models import Household
from lms.messages import services
from lms.messages.models import ConsentMethod, ConsentPurpose
from tests.conftest import shipped_courses


def test_the_demo_has_a_reminder_and_consents(app):
    shipped_courses()  # the run's first load, written again
    load_demo_data()
    household = db.session.scalar(db.select(Household).where(Household.phone == "0912345678"))
    titles = [item.title for item in services.inbox(household)]
    assert "Nhắc lịch buổi tập huấn ngày mai" in titles
    assert "Công nhận OCOP của sản phẩm sắp hết hiệu lực" in titles  # its listed tea
    assert services.current_consent(household.id, ConsentPurpose.ZALO).is_given
    neighbour = db.session.scalar(db.select(Household).where(Household.phone == "0987654321"))
    paper = services.current_consent(neighbour.id, ConsentPurpose.SMS)
    assert paper.is_given and paper.method is ConsentMethod.PAPER
