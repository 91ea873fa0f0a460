"""A trainer on a phone plans a class, enrols 40 households three ways and marks them in a
handful of taps; a household checks itself in with the code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.attendance.models import AttendanceMark, ClassSession, MarkStatus
from lms.core.models import PROGRAMME_TIMEZONE, utcnow
from lms.extensions import db
from tests.builders import PASSWORD, PIN, load_shipped_courses, make_household
from tests.e2e.conftest import follow_menu

pytestmark = pytest.mark.browser


def _local(moment) -> str:
    return moment.astimezone(PROGRAMME_TIMEZONE).strftime("%Y-%m-%dT%H:%M")


def test_trainer_plans_enrols_three_ways_and_marks_forty(world, server_url, page: Page):
    load_shipped_courses()
    households = [
        make_household(head_name=f"Hộ Thử {n:02d}", phone=f"09660000{n:02d}", area=world.commune_1)
        for n in range(1, 40)
    ]
    households.append(
        make_household(head_name="Hồ Sỹ Quang", phone="0971234567", area=world.commune_1)
    )
    db.session.commit()

    page.goto(f"{server_url}/login/staff")
    page.get_by_label("E-mail").fill(world.trainer_x.email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Lên lịch buổi tập huấn").click()
    page.get_by_label("Tên buổi").fill("Lớp bán hàng xóm 3")
    page.get_by_label("Bán hàng trực tuyến").check()
    page.get_by_label("Bắt đầu").fill(_local(utcnow() - timedelta(minutes=20)))
    page.get_by_label("Kết thúc").fill(_local(utcnow() + timedelta(hours=2)))
    page.get_by_label("Xã / phường").fill("dien chau")
    page.get_by_label("Địa điểm").fill("Nhà văn hóa xóm 3")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", name="Lớp bán hàng xóm 3")).to_be_visible()
    page.get_by_role("link", name="Danh sách học viên").click()

    # 1. search without diacritics
    page.get_by_label("Tên hoặc số điện thoại, gõ không dấu cũng được").fill("ho sy quang")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.get_by_role("checkbox", name="Hồ Sỹ Quang · 0971***567 · Xã Diễn Châu").check()
    page.get_by_role("button", name="Thêm các hộ đã chọn").first.click()
    # 2. from the commune's households not trained yet
    for n in range(1, 20):
        page.get_by_label(f"Hộ Thử {n:02d} SĐT …0{n:02d}", exact=True).check()
    page.get_by_role("button", name="Thêm các hộ đã chọn").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã thêm 19 hộ vào danh sách.")
    # 3. pasted phones
    page.get_by_label("Số điện thoại, mỗi số một dòng").fill(
        "\n".join(f"+84 966 0000{n:02d}" for n in range(20, 40))
    )
    page.get_by_role("button", name="Thêm các hộ này").click()
    expect(page.get_by_role("heading", name="Danh sách học viên (40)")).to_be_visible()

    page.get_by_role("link", name="Điểm danh").first.click()
    expect(page.locator(".roster > li")).to_have_count(40)
    everyone = page.get_by_role("button", name="Tất cả có mặt")
    # the rows are on screen before attendance.js has run: until then the button is the plain
    # form's, which saves everyone present at once (a round trip, then "3 changes" at the end)
    expect(everyone).to_have_attribute("type", "button")
    posts = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    taps = 0
    everyone.click()
    taps += 1
    # the ticks are kept on the phone like taps: a reload (or a dropped page) shows them again
    page.reload()
    expect(page.locator(".roster input[value=present]:checked")).to_have_count(40)
    for name, status in (
        ("Hộ Thử 05", "Vắng"),
        ("Hộ Thử 17", "Đi muộn"),
        ("Hộ Thử 33", "Vắng có phép"),
    ):
        page.get_by_role("group", name=name).get_by_text(status, exact=True).click()
        taps += 1
    page.get_by_role("button", name="Lưu điểm danh").click()
    taps += 1
    expect(page.get_by_role("status").first).to_contain_text("Đã lưu điểm danh: 40 thay đổi.")
    assert taps == 5 and len(posts) == 1 and posts[0].endswith("/marks")

    session = db.session.scalar(
        select(ClassSession).where(ClassSession.title == "Lớp bán hàng xóm 3")
    )
    marks = {
        m.household.head_name: m.status
        for m in db.session.scalars(
            select(AttendanceMark).where(AttendanceMark.session_id == session.id)
        )
    }
    assert len(marks) == 40
    assert (marks["Hộ Thử 05"], marks["Hộ Thử 17"], marks["Hộ Thử 33"]) == (
        MarkStatus.ABSENT,
        MarkStatus.LATE,
        MarkStatus.EXCUSED,
    )
    assert sum(status is MarkStatus.PRESENT for status in marks.values()) == 37


def test_household_checks_in_with_the_code(world, server_url, page: Page):
    session = world.session_x
    session.starts_at, session.ends_at = (
        utcnow() - timedelta(minutes=10),
        utcnow() + timedelta(hours=2),
    )
    session.checkin_code = "482913"
    db.session.commit()
    page.goto(f"{server_url}/login")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Mã PIN").fill(PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    follow_menu(page, "Tự điểm danh")
    page.get_by_label("Mã trên màn hình của giảng viên").fill("123456")
    page.get_by_role("button", name="Điểm danh").click()
    expect(page.get_by_role("alert")).to_contain_text("không khớp")
    page.get_by_label("Mã trên màn hình của giảng viên").fill("482 913")
    page.get_by_role("button", name="Điểm danh").click()
    expect(page.get_by_role("status")).to_contain_text("Bạn đã tự điểm danh: Lớp Diễn Châu.")
    mark = db.session.scalar(select(AttendanceMark).where(AttendanceMark.session_id == session.id))
    assert (
        mark.household_id == world.household_a.id
        and mark.is_self_checkin
        and mark.status is MarkStatus.PRESENT
    )
