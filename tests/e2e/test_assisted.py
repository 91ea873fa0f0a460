"""Assisted mode on a phone: a trainer opens it from the session's roster for a household
present today, reads a lesson and takes the quiz with it, and ends it; the household then
sees its own progress, counted as it always is."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.courses.models import LessonProgress, QuizAttempt
from lms.extensions import db
from tests.assisted.helpers import session_today
from tests.builders import PASSWORD, PIN
from tests.e2e.test_learning import _answer

pytestmark = pytest.mark.browser


def test_trainer_assists_a_household_from_the_roster(
    courses, world, server_url, page: Page, browser, app, monkeypatch
):
    monkeypatch.setitem(app.config, "LESSON_READING_SHARE", 0)  # the clock is tested apart
    session = session_today(world, world.household_a)
    version = courses[0].current
    page.goto(f"{server_url}/login/staff")
    page.get_by_label("E-mail").fill(world.trainer_x.email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{server_url}/sessions/{session.id}")
    page.get_by_role("link", name="Hỗ trợ học").last.click()
    row = page.get_by_role("row").filter(has_text="Nguyễn Thị Hương")
    expect(row).not_to_contain_text("040186001234")
    row.get_by_role("button", name="Hỗ trợ hộ này học").click()

    banner = page.get_by_label("Chế độ hỗ trợ")
    expect(banner).to_contain_text("Đang hỗ trợ hộ Nguyễn Thị Hương")
    card = page.locator("li.course").filter(has=page.get_by_role("heading", name=version.title))
    card.get_by_role("link", name="Học bài").click()
    expect(page.get_by_role("heading", name=version.lessons[0].title)).to_be_visible()
    expect(banner).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Đã học xong").click()
    expect(page.get_by_role("heading", name=version.lessons[1].title)).to_be_visible()

    page.goto(f"{server_url}/assisted/learn/{courses[0].slug}/quiz")
    expect(banner).to_contain_text("Đang hỗ trợ hộ Nguyễn Thị Hương")
    _answer(page, version, right=True)
    page.get_by_role("button", name="Nộp bài của hộ").click()
    expect(page.locator("p.result")).to_contain_text(re.compile(r"Đạt:\s+Đúng 10/10 câu"))
    expect(page.get_by_text("Đã ghi là có người hỗ trợ: Giảng viên X.")).to_be_visible()
    page.get_by_role("button", name="Kết thúc hỗ trợ").click()
    expect(page.get_by_text("Đã kết thúc chế độ hỗ trợ.")).to_be_visible()
    expect(page.get_by_label("Chế độ hỗ trợ")).to_have_count(0)

    db.session.expire_all()
    attempt = db.session.scalar(select(QuizAttempt))
    assert attempt.household_id == world.household_a.id
    assert attempt.assisted_by_id == world.trainer_x.id and attempt.passed
    lesson = db.session.scalar(
        select(LessonProgress).where(LessonProgress.finished_at.is_not(None))
    )
    assert lesson.assisted_by_id == world.trainer_x.id

    # the household's own login: its progress, counted as if it had learned alone
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    member = phone.new_page()
    member.goto(f"{server_url}/login")
    member.get_by_label("Số điện thoại").fill("0912345678")
    member.get_by_label("Mã PIN").fill(PIN)
    member.get_by_role("button", name="Đăng nhập").click()
    own = member.locator("li.course").filter(has=member.get_by_role("heading", name=version.title))
    expect(own).to_contain_text("1/5 bài đã học")
    expect(own).to_contain_text("Bài kiểm tra: đạt 10/10")
    phone.close()
