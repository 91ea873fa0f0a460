"""The outbox through its services and the real adapters, against the fake Zalo and eSMS
servers on 127.0.0.1: written once, sent once, refused as the providers document, held by
quiet hours and the rate limit, never sent without consent, never dropped."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from lms.activation.services import report_activated
from lms.attendance.models import EnrolmentSource
from lms.auth.cards import issue_login_card
from lms.auth.models import Role
from lms.core.audit import AuditEvent
from lms.core.models import PROGRAMME_TIMEZONE, today, utcnow
from lms.extensions import db
from lms.messages import rendering, services
from lms.messages.channels import request_id
from lms.messages.models import Channel, Consent, ConsentPurpose, Message, MessageState
from tests.builders import (
    make_certificate,
    make_certification,
    make_listing,
    make_product,
    make_session,
    marketplace,
)


def agree(member, household, *purposes: ConsentPurpose) -> None:
    for purpose in purposes or tuple(ConsentPurpose):
        services.record_consent(member, household, purpose, True)


def messages(template: str | None = None) -> dict[Channel, Message]:
    statement = select(Message).order_by(Message.id)
    if template:
        statement = statement.where(Message.template == template)
    db.session.expire_all()
    return {m.channel: m for m in db.session.scalars(statement)}


def activate(world):
    """Household B's Postmart shop activated, through the activation service."""
    make_certificate(world.household_b)
    db.session.commit()
    return report_activated(
        world.admin, world.household_b, marketplace(), "PM-2026-0042", "https://postmart.vn/s/42"
    )


# ---------------------------------------------------------------- templates


@pytest.mark.parametrize("name", rendering.template_names())
def test_every_template_fits_zns_and_sms_limits_at_its_longest(name):
    template = rendering.template(name)
    longest = {param: "Đ" * (limit + 10) for param, limit in template.params.items()}
    params = rendering.fit_params(template, longest)
    assert all(len(params[p]) <= limit for p, limit in template.params.items())
    assert max(template.params.values()) <= 100 and template.params["ho"] <= 30
    sms = rendering.render(template, Channel.SMS, params)
    assert sms.isascii() and len(sms) <= template.sms_limit <= 2 * 153
    assert "Đ" in rendering.render(template, Channel.IN_APP, params)  # with diacritics


def test_sms_are_sent_without_diacritics():
    assert rendering.unaccent("Trần Văn Đức, Xã Yên Thành") == "Tran Van Duc, Xa Yen Thanh"


# ---------------------------------------------------------------- channels not configured


def test_without_credentials_a_message_is_recorded_not_sent_never_dropped(world):
    agree(world.member_a, world.household_a)
    issue_login_card(world.trainer_x, world.household_a)  # a new PIN: a message
    rows = messages("new_pin")
    assert rows[Channel.IN_APP].state is MessageState.SENT
    for channel in (Channel.ZALO, Channel.SMS):
        assert rows[channel].state is MessageState.NOT_SENT
        assert rows[channel].error == "Chưa gửi: kênh chưa được cấu hình"
    assert "246810" not in str(rows[Channel.IN_APP].params)  # never the PIN
    problems = services.problems(world.official_1)
    assert {m.channel for m in problems} == {Channel.ZALO, Channel.SMS}
    assert services.problems(world.official_2) == []


# ---------------------------------------------------------------- sending through the adapters


def test_zalo_sends_once_however_often_triggered_or_retried(world, providers):
    agree(world.member_b, world.household_b)
    request = activate(world)
    rows = messages("account_activated")
    zalo = rows[Channel.ZALO]
    assert zalo.state is MessageState.PENDING and Channel.SMS not in rows
    assert services.send_message(zalo.id) is MessageState.SENT
    [body] = providers.sent("zalo")
    assert body["phone"] == "84987654321" and body["template_id"] == "400000"
    assert body["template_data"] == {
        "ho": "Trần Văn Đức",
        "doi_tac": "Postmart",
        "ma_tai_khoan": "PM-2026-0042",
    }
    assert body["tracking_id"] == request_id(zalo.idempotency_key)
    # the same message again, the sweep, and the same trigger again: nothing more is sent
    assert services.send_message(zalo.id) is None and services.send_due() == 0
    from lms.messages.triggers import account_activated

    account_activated(request)
    db.session.commit()
    assert len(providers.sent("zalo")) == 1
    zalo = messages("account_activated")[Channel.ZALO]
    assert (zalo.provider_message_id, zalo.attempts) == ("zns-1", 1)


