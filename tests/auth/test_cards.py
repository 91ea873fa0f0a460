"""Login cards: a QR that logs a household in, expires, and stops when replaced or revoked."""

from __future__ import annotations

import io
import re
import time

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lms.auth import cards
from lms.auth.models import Role, User
from lms.core.errors import RuleViolation
from lms.extensions import db
from tests.builders import PIN, make_household


def _token(response) -> str:
    return re.search(r"/card/([\w.\-]+)", response.get_data(as_text=True)).group(1)


def test_a_trainer_prints_a_card_whose_link_logs_the_household_in(world, client_for):
    response = client_for(world.trainer_x).post(f"/households/{world.household_a.id}/card")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nguyễn Thị Hương" in page and "<svg" in page
    pin = re.search(r'class="pin">(\d{6})<', page).group(1)
    phone_client = client_for()
    login = phone_client.get(f"/card/{_token(response)}")
    assert login.headers["Location"] == "/learn/"
    assert "Khóa học của tôi" in phone_client.get("/learn/").get_data(as_text=True)
    # the printed PIN logs in too, and the member is asked to choose its own
    assert (
        client_for().post("/login", data={"phone": "0912345678", "pin": pin}).headers["Location"]
        == "/account/pin?next=/learn/&asked=1"
    )


def test_a_new_card_replaces_the_old_one(world, client_for):
    trainer = client_for(world.trainer_x)
    old = _token(trainer.post(f"/households/{world.household_a.id}/card"))
    new = _token(trainer.post(f"/households/{world.household_a.id}/card"))
    refused = client_for().get(f"/card/{old}")
    assert refused.status_code == 400 and "đã được thay bằng thẻ mới hơn" in refused.get_data(
        as_text=True
    )
    assert client_for().get(f"/card/{new}").status_code == 302


def test_revoked_cards_stop_working(world, client_for):
    trainer = client_for(world.trainer_x)
    token = _token(trainer.post(f"/households/{world.household_a.id}/card"))
    trainer.post(f"/households/{world.household_a.id}/card/revoke", data={"confirmed": "1"})
    assert client_for().get(f"/card/{token}").status_code == 400


def _pin(response) -> str:
    return re.search(r'class="pin">(\d{6})<', response.get_data(as_text=True)).group(1)


def test_revoking_the_cards_voids_the_printed_pin_until_a_new_card(world, client_for):
    """The lost card's PIN logs no one in after "Hủy mọi thẻ đăng nhập"; a new card's does."""
    trainer, card = client_for(world.trainer_x), f"/households/{world.household_a.id}/card"
    old_pin = _pin(trainer.post(card))
    trainer.post(f"{card}/revoke", data={"confirmed": "1"})
    for pin in (old_pin, PIN):  # neither the card's PIN nor the one set before it
        refused = client_for().post("/login", data={"phone": "0912345678", "pin": pin})
        assert refused.status_code == 400
        assert "Số điện thoại hoặc mã PIN không đúng." in refused.get_data(as_text=True)
    new_pin = _pin(trainer.post(card))
    login = client_for().post("/login", data={"phone": "0912345678", "pin": new_pin})
    assert login.headers["Location"] == "/account/pin?next=/learn/&asked=1"


REFUSALS = {"replaced": "đã được thay bằng thẻ mới hơn", "revoked": "đã bị hủy"}


@pytest.mark.parametrize(
    ("after_the_card", "told"),
    [
        ("print", "replaced"),
        ("revoke", "revoked"),
        ("revoke revoke", "revoked"),
        ("revoke print", "revoked"),
        ("print revoke", "replaced"),
        ("print revoke print", "replaced"),
    ],
)
def test_a_refused_card_says_why(world, client_for, after_the_card, told):
    trainer, card = client_for(world.trainer_x), f"/households/{world.household_a.id}/card"
    token = _token(trainer.post(card))
    for action in after_the_card.split():
        if action == "print":
            trainer.post(card)
        else:
            trainer.post(f"{card}/revoke", data={"confirmed": "1"})
    refused = client_for().get(f"/card/{token}")
    page = refused.get_data(as_text=True)
    [other] = set(REFUSALS) - {told}
    assert refused.status_code == 400
    assert REFUSALS[told] in page and REFUSALS[other] not in page


