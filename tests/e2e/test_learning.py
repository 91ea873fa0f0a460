"""A household learns on a phone: reads a lesson, fails the quiz, retakes and passes it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.builders import PIN

pytestmark = pytest.mark.browser


def _answer(page: Page, version, right: bool) -> None:
    """Answer the questions the quiz drew from the bank (the others are not on the page)."""
    for question in version.questions:
        if not page.locator(f'input[name="q{question.position}"]').count():
            continue
        options = (
            question.answers
            if right
            else [n for n in range(1, len(question.options) + 1) if n not in question.answers][:1]
        )
        for option in options:
            page.locator(f'input[name="q{question.position}"][value="{option}"]').check()


def test_household_reads_fails_retakes_and_passes(
    courses, world, server_url, page: Page, app, monkeypatch
):
    monkeypatch.setitem(app.config, "LESSON_READING_SHARE", 0.004)  # about a second a lesson
    course = courses[0]
    version = course.current
    page.goto(f"{server_url}/login")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Mã PIN").fill(PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Khóa học của tôi")).to_be_visible()
    for other in courses:
        expect(page.get_by_role("heading", name=other.current.title)).to_be_visible()

    page.get_by_role("link", name="Bắt đầu học").first.click()
    expect(page.get_by_role("heading", name=version.lessons[0].title)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Đã học xong").click()
    expect(page.get_by_role("heading", name=version.lessons[1].title)).to_be_visible()

    page.goto(f"{server_url}/learn/{course.slug}/quiz")
    _answer(page, version, right=False)
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_role("status")).to_contain_text("Chưa đạt")
    expect(page.locator("li.wrong p.muted").first).to_be_visible()  # why it was not right
    page.get_by_role("link", name="Làm lại bài kiểm tra").click()
    _answer(page, version, right=True)
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Đạt:\s+Đúng 10/10 câu \(100%"))

    page.get_by_role("link", name="Về khóa học của tôi").click()
    card = page.locator("li.course").filter(has=page.get_by_role("heading", name=version.title))
    expect(card).to_contain_text("1/5 bài đã học")
    expect(card).to_contain_text("Bài kiểm tra: đạt 10/10")
    page.get_by_role("link", name="Kết quả kiểm tra của tôi").click()
    expect(page.locator("ul.list li")).to_have_count(2)


def test_household_logs_in_by_opening_its_login_card(courses, world, server_url, browser):
    staff = browser.new_context(viewport={"width": 1280, "height": 800})
    trainer = staff.new_page()
    trainer.goto(f"{server_url}/login/staff")
    trainer.get_by_label("E-mail").fill(world.trainer_x.email)
    trainer.get_by_label("Mật khẩu").fill("correct-horse")
    trainer.get_by_role("button", name="Đăng nhập").click()
    trainer.goto(f"{server_url}/households/{world.household_a.id}")
    with trainer.expect_popup() as popup:
        trainer.get_by_role("button", name="In thẻ đăng nhập (mã PIN mới)").click()
    card = popup.value
    expect(card.get_by_role("heading", name="Thẻ đăng nhập")).to_be_visible()
    link = card.locator("p.link a").get_attribute("href")
    staff.close()

    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = phone.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Khóa học của tôi")).to_be_visible()
    expect(page.get_by_text("Xin chào, Nguyễn Thị Hương.")).to_be_visible()
    phone.close()
