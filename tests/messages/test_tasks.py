"""The messages' jobs, run by a real Celery worker (embedded broker): a commit asks the
worker to send what it wrote; the periodic tasks write the day-before reminders and send
what is due."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import select

from lms.attendance.models import EnrolmentSource
from lms.attendance.services import enrol
from lms.auth.cards import issue_login_card
from lms.core.models import PROGRAMME_TIMEZONE
from lms.extensions import db
from lms.messages import tasks
from lms.messages.models import Channel, ConsentPurpose, Message, MessageState
from lms.messages.services import record_consent
from tests.builders import make_session
from tests.messages.test_services import vietnam


def sent(template: str, timeout: float = 60.0) -> Message:
    """The template's Zalo message once the worker sent it (read afresh)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        message = db.session.scalar(
            select(Message).where(Message.template == template, Message.channel == Channel.ZALO)
        )
        if message is not None and message.state is MessageState.SENT:
            return message
        time.sleep(0.2)
    raise AssertionError(f"no {template} message sent in {timeout} s")


def test_the_worker_sends_after_commit_and_runs_the_periodic_scans(
    world, providers, app, monkeypatch, job_worker
):
    monkeypatch.setitem(app.config, "MESSAGES_DISPATCH", True)
    for purpose in ConsentPurpose:
        record_consent(world.member_a, world.household_a, purpose, True)
    issue_login_card(world.trainer_x, world.household_a)  # commits: the worker is asked
    assert sent("new_pin").provider_message_id == "zns-1"

    tomorrow = datetime.now(PROGRAMME_TIMEZONE).date() + timedelta(days=1)
    session = make_session(
        trainer=world.trainer_x, area=world.commune_1, starts_at=vietnam(tomorrow, 8)
    )
    enrol(world.trainer_x, session, [world.household_a], EnrolmentSource.SEARCH)
    tasks.class_reminders.delay()
    reminder = sent("class_reminder")
    assert reminder.params["thoi_gian"] == f"08:00 {tomorrow:%d/%m/%Y}"
    [_pin, body] = providers.sent("zalo")
    assert body["template_data"]["dia_diem"] == "Hội trường UBND xã"

    # a message the broker lost is sent by the sweep
    monkeypatch.setitem(app.config, "MESSAGES_DISPATCH", False)
    issue_login_card(world.trainer_x, world.household_a)
    tasks.send_due.delay()
    deadline = time.monotonic() + 60
    while len(providers.sent("zalo")) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(providers.sent("zalo")) == 3


def test_the_periodic_tasks_are_scheduled(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    tasks_run = {entry["task"]: entry["schedule"] for entry in schedule.values()}
    assert tasks_run["messages.send_due"] == 60.0
    assert tasks_run["messages.class_reminders"] <= 3600.0
    assert tasks_run["messages.expiry_warnings"] <= 86400.0


def test_on_redis_the_worker_sends_what_a_commit_wrote(
    world, providers, app, monkeypatch, redis_job_worker
):
    monkeypatch.setitem(app.config, "MESSAGES_DISPATCH", True)
    for purpose in ConsentPurpose:
        record_consent(world.member_b, world.household_b, purpose, True)
    issue_login_card(world.trainer_y, world.household_b)
    assert sent("new_pin").provider_message_id == "zns-1"
    assert providers.sent("zalo")[0]["phone"] == "84987654321"
