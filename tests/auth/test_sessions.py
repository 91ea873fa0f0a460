"""Sessions end on the server: a session cookie copied before a logout, a new login card,
revoked cards, a new secret or a deactivation logs no one in afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.auth import services
from lms.auth.models import User
from lms.extensions import db
from tests.builders import PASSWORD, PIN


def stolen_cookie(app, client) -> str:
    """The session cookie as an attacker (or the lost phone) keeps it."""
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def replay(app, client_for, cookie: str):
    """Another device sends the kept cookie again."""
    thief = client_for()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return thief


def log_in_member(client_for):
    phone = client_for()
    assert phone.post("/login", data={"phone": "0912345678", "pin": PIN}).status_code == 302
    return phone


def _log_out(world, client_for, phone) -> None:
    phone.post("/logout")


def _print_a_new_card(world, client_for, phone) -> None:
    client_for(world.trainer_x).post(f"/households/{world.household_a.id}/card")


def _revoke_the_cards(world, client_for, phone) -> None:
    client_for(world.trainer_x).post(
        f"/households/{world.household_a.id}/card/revoke", data={"confirmed": "1"}
    )


def _reset_the_pin(world, client_for, phone) -> None:
    member = world.member_a
    response = client_for(world.admin).post(
        f"/users/{member.id}/edit",
        data={
            "role": "household",
            "full_name": member.full_name,
            "phone": member.phone,
            "secret": "135790",
            "household_id": str(member.household_id),
            "is_active": "y",
        },
    )
    assert response.status_code == 302


def _deactivate(world, client_for, phone) -> None:
    client_for(world.admin).post(f"/users/{world.member_a.id}/deactivate", data={"confirmed": "1"})


def _deactivate_then_reactivate(world, client_for, phone) -> None:
    _deactivate(world, client_for, phone)
    member = world.member_a
    client_for(world.admin).post(
        f"/users/{member.id}/edit",
        data={
            "role": "household",
            "full_name": member.full_name,
            "phone": member.phone,
            "household_id": str(member.household_id),
            "is_active": "y",
        },
    )
    assert db.session.get(User, member.id).is_active


@pytest.mark.parametrize(
    "end",
    [
        _log_out,
        _print_a_new_card,
        _revoke_the_cards,
        _reset_the_pin,
        _deactivate,
        _deactivate_then_reactivate,
    ],
    ids=lambda end: end.__name__.strip("_"),
)
def test_a_cookie_saved_before_its_session_ended_opens_nothing(app, world, client_for, end):
    phone = log_in_member(client_for)
    cookie = stolen_cookie(app, phone)
    assert replay(app, client_for, cookie).get("/learn/").status_code == 200  # a working copy
    end(world, client_for, phone)
    for device in (phone, replay(app, client_for, cookie)):
        response = device.get("/learn/")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_logging_out_ends_the_sessions_on_other_devices_too(app, world, client_for):
    phone, laptop = log_in_member(client_for), log_in_member(client_for)
    phone.post("/logout")
    assert laptop.get("/learn/").status_code == 302


def test_logging_in_again_after_a_logout_works(world, client_for):
    phone = log_in_member(client_for)
    phone.post("/logout")
    assert phone.post("/login", data={"phone": "0912345678", "pin": PIN}).status_code == 302
    assert phone.get("/learn/").status_code == 200


def test_a_new_staff_password_ends_the_sessions_of_that_account(app, world, client_for):
    laptop = client_for()
    laptop.post("/login/staff", data={"email": world.trainer_x.email, "password": PASSWORD})
    cookie = stolen_cookie(app, laptop)
    trainer = world.trainer_x
    client_for(world.admin).post(
        f"/users/{trainer.id}/edit",
        data={
            "role": "trainer",
            "full_name": trainer.full_name,
            "email": trainer.email,
            "secret": "a-new-password",
            "area_id": str(trainer.area_id),
            "organisation_id": str(trainer.organisation_id),
            "is_active": "y",
        },
    )
    assert replay(app, client_for, cookie).get("/sessions/").status_code == 302


def test_an_admin_changing_its_own_password_stays_logged_in_here_only(app, world, client_for):
    admin, other_tab = client_for(), client_for()
    for client in (admin, other_tab):
        client.post("/login/staff", data={"email": world.admin.email, "password": PASSWORD})
    response = admin.post(
        f"/users/{world.admin.id}/edit",
        data={
            "role": "admin",
            "full_name": world.admin.full_name,
            "email": world.admin.email,
            "secret": "a-new-password",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    assert admin.get("/admin/").status_code == 200
    assert other_tab.get("/admin/").status_code == 302


def test_a_cookie_from_before_session_versions_logs_no_one_in(world, client_for):
    client = client_for()
    with client.session_transaction() as session:
        session["_user_id"] = str(world.member_a.id)  # what cookies held before versions
    assert client.get("/learn/").status_code == 302


@pytest.mark.parametrize("session_id", ["", "1", "1:", ":0", "x:0", "1:x", "1:0:0", "-1:0"])
def test_a_malformed_session_id_logs_no_one_in(world, session_id):
    assert services.user_for_session(session_id) is None


def test_ending_sessions_raises_the_version_once_per_end(world):
    member = world.member_a
    assert services.user_for_session(member.get_id()) is member
    opened = member.get_id()
    services.log_out(member)
    services.log_out(member)
    db.session.expire_all()
    stored = db.session.scalar(select(User.session_version).where(User.id == member.id))
    assert stored == 2
    assert services.user_for_session(opened) is None
    assert services.user_for_session(member.get_id()) is member
