"""The demo's messages and consents (``flask demo load``): a class tomorrow in Xã Diễn Châu
with the demo household on its roster and its reminder in the household's message box (on
Zalo and SMS "not sent: channel not configured" until credentials are set), the demo
household's consent given on its phone, a paper consent a trainer recorded at a class, and
the warning that the OCOP rating of the demo household's listed tea ends within 60 days."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from lms.attendance.models import AttendanceMark, ClassSession, EnrolmentSource
from lms.auth.models import Role, User
from lms.core.models import PROGRAMME_TIMEZONE
from lms.courses.services import list_courses
from lms.extensions import db
from lms.households.models import Household
from lms.messages import services
from lms.messages.models import ConsentPurpose


def add_demo_messages() -> None:
    household = db.session.scalar(select(Household).where(Household.phone == "0912345678"))
    neighbour = db.session.scalar(select(Household).where(Household.phone == "0987654321"))
    member = db.session.scalar(
        select(User).where(User.household_id == household.id, User.role == Role.HOUSEHOLD)
    )
    trainer = db.session.scalar(select(User).where(User.email == "giangvien.vnpost@demo.vn"))
    live = db.session.scalar(
        select(ClassSession).where(ClassSession.title == "Lớp tập huấn đang diễn ra")
    )
    tomorrow = datetime.now(PROGRAMME_TIMEZONE).date() + timedelta(days=1)
    starts_at = datetime.combine(tomorrow, time(8), PROGRAMME_TIMEZONE)
    session = ClassSession(
        courses=list(list_courses()),
        checkin_code="135790",
        title="Bán hàng trên Postmart — lớp 2",
        organisation_id=trainer.organisation_id,
        trainer_id=trainer.id,
        area_id=household.area_id,
        place="Hội trường UBND xã Diễn Châu",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
    )
    session.marks.append(AttendanceMark(household=household, source=EnrolmentSource.COMMUNE))
    db.session.add(session)
    db.session.commit()
    for purpose in (ConsentPurpose.DATA, ConsentPurpose.ZALO):
        services.record_consent(member, household, purpose, True)
    yes = {ConsentPurpose.DATA: "yes", ConsentPurpose.SMS: "yes", ConsentPurpose.ZALO: "no"}
    services.record_paper_consents(trainer, live, neighbour, yes, "Không dùng Zalo")
    services.enqueue_class_reminders()
    services.enqueue_expiry_warnings()  # the demo household's tea: its OCOP rating ends