def test_a_revoked_card_that_has_also_expired_says_it_expired(world, client_for, monkeypatch):
    trainer, card = client_for(world.trainer_x), f"/households/{world.household_a.id}/card"
    token = _token(trainer.post(card))
    trainer.post(f"{card}/revoke", data={"confirmed": "1"})
    later = time.time() + 181 * 24 * 3600
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    refused = client_for().get(f"/card/{token}")
    assert refused.status_code == 400 and "hết hạn" in refused.get_data(as_text=True)


def test_an_expired_card_is_refused(world, monkeypatch):
    card = cards.issue_login_card(world.trainer_x, world.household_a)
    later = time.time() + 181 * 24 * 3600
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    with pytest.raises(RuleViolation) as refused:
        cards.member_from_card(card.token)
    assert "hết hạn" in str(refused.value.message)


@pytest.mark.parametrize("token", ["garbage", "eyJ1IjoxLCJ2IjoxfQ.AAAA.BBBB", ""])
def test_a_tampered_link_is_refused(world, client_for, token):
    response = client_for().get(f"/card/{token}x")
    assert response.status_code == 400 and "không hợp lệ" in response.get_data(as_text=True)


def test_a_card_never_logs_in_staff(world, app):
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer(app.secret_key, salt=cards.SALT).dumps(
        {"u": world.admin.id, "v": 0}
    )
    with pytest.raises(RuleViolation):
        cards.member_from_card(forged)


def test_a_household_without_a_member_gets_one(world):
    household = make_household(
        head_name="Vi Văn Tám",
        phone="0328654321",
        area=world.commune_1,
        registered_by_id=world.trainer_x.id,
    )
    card = cards.issue_login_card(world.trainer_x, household)
    member = db.session.scalar(select(User).where(User.household_id == household.id))
    assert (member.role, member.phone, member.full_name) == (
        Role.HOUSEHOLD,
        "0328654321",
        "Vi Văn Tám",
    )
    assert card.member.id == member.id and len(card.pin) == 6


def test_a_household_without_a_phone_is_refused(world):
    household = make_household(phone=None, area=world.commune_1)
    with pytest.raises(RuleViolation):
        cards.issue_login_card(world.trainer_x, household)


def test_the_card_pdf_holds_the_name_and_the_pin(world, client_for):
    response = client_for(world.admin).post(f"/households/{world.household_a.id}/card.pdf")
    assert response.mimetype == "application/pdf"
    page = PdfReader(io.BytesIO(response.data)).pages[0]
    text = page.extract_text()
    assert "Nguyễn Thị Hương" in text and re.search(r"\b\d{6}\b", text)
    # the card's stylesheet was read: A6 landscape (148 × 105 mm)
    size = (float(page.mediabox.width), float(page.mediabox.height))
    assert tuple(round(v / 72 * 25.4) for v in size) == (148, 105)


def test_the_card_page_in_a_browser_gets_its_stylesheet(world, client_for):
    """The CSP refuses inline styles: the page links the stylesheet instead."""
    page = client_for(world.trainer_x).post(f"/households/{world.household_a.id}/card")
    body = page.get_data(as_text=True)
    assert "<style" not in body
    stylesheet = re.search(r'href="(/static/login-card/login-card\.[0-9a-f]{10}\.css)"', body)
    css = client_for().get(stylesheet[1])
    assert css.status_code == 200 and "flex-wrap: wrap" in css.get_data(as_text=True)


def test_an_official_cannot_print_cards(world, client_for):
    assert (
        client_for(world.official_1).post(f"/households/{world.household_a.id}/card").status_code
        == 403
    )


def test_a_trainer_cannot_print_a_card_outside_its_area(world, client_for):
    from tests.builders import make_area

    elsewhere = make_household(area=make_area(parent=make_area(code="38")))
    assert client_for(world.trainer_x).post(f"/households/{elsewhere.id}/card").status_code == 404
