"""Logging in and out through the screens, and the administrator's account screens."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.auth.models import Role, User
from lms.core.audit import AuditEvent
from lms.extensions import db
from tests.builders import PASSWORD, PIN


def test_household_logs_in_with_phone_and_pin(world, client_for):
    client = client_for()
    response = client.post("/login", data={"phone": "0912 345 678", "pin": PIN})
    assert response.status_code == 302
    assert response.headers["Location"] == "/learn/"
    page = client.get("/learn/").get_data(as_text=True)
    assert "Khóa học của tôi" in page and "Nguyễn Thị Hương" in page


@pytest.mark.parametrize(
    ("actor", "home", "heading"),
    [
        ("trainer_x", "/sessions/", "Buổi tập huấn"),
        ("official_1", "/overview/", "Tổng quan: Xã Diễn Châu"),
        ("admin", "/admin/", "Quản trị"),
    ],
)
def test_staff_land_on_their_role_home(world, client_for, actor, home, heading):
    client = client_for()
    user = getattr(world, actor)
    response = client.post("/login/staff", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == home
    assert f"<h1>{heading}</h1>" in client.get(home).get_data(as_text=True)


def test_wrong_pin_is_refused_in_vietnamese(world, client_for):
    response = client_for().post("/login", data={"phone": "0912345678", "pin": "000000"})
    assert response.status_code == 400
    assert "Số điện thoại hoặc mã PIN không đúng." in response.get_data(as_text=True)


def test_a_malformed_pin_is_answered_next_to_the_field(world, client_for):
    response = client_for().post("/login", data={"phone": "0912345678", "pin": "12ab"})
    assert response.status_code == 400
    assert "Mã PIN gồm đúng 6 chữ số." in response.get_data(as_text=True)


def test_repeated_failures_lock_the_login_and_say_so(world, client_for):
    client = client_for()
    for _ in range(5):
        client.post("/login", data={"phone": "0912345678", "pin": "000000"})
    # when, by the clock in Vietnam (UTC+7), as well as in minutes
    before = _vietnam_clock(minutes=15)
    response = client.post("/login", data={"phone": "0912345678", "pin": PIN})
    after = _vietnam_clock(minutes=15)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Đăng nhập tạm khóa, vui lòng thử lại sau 15 phút, lúc " in body
    assert re.search(r"lúc (\d\d:\d\d)\.", body)[1] in {before, after}


def _vietnam_clock(minutes: int) -> str:
    return (datetime.now(UTC) + timedelta(hours=7, minutes=minutes)).strftime("%H:%M")


def test_login_goes_back_to_a_safe_next_page(world, client_for):
    response = client_for().post(
        "/login",
        data={"phone": "0912345678", "pin": PIN, "next": f"/households/{world.household_a.id}"},
    )
    assert response.headers["Location"] == f"/households/{world.household_a.id}"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_never_redirects_off_site(world, client_for, target):
    response = client_for().post("/login", data={"phone": "0912345678", "pin": PIN, "next": target})
    assert response.headers["Location"] == "/learn/"


def test_remember_me_is_off(world, client_for):
    response = client_for().post("/login", data={"phone": "0912345678", "pin": PIN})
    assert "remember_token" not in response.headers.get("Set-Cookie", "")


def test_logout_ends_the_session(world, client_for):
    client = client_for(world.member_a)
    assert client.get("/learn/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/learn/").status_code == 302


def test_a_logged_in_user_does_not_leak_into_the_next_request(world, client_for):
    """The pytest-flask + Flask-Login trap: the cached user must not survive a request."""
    assert client_for(world.admin).get("/admin/").status_code == 200
    anonymous = client_for().get("/admin/")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/login?next=")


def test_login_without_csrf_token_is_refused(world, client_for, csrf):
    client = client_for()
    response = client.post("/login", data={"phone": "0912345678", "pin": PIN})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    assert client.get("/learn/").status_code == 302


def test_login_with_csrf_token_succeeds(world, client_for, csrf):
    client = client_for()
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get("/login").get_data(as_text=True),
    )
    response = client.post(
        "/login", data={"phone": "0912345678", "pin": PIN, "csrf_token": token.group(1)}
    )
    assert response.headers["Location"] == "/learn/"


def test_logout_without_csrf_token_is_refused(world, client_for, csrf):
    client = client_for(world.member_a)
    assert client.post("/logout").status_code == 400
    assert client.get("/learn/").status_code == 200


def test_admin_creates_a_household_member(world, client_for):
    client = client_for(world.admin)
    response = client.post(
        "/users/new",
        data={
            "role": "household",
            "full_name": "Nguyễn Văn Con",
            "phone": "0355 111 222",
            "secret": "135790",
            "household_id": str(world.household_a.id),
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    member = db.session.scalar(select(User).where(User.phone == "0355111222"))
    assert member.household_id == world.household_a.id and member.role is Role.HOUSEHOLD
    login = client_for().post("/login", data={"phone": "0355111222", "pin": "135790"})
    assert login.headers["Location"] == "/learn/"


def test_admin_sees_a_refusal_next_to_the_field(world, client_for):
    response = client_for(world.admin).post(
        "/users/new",
        data={
            "role": "trainer",
            "full_name": "Giảng viên mới",
            "email": "moi@example.vn",
            "secret": "long-enough",
            "is_active": "y",
        },
    )
    assert response.status_code == 400
    assert "Cán bộ quản lý và giảng viên cần có địa bàn." in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "moi@example.vn")) is None


def test_admin_edits_and_deactivates_an_account(world, client_for):
    client = client_for(world.admin)
    official = world.official_1
    response = client.post(
        f"/users/{official.id}/edit",
        data={
            "role": "official",
            "full_name": "Hoàng Thị Lan",
            "email": official.email,
            "area_id": str(world.commune_2.id),
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    assert (
        client.post(f"/users/{official.id}/deactivate", data={"confirmed": "1"}).status_code == 302
    )
    db.session.expire_all()
    official = db.session.get(User, official.id)
    assert (official.full_name, official.area_id, official.is_active) == (
        "Hoàng Thị Lan",
        world.commune_2.id,
        False,
    )
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_id == official.id)
    ).all()
    assert actions == ["user.update", "user.update"]
    assert client_for(official).get("/overview/").status_code == 302  # its session is gone


def test_account_pages_mask_household_phones(world, client_for):
    page = client_for(world.admin).get("/users").get_data(as_text=True)
    assert "0912***678" in page and "0912345678" not in page


def test_the_account_form_shows_the_phone_masked_and_keeps_it_when_left_empty(world, client_for):
    client = client_for(world.admin)
    edit = f"/users/{world.member_a.id}/edit"
    body = client.get(edit).get_data(as_text=True)
    assert "0912345678" not in body and "Đang lưu: 0912***678 — để trống nếu không đổi" in body
    form = {
        "role": "household",
        "full_name": "Nguyễn Thị Hương",
        "phone": "",
        "household_id": str(world.household_a.id),
        "is_active": "y",
    }
    assert client.post(edit, data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.member_a.id).phone == "0912345678"
    assert client.post(edit, data={**form, "phone": "0355 111 222"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.member_a.id).phone == "0355111222"