def test_a_message_claimed_by_another_worker_is_not_sent_again(world, providers):
    agree(world.member_b, world.household_b)
    activate(world)
    zalo = messages("account_activated")[Channel.ZALO]
    zalo.state = MessageState.SENDING  # another worker claimed it and is calling Zalo
    db.session.commit()
    assert services.send_message(zalo.id) is None and providers.sent("zalo") == []


@pytest.mark.parametrize(
    ("zalo", "sms", "zalo_code", "sms_state", "sms_code"),
    [
        ("quota", None, "quota", MessageState.SENT, None),
        ("invalid_phone", "invalid_phone", "invalid_phone", MessageState.FAILED, "invalid_phone"),
        ("template", "template", "template", MessageState.FAILED, "template"),
        ("template", "quota", "template", MessageState.FAILED, "quota"),
    ],
)
def test_a_provider_refusal_is_final_and_sms_takes_over(
    world, providers, zalo, sms, zalo_code, sms_state, sms_code
):
    agree(world.member_b, world.household_b)
    providers.scripted["zalo"].append(zalo)
    if sms:
        providers.scripted["sms"].append(sms)
    activate(world)
    services.send_due()
    services.send_due()  # the SMS written by the fallback
    rows = messages("account_activated")
    assert rows[Channel.ZALO].state is MessageState.FAILED
    assert rows[Channel.ZALO].error_code == zalo_code
    assert rows[Channel.SMS].state is sms_state and rows[Channel.SMS].error_code == sms_code
    [body] = providers.sent("sms")
    assert body["Phone"] == "84987654321" and body["Brandname"] == "TAPHUAN"
    assert (
        body["Content"] == "Ho Tran Van Duc: tai khoan Postmart da duoc kich hoat, ma PM-2026-0042"
    )
    assert body["SmsType"] == "2" and body["RequestId"] == request_id(
        rows[Channel.SMS].idempotency_key
    )
    assert services.reason_label(rows[Channel.ZALO]).startswith("Thất bại")


def test_an_sms_whose_answer_was_lost_is_not_paid_twice(world, providers):
    """eSMS refuses a RequestId it already sent (124): a retry after a lost answer."""
    agree(world.member_b, world.household_b, ConsentPurpose.DATA, ConsentPurpose.SMS)
    activate(world)
    sms = messages("account_activated")[Channel.SMS]
    providers.request_ids.add(request_id(sms.idempotency_key))  # sent once already
    assert services.send_message(sms.id) is MessageState.SENT
    assert providers.sent("sms") == []


def test_an_unreachable_provider_is_retried_then_failed(world, providers, app, monkeypatch):
    monkeypatch.setitem(app.config, "ZALO_ZNS_URL", "http://127.0.0.1:9/message/template")
    monkeypatch.setitem(app.config, "MESSAGES_TIMEOUT", 2)
    agree(world.member_b, world.household_b)
    activate(world)
    zalo = messages("account_activated")[Channel.ZALO]
    now = utcnow()
    assert services.send_message(zalo.id, now) is MessageState.PENDING
    zalo = messages("account_activated")[Channel.ZALO]
    assert (zalo.attempts, zalo.error_code, zalo.not_before) == (
        1,
        "network",
        now + timedelta(minutes=1),
    )
    assert services.send_message(zalo.id, now) is None  # not before its time
    later = now + timedelta(hours=1)
    services.send_message(zalo.id, later)
    assert services.send_message(zalo.id, later + timedelta(hours=1)) is MessageState.FAILED
    rows = messages("account_activated")
    assert rows[Channel.ZALO].attempts == 3 and rows[Channel.SMS].state is MessageState.PENDING


# ---------------------------------------------------------------- consent


def test_without_consent_nothing_leaves_and_a_withdrawal_is_honoured_at_once(world, providers):
    activate(world)
    rows = messages("account_activated")
    assert [rows[c].error_code for c in (Channel.ZALO, Channel.SMS)] == ["no_consent"] * 2
    assert rows[Channel.IN_APP].state is MessageState.SENT  # in-app needs no consent

    agree(world.member_b, world.household_b)
    issue_login_card(world.trainer_y, world.household_b)
    zalo = messages("new_pin")[Channel.ZALO]
    assert zalo.state is MessageState.PENDING
    services.record_consent(world.member_b, world.household_b, ConsentPurpose.ZALO, False, "Phiền")
    rows = messages("new_pin")
    assert rows[Channel.ZALO].state is MessageState.NOT_SENT
    assert rows[Channel.ZALO].error == "Chưa gửi: hộ đã rút lại đồng ý"
    # SMS takes over at send time; withdrawing the data consent closes it too
    services.send_due()
    sms = messages("new_pin")[Channel.SMS]
    assert sms.state is MessageState.SENT and providers.sent("zalo") == []
    services.record_consent(world.member_b, world.household_b, ConsentPurpose.DATA, False)
    assert services.current_consent(world.household_b.id, ConsentPurpose.DATA).is_given is False
    history = services.consent_history(world.household_b)
    assert next(c.reason for c in history if c.purpose is ConsentPurpose.ZALO) == "Phiền"
    assert history[0].text_version == 1 and history[0].method.value == "phone"
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("consent.give") == 3 and actions.count("consent.withdraw") == 2


