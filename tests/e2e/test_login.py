"""Households and trainers log in on a phone; the interface switches to English."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.builders import PASSWORD, PIN
from tests.e2e.conftest import open_menu

pytestmark = pytest.mark.browser


def _fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_household_logs_in_with_phone_and_pin_on_a_phone(world, server_url, page: Page):
    page.goto(f"{server_url}/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.get_by_label("Mã PIN").fill(PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Khóa học của tôi")).to_be_visible()
    expect(page.get_by_text("Xin chào, Nguyễn Thị Hương.")).to_be_visible()
    assert _fits_the_screen(page)


def test_a_wrong_pin_is_explained(world, server_url, page: Page):
    page.goto(f"{server_url}/login")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Mã PIN").fill("000000")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_have_text("Số điện thoại hoặc mã PIN không đúng.")


def test_trainer_logs_in_and_sees_class_sessions(world, server_url, page: Page):
    page.goto(f"{server_url}/login")
    page.get_by_role("link", name="đăng nhập bằng e-mail").click()
    page.get_by_label("E-mail").fill(world.trainer_x.email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Buổi tập huấn")).to_be_visible()
    expect(page.get_by_role("link", name="Lớp Diễn Châu")).to_be_visible()
    expect(page.get_by_text("Lớp Yên Thành")).to_have_count(0)  # another organisation's class
    assert _fits_the_screen(page)
    open_menu(page)
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()


def test_switch_to_english(world, server_url, page: Page):
    page.goto(f"{server_url}/login")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("Phone number").fill("0912345678")
    page.get_by_label("PIN").fill(PIN)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My courses")).to_be_visible()
    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", name="Khóa học của tôi")).to_be_visible()


def test_logging_in_works_without_javascript(world, server_url, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{server_url}/login")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Mã PIN").fill(PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Khóa học của tôi")).to_be_visible()
    context.close()


def test_administrator_on_a_desktop(world, server_url, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{server_url}/login/staff")
    page.get_by_label("E-mail").fill(world.admin.email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Quản trị")).to_be_visible()
    page.get_by_role("link", name="Địa bàn").click()
    expect(page.get_by_role("cell", name="Xã Diễn Châu", exact=True)).to_be_visible()
    context.close()
