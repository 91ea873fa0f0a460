"""Assisted mode, the proxy flags and the assisted share through the screens."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.attendance.models import AttendanceMark
from lms.auth.models import Role, User
from lms.core.origin import DEVICE_COOKIE
from lms.courses.models import QuizAttempt
from lms.extensions import db
from tests.assisted.helpers import session_today
from tests.builders import make_household, make_user
from tests.courses.test_views import answers

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _token(page: str) -> str:
    return TOKEN.search(page).group(1)


def test_the_digital_team_assists_from_the_roster_with_its_own_login(
    courses, world, client_for, csrf
):
    session = session_today(world, world.household_a)
    client = client_for(world.team_1)
    home = client.get("/assisted/").get_data(as_text=True)
    assert "Lớp hôm nay" in home and "Hỗ trợ học" in home
    roster = client.get(f"/assisted/sessions/{session.id}").get_data(as_text=True)
    assert client.get(f"/households/{world.household_a.id}").status_code == 403
    # the household's name and masked phone, never its national ID
    assert (
        "Nguyễn Thị Hương" in roster and "040186001234" not in roster and "0912345678" not in roster
    )
    opened = f"/assisted/sessions/{session.id}/households/{world.household_a.id}"
    assert client.post(opened).status_code == 400  # no CSRF token: nothing opens
    response = client.post(opened, data={"csrf_token": _token(roster)})
    assert response.headers["Location"] == "/assisted/learn/"
    page = client.get("/assisted/learn/").get_data(as_text=True)
    assert "Đang hỗ trợ hộ Nguyễn Thị Hương" in page and "Kết thúc hỗ trợ" in page
    quiz = client.get(f"/assisted/learn/{courses[0].slug}/quiz").get_data(as_text=True)
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', quiz).group(1)
    data = {"csrf_token": _token(quiz), "nonce": nonce} | answers(quiz, courses[0], right=True)
    result = client.post(f"/assisted/learn/{courses[0].slug}/quiz", data=data)
    body = client.get(result.headers["Location"]).get_data(as_text=True)
    assert "Đạt" in body and "Đã ghi là có người hỗ trợ: Tổ CNS Diễn Châu." in body
    attempt = db.session.scalar(select(QuizAttempt))
    assert (
        attempt.assisted_by_id == world.team_1.id and attempt.household_id == world.household_a.id
    )
    assert attempt.device_hash and attempt.address_hash and "127.0.0.1" not in attempt.address_hash
    ended = client.post("/assisted/end", data={"csrf_token": _token(body)})
    assert ended.headers["Location"] == f"/assisted/sessions/{session.id}"
    assert client.get("/assisted/learn/").headers["Location"] == "/assisted/"
    # the household's own page shows the quiz passed, as if it had taken it alone
    member = client_for(world.member_a)
    assert "Bài kiểm tra: đạt" in member.get("/learn/").get_data(as_text=True)
    # and its result says the help it had
    result = member.get(f"/learn/results/{attempt.id}").get_data(as_text=True)
    assert '<span class="tag">Có người hỗ trợ</span>' in result


def test_a_device_gets_its_id_once_in_an_httponly_cookie(world, client_for):
    client = client_for(world.member_a)
    cookie = client.get("/checkin/").headers["Set-Cookie"]
    assert cookie.startswith(f"{DEVICE_COOKIE}=") and "HttpOnly" in cookie
    assert DEVICE_COOKIE not in client.get("/checkin/").headers.get("Set-Cookie", "")
    assert "Set-Cookie" not in client_for().get("/v/").headers  # nobody logged in: no id


def test_a_session_of_another_commune_is_not_found_for_the_digital_team(world, client_for):
    session = session_today(world, world.household_b, trainer=world.trainer_y, area=world.commune_2)
    client = client_for(world.team_1)
    assert client.get(f"/assisted/sessions/{session.id}").status_code == 404
    assert client.get("/households/").status_code == 403
    assert "Lớp hôm nay" not in client.get("/assisted/").get_data(as_text=True)


def test_the_admin_creates_a_digital_team_member_bound_to_a_commune(world, client_for):
    data = {
        "role": "digital_team",
        "full_name": "Lê Thị Mai",
        "email": "mai@example.vn",
        "secret": "mat-khau-dai",
        "area_id": str(world.province.id),
        "is_active": "y",
    }
    client = client_for(world.admin)
    refused = client.post("/users/new", data=data)
    assert refused.status_code == 400
    assert "Thành viên tổ công nghệ số cộng đồng phải thuộc một xã." in refused.get_data(
        as_text=True
    )
    assert "Thành viên tổ công nghệ số cộng đồng" in client.get("/users/new").get_data(as_text=True)
    assert (
        client.post("/users/new", data=data | {"area_id": str(world.commune_1.id)}).status_code
        == 302
    )
    user = db.session.scalar(select(User).where(User.email == "mai@example.vn"))
    assert user.role is Role.DIGITAL_TEAM and user.area_id == world.commune_1.id
    assert client_for(user).get("/").headers["Location"] == "/assisted/"


def test_one_phone_doing_quizzes_and_check_ins_for_many_households_is_flagged(
    courses, world, client_for
):
    households = [make_household(area=world.commune_1, head_name=f"Hộ Thử {n}") for n in range(3)]
    session = session_today(world)
    session.checkin_code = "246135"
    db.session.commit()
    for household in households:
        client = client_for(make_user(Role.HOUSEHOLD, household=household))
        client.set_cookie(DEVICE_COOKIE, "one-shared-phone-0123456789")
        quiz = client.get(f"/learn/{courses[0].slug}/quiz").get_data(as_text=True)
        nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', quiz).group(1)
        data = {"nonce": nonce} | answers(quiz, courses[0], right=False)
        assert client.post(f"/learn/{courses[0].slug}/quiz", data=data).status_code == 302
        assert client.post("/checkin/", data={"code": "246135"}).status_code == 200
    marks = db.session.scalars(select(AttendanceMark).where(AttendanceMark.is_self_checkin)).all()
    assert len({m.device_hash for m in marks}) == 1 and len(marks) == 3
    page = client_for(world.official_1).get("/assisted/flags").get_data(as_text=True)
    # two flags (quizzes and check-ins from one device), each listing the three households;
    # the address is the test client's for every household but under its threshold
    assert page.count("Một thiết bị") == 2 and "Một địa chỉ mạng" not in page
    assert all(page.count(h.head_name) == 2 for h in households)
    other = client_for(world.official_2).get("/assisted/flags").get_data(as_text=True)
    assert "Không có dấu hiệu nào" in other and "Hộ Thử" not in other


def test_the_overview_shows_the_assisted_share_per_commune(courses, world, client_for):
    session = session_today(world, world.household_a)
    client = client_for(world.trainer_x)
    client.post(f"/assisted/sessions/{session.id}/households/{world.household_a.id}")
    quiz = client.get(f"/assisted/learn/{courses[0].slug}/quiz").get_data(as_text=True)
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', quiz).group(1)
    data = {"nonce": nonce} | answers(quiz, courses[0], right=False)
    assert client.post(f"/assisted/learn/{courses[0].slug}/quiz", data=data).status_code == 302
    page = client_for(world.official_province).get("/overview/").get_data(as_text=True)
    assert "Bài kiểm tra có người hỗ trợ" in page
    cells = re.findall(r'<td class="num assisted">(.*?)</td>', page, re.S)
    assert any(c.startswith("1 / 1") for c in cells)
