"""Login help and households' own PINs: a phone that is not one gets a hint, a locked login
says whom to ask, a printed or guessable PIN is replaced at the next login."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.auth import cards, pins
from lms.auth.models import User
from lms.auth.services import hash_secret
from lms.core.audit import AuditEvent
from lms.core.errors import RuleViolation
from lms.extensions import db
from tests.builders import PIN


@pytest.mark.parametrize(
    ("pin", "weak"),
    [
        ("123456", True),
        ("654321", True),
        ("000000", True),
        ("121212", True),
        ("123123", True),
        ("890123", True),
        (PIN, False),
        ("902134", False),
    ],
)
def test_guessable_pins(pin, weak):
    assert pins.is_weak_pin(pin) is weak


def test_a_nine_digit_phone_gets_a_format_hint_not_wrong_pin(world, client_for):
    response = client_for().post("/login", data={"phone": "091234567", "pin": PIN})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "bạn gõ 9 chữ số; số di động có 10 chữ số" in body
    assert "mã PIN không đúng" not in body


def test_a_locked_login_says_when_and_whom_to_ask(app, world, client_for):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        response = client_for().post("/login", data={"phone": "0912345678", "pin": "000001"})
    body = response.get_data(as_text=True)
    assert "thử lại sau" in body and "Giảng viên có thể in cho bạn thẻ đăng nhập mới" in body


def test_the_login_page_explains_a_forgotten_pin(world, client_for):
    body = client_for().get("/login").get_data(as_text=True)
    assert "<summary>Quên mã PIN?</summary>" in body and "UBND xã" in body


def test_a_printed_pin_is_replaced_at_the_next_login(world, client_for):
    card = cards.issue_login_card(world.trainer_x, world.household_a)
    assert card.member.must_change_pin
    phone = client_for()
    login = phone.post("/login", data={"phone": "0912345678", "pin": card.pin})
    assert login.headers["Location"] == "/account/pin?next=/learn/&asked=1"
    page = phone.get(login.headers["Location"]).get_data(as_text=True)
    assert "do người khác in ra" in page and 'href="/learn/"' in page  # "Để sau"
    weak = phone.post(
        "/account/pin", data={"current": card.pin, "new": "111111", "again": "111111"}
    )
    assert weak.status_code == 400 and "quá dễ đoán" in weak.get_data(as_text=True)
    saved = phone.post(
        "/account/pin",
        data={"current": card.pin, "new": "902134", "again": "902134", "next": "/learn/"},
    )
    assert saved.headers["Location"] == "/learn/"
    assert phone.get("/learn/").status_code == 200  # still logged in on this phone
    member = db.session.get(User, card.member.id)
    db.session.refresh(member)
    assert not member.must_change_pin
    assert (
        client_for()
        .post("/login", data={"phone": "0912345678", "pin": "902134"})
        .headers["Location"]
        == "/learn/"
    )
    assert (
        client_for().post("/login", data={"phone": "0912345678", "pin": card.pin}).status_code
        == 400
    )
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "user.change_pin"))


def test_a_guessable_pin_is_asked_to_change_too(world, client_for):
    world.member_a.password_hash = hash_secret("123456")  # the demo's PIN
    db.session.commit()
    login = client_for().post("/login", data={"phone": "0912345678", "pin": "123456"})
    assert login.headers["Location"].startswith("/account/pin?")


def test_changing_the_pin_needs_the_current_one(world):
    with pytest.raises(RuleViolation, match="hiện tại không đúng"):
        pins.change_pin(world.member_a, "000000", "902134")
    with pytest.raises(RuleViolation, match="khác với mã trên thẻ"):
        pins.change_pin(world.member_a, PIN, PIN)


def test_the_change_pin_form_needs_the_same_pin_twice_and_its_csrf_token(world, client_for, csrf):
    phone = client_for(world.member_a)
    page = phone.get("/account/pin").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = {"current": PIN, "new": "902134", "again": "902135"}
    no_token = phone.post("/account/pin", data=data)
    assert no_token.status_code == 400 and "Hai lần nhập" not in no_token.get_data(as_text=True)
    different = phone.post("/account/pin", data={**data, "csrf_token": token})
    assert different.status_code == 400
    assert "Hai lần nhập mã PIN mới không giống nhau." in different.get_data(as_text=True)
    ok = phone.post("/account/pin", data={**data, "again": "902134", "csrf_token": token})
    assert ok.status_code == 302


def test_a_household_finds_the_pin_change_in_its_menu(world, client_for):
    page = client_for(world.member_a).get("/learn/").get_data(as_text=True)
    menu = page.split('aria-label="Menu chính"')[1].split("</nav>")[0]
    assert 'href="/account/pin"' in menu and "Đổi mã PIN" in menu
