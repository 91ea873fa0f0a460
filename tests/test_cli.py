"""The flask commands: demo data, area import, the first administrator."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.areas.models import Area
from lms.auth.models import Role, User
from lms.demo.data import DEMO_LOGINS
from lms.extensions import db

HOMES = {
    "admin": "Quản trị",
    "official": "Tổng quan: ",  # then the official's area
    "trainer": "Buổi tập huấn",
    "digital_team": "Hỗ trợ học",
    "household": "Khóa học của tôi",
}


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_demo_loads_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0 and "Demo data loaded." in first.output
    users = _users()
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "already present" in second.output
    assert _users() == users == len(DEMO_LOGINS)
    for _, login, secret in DEMO_LOGINS:
        assert login in second.output and secret in second.output


@pytest.mark.parametrize(("role", "login", "secret"), DEMO_LOGINS)
def test_every_demo_login_reaches_its_home_page(app, client_for, role, login, secret):
    app.test_cli_runner().invoke(args=["demo", "load"])
    client = client_for()
    if role == "household":
        response = client.post("/login", data={"phone": login, "pin": secret})
    else:
        response = client.post("/login/staff", data={"email": login, "password": secret})
    assert response.status_code == 302
    target = response.headers["Location"]
    if role == "household":  # the demo's PIN is one the lessons call unsafe: asked to change it
        assert target.startswith("/account/pin?next=")
        target = target.removeprefix("/account/pin?next=").removesuffix("&asked=1")
    page = client.get(target)
    assert page.status_code == 200
    assert f"<h1>{HOMES[role]}" in page.get_data(as_text=True)


def test_areas_import_command(app, tmp_path):
    good = tmp_path / "areas.csv"
    good.write_text(
        "code,name,level,parent_code\n40,Tỉnh Nghệ An,province,\n17464,Xã Diễn Châu,commune,40\n"
    )
    result = app.test_cli_runner().invoke(args=["areas", "import", str(good)])
    assert result.exit_code == 0 and "2 created, 0 updated" in result.output

    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,level,parent_code\n17506,Xã Yên Thành,commune,99\n")
    result = app.test_cli_runner().invoke(args=["areas", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 2" in result.output and "nothing was imported" in result.output
    assert db.session.scalar(select(func.count()).select_from(Area)) == 2


def test_create_admin_command(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "--email", "Root@Example.vn", "--name", "Quản trị"],
        input="a-long-password\na-long-password\n",
    )
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(select(User))
    assert (admin.email, admin.role) == ("root@example.vn", Role.ADMIN)


def test_create_admin_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "--email", "root@example.vn", "--name", "Quản trị"],
        input="short\nshort\n",
    )
    assert result.exit_code == 1 and "Mật khẩu cần ít nhất 8 ký tự." in result.output
    assert _users() == 0