def test_only_the_household_gives_its_consent_and_the_same_answer_records_nothing(world):
    from lms.core.errors import RuleViolation

    with pytest.raises(RuleViolation):
        services.record_consent(world.trainer_x, world.household_a, ConsentPurpose.DATA, True)
    with pytest.raises(RuleViolation):
        services.record_consent(world.member_b, world.household_a, ConsentPurpose.DATA, True)
    agree(world.member_a, world.household_a, ConsentPurpose.DATA)
    assert (
        services.record_consent(world.member_a, world.household_a, ConsentPurpose.DATA, True)
        is None
    )
    assert db.session.scalar(select(func.count(Consent.id))) == 1


def test_a_trainer_records_paper_consent_for_its_roster_only(world):
    from lms.attendance.services import enrol
    from lms.core.errors import RuleViolation

    answers = {ConsentPurpose.DATA: "yes", ConsentPurpose.ZALO: "yes", ConsentPurpose.SMS: ""}
    with pytest.raises(RuleViolation):  # not on the roster yet
        services.record_paper_consents(world.trainer_x, world.session_x, world.household_a, answers)
    enrol(world.trainer_x, world.session_x, [world.household_a], EnrolmentSource.SEARCH)
    with pytest.raises(RuleViolation):  # another organisation's session
        services.record_paper_consents(world.trainer_y, world.session_x, world.household_a, answers)
    assert (
        services.record_paper_consents(world.trainer_x, world.session_x, world.household_a, answers)
        == 2
    )
    [row] = services.roster_consents(world.session_x)
    consent = row.consents[ConsentPurpose.ZALO]
    assert consent.method.value == "paper" and consent.session_id == world.session_x.id
    assert consent.recorded_by_id == world.trainer_x.id and row.consents[ConsentPurpose.SMS] is None


# ---------------------------------------------------------------- quiet hours and rate limit


def vietnam(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PROGRAMME_TIMEZONE).astimezone(UTC)


def test_quiet_hours_hold_zalo_and_sms_until_morning(world, providers, app, monkeypatch):
    monkeypatch.setitem(app.config, "MESSAGES_QUIET_HOURS", (21, 7))
    day = today()
    assert services.quiet_until(vietnam(day, 22, 30), Channel.ZALO) == vietnam(
        day + timedelta(days=1), 7
    )
    assert services.quiet_until(vietnam(day, 6, 59), Channel.SMS) == vietnam(day, 7)
    assert services.quiet_until(vietnam(day, 7), Channel.ZALO) is None
    assert services.quiet_until(vietnam(day, 23), Channel.IN_APP) is None
    agree(world.member_b, world.household_b)
    activate(world)
    zalo = messages("account_activated")[Channel.ZALO]
    zalo.not_before = None
    db.session.commit()
    assert services.send_message(zalo.id, vietnam(day, 22)) is MessageState.PENDING
    assert services.send_due(vietnam(day, 23)) == 0 and providers.sent("zalo") == []
    assert services.send_due(vietnam(day + timedelta(days=1), 7, 1)) == 1


def test_the_rate_limit_holds_a_channel_for_the_rest_of_the_minute(
    world, providers, app, monkeypatch
):
    monkeypatch.setitem(app.config, "MESSAGES_RATE_PER_MINUTE", {"zalo": 1})
    agree(world.member_a, world.household_a)
    agree(world.member_b, world.household_b)
    issue_login_card(world.trainer_x, world.household_a)
    issue_login_card(world.trainer_y, world.household_b)
    now = utcnow()
    assert services.send_due(now) == 1
    assert services.send_due(now + timedelta(seconds=30)) == 0
    assert services.send_due(now + timedelta(seconds=61)) == 1
    assert len(providers.sent("zalo")) == 2


# ---------------------------------------------------------------- what the programme sends


def test_a_reminder_the_day_before_each_class_once(world):
    from lms.attendance.services import enrol

    tomorrow = datetime.now(PROGRAMME_TIMEZONE).date() + timedelta(days=1)
    session = make_session(
        title="Lớp bán hàng trên Postmart",
        trainer=world.trainer_x,
        area=world.commune_1,
        starts_at=vietnam(tomorrow, 7, 30),
        checkin_code="482913",
    )
    later = make_session(
        trainer=world.trainer_x,
        area=world.commune_1,
        starts_at=vietnam(tomorrow, 7) + timedelta(days=2),
    )
    enrol(world.trainer_x, session, [world.household_a], EnrolmentSource.SEARCH)
    enrol(world.trainer_x, later, [world.household_a], EnrolmentSource.SEARCH)
    assert services.enqueue_class_reminders() == 1
    assert services.enqueue_class_reminders() == 0
    [item] = services.inbox(world.household_a)
    assert item.title == "Nhắc lịch buổi tập huấn ngày mai"
    assert f"07:30 {tomorrow:%d/%m/%Y}" in item.body and "Hội trường UBND xã" in item.body
    assert "482913" in item.body and "điện thoại đã sạc pin" in item.body
    session.starts_at = vietnam(tomorrow, 13, 30)  # moved: reminded again
    db.session.commit()
    assert services.enqueue_class_reminders() == 1


def test_an_expiring_certification_of_a_listed_product_is_warned_about_once(world):
    soon = today() + timedelta(days=30)
    at_risk = make_product(household=world.household_a, name="Chè xanh Thanh Chương")
    make_certification(product=at_risk, expires_on=soon)
    make_listing(product=at_risk)
    rated = make_product(household=world.household_a, name="Nước mắm Cửa Lò", ocop_stars=4)
    make_certification(product=rated, expires_on=soon)
    make_listing(product=rated)
    unlisted = make_product(household=world.household_a, name="Mật ong")
    make_certification(product=unlisted, expires_on=soon)
    covered = make_product(household=world.household_a, name="Gạo")
    make_certification(product=covered, expires_on=soon)
    make_certification(product=covered, expires_on=soon + timedelta(days=365))
    make_listing(product=covered)
    make_certification(product=world.product_b, expires_on=today() + timedelta(days=61))
    db.session.commit()
    assert services.enqueue_expiry_warnings() == 1
    assert services.enqueue_expiry_warnings() == 0
    [item] = services.inbox(world.household_a)
    assert "Chè xanh Thanh Chương" in item.body and f"{soon:%d/%m/%Y}" in item.body
    assert "VietGAP" in item.body


def test_an_ending_ocop_rating_of_a_listed_product_is_warned_about_once(world):
    from lms.products.services import earliest_valid_decision, ocop_valid_until

    decided_on = earliest_valid_decision(today() + timedelta(days=30))  # ends in 30 days
    ending = make_product(
        household=world.household_a, name="Nhút Thanh Chương", ocop_stars=4,
        ocop_year=decided_on.year, ocop_decided_on=decided_on,
    )  # fmt: skip
    make_listing(product=ending)
    covered = make_product(household=world.household_a, ocop_stars=3, ocop_decided_on=decided_on)
    make_certification(product=covered, expires_on=today() + timedelta(days=400))
    make_listing(product=covered)
    undated = make_product(household=world.household_a, ocop_stars=3, ocop_year=2019)
    make_listing(product=undated)
    make_product(household=world.household_a, ocop_stars=3, ocop_decided_on=decided_on)
    db.session.commit()
    assert services.enqueue_expiry_warnings() == 1
    assert services.enqueue_expiry_warnings() == 0
    [item] = services.inbox(world.household_a)
    assert item.title == "Công nhận OCOP của sản phẩm sắp hết hiệu lực"
    until = ocop_valid_until(ending)
    assert "Nhút Thanh Chương" in item.body and "4 sao" in item.body
    assert f"{until:%d/%m/%Y}" in item.body
    # a day past the warning window, another rating: not yet
    later = earliest_valid_decision(today() + timedelta(days=61))
    ending.ocop_decided_on, ending.ocop_year = later, later.year
    db.session.commit()
    assert services.enqueue_expiry_warnings() == 0


def test_a_certificate_issued_tells_its_serial_and_verification_link(
    courses, world, app, monkeypatch
):
    from tests.certificates.test_services import complete

    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://taphuan.example.vn")
    complete(world, courses=courses)
    [item] = services.inbox(world.household_a)
    assert item.title == "Hộ đã được cấp giấy chứng nhận"
    serial = db.session.scalar(select(Message.params)).get("so_hieu")
    assert serial.startswith("NA-") and serial in item.body
    assert f"https://taphuan.example.vn/v/?serial={serial}" in item.body


def test_a_new_pin_chosen_by_the_member_is_told(world):
    from lms.auth.pins import change_pin
    from tests.builders import PIN

    change_pin(world.member_a, PIN, "739104")
    [item] = services.inbox(world.household_a)
    assert item.title == "Mã PIN đăng nhập đã được đổi" and "739104" not in item.body


@pytest.mark.races_on_postgres
def test_workers_and_triggers_at_once_send_and_write_once(world, providers, app):
    """Eight workers sending the same message at once, and eight triggers of the same
    activation at once: one provider call, one row per channel."""
    import threading

    from lms.activation.models import ActivationRequest
    from lms.messages.triggers import account_activated

    agree(world.member_b, world.household_b)
    request_id = activate(world).id
    message_id = messages("account_activated")[Channel.ZALO].id
    db.session.remove()

    def at_once(work) -> list:
        barrier, errors = threading.Barrier(8), []

        def run() -> None:
            with app.app_context():
                try:
                    barrier.wait(timeout=30)
                    work()
                except Exception as error:  # pragma: no cover - reported below
                    errors.append(error)
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=run) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return errors

    def retrigger() -> None:
        account_activated(db.session.get(ActivationRequest, request_id))
        db.session.commit()

    assert at_once(lambda: services.send_message(message_id)) == []
    assert at_once(retrigger) == []
    assert len(providers.sent("zalo")) == 1
    assert db.session.scalar(select(func.count(Message.id))) == 2  # in-app and Zalo
    assert messages("account_activated")[Channel.ZALO].attempts == 1


def test_a_reminder_held_until_morning_is_not_sent_for_a_class_cancelled_meanwhile(
    world, providers, app, monkeypatch
):
    from lms.attendance.services import cancel_session, enrol

    agree(world.member_a, world.household_a)
    tomorrow = datetime.now(PROGRAMME_TIMEZONE).date() + timedelta(days=1)
    session = make_session(
        trainer=world.trainer_x, area=world.commune_1, starts_at=vietnam(tomorrow, 8)
    )
    enrol(world.trainer_x, session, [world.household_a], EnrolmentSource.SEARCH)
    monkeypatch.setitem(app.config, "MESSAGES_QUIET_HOURS", (21, 7))
    services.enqueue_class_reminders(vietnam(today(), 22))
    assert messages("class_reminder")[Channel.ZALO].not_before is not None  # held
    cancel_session(world.trainer_x, session)
    services.send_due(vietnam(tomorrow, 7, 5))
    rows = messages("class_reminder")
    assert {rows[c].error_code for c in (Channel.ZALO, Channel.SMS)} == {"cancelled"}
    assert providers.received == []


def test_the_cli_scans_sends_and_counts(world, providers, app):
    from lms.attendance.services import enrol

    agree(world.member_a, world.household_a)
    tomorrow = datetime.now(PROGRAMME_TIMEZONE).date() + timedelta(days=1)
    session = make_session(
        trainer=world.trainer_x, area=world.commune_1, starts_at=vietnam(tomorrow, 9)
    )
    enrol(world.trainer_x, session, [world.household_a], EnrolmentSource.SEARCH)
    runner = app.test_cli_runner()
    scan = runner.invoke(args=["messages", "scan"])
    assert "1 class reminders and 0 expiry warnings written." in scan.output
    assert "1 messages sent." in runner.invoke(args=["messages", "send-due"]).output
    status = runner.invoke(args=["messages", "status"]).output
    assert "zalo\tsent\t1" in status and "in_app\tsent\t1" in status


def test_each_household_of_a_class_gets_its_own_sms(world, providers):
    """Their keys differ only at the end: each is sent under its own RequestId."""
    from lms.attendance.services import enrol
    from tests.builders import make_household, make_user

    tomorrow = datetime.now(PROGRAMME_TIMEZONE).date() + timedelta(days=1)
    session = make_session(
        trainer=world.trainer_x, area=world.commune_1, starts_at=vietnam(tomorrow, 8)
    )
    neighbour = make_household(area=world.commune_1, head_name="Lê Văn Hải")
    households = [
        (world.member_a, world.household_a),
        (make_user(Role.HOUSEHOLD, household=neighbour), neighbour),
    ]
    for member, household in households:
        agree(member, household, ConsentPurpose.DATA, ConsentPurpose.SMS)
    enrol(world.trainer_x, session, [h for _, h in households], EnrolmentSource.SEARCH)
    assert services.enqueue_class_reminders() == 2
    assert services.send_due() == 2
    phones = sorted(body["Phone"] for body in providers.sent("sms"))
    assert phones == sorted(f"84{h.phone[1:]}" for _, h in households)
