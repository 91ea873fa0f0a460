"""A household asks to open its Postmart shop before finishing its courses and is told why
not; it finishes, asks again; a trainer approves and marks the shop activated."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from lms.extensions import db
from tests.builders import PASSWORD, PIN, make_product
from tests.certificates.test_services import complete

pytestmark = pytest.mark.browser


def test_ask_refused_finish_ask_again_approved_activated(
    courses, world, server_url, page: Page, browser
):
    make_product(
        household=world.household_a, name="Nhút Thanh Chương", ocop_stars=4, ocop_year=2024
    )
    db.session.commit()
    page.goto(f"{server_url}/login")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Mã PIN").fill(PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Đăng ký mở gian hàng").first.click()
    page.get_by_role("button", name="Đăng ký mở · Postmart").click()
    # an answer, not a rejection: said once, on the partner's card, never "Từ chối"
    expect(page.get_by_role("status").first).to_contain_text("Chưa thể mở Postmart")
    reasons = page.locator("#partner-postmart .reasons")
    expect(reasons).to_contain_text("Hộ chưa hoàn thành khóa học: Bán hàng trực tuyến")
    expect(page.locator("#partner-postmart .tag")).to_have_text("Chưa thể mở")
    assert page.get_by_text("Hộ chưa hoàn thành khóa học").count() == 1

    complete(world, courses=courses)  # lessons read and quizzes passed: the certificate is issued
    page.reload()
    page.get_by_role("button", name="Đăng ký lại · Postmart").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã gửi đăng ký Postmart")
    expect(page.locator("#partner-postmart")).to_contain_text("Chờ xử lý")

    trainer = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    trainer.goto(f"{server_url}/login/staff")
    trainer.get_by_label("E-mail").fill(world.trainer_x.email)
    trainer.get_by_label("Mật khẩu").fill(PASSWORD)
    trainer.get_by_role("button", name="Đăng nhập").click()
    trainer.get_by_role("link", name="Yêu cầu kích hoạt").click()
    trainer.get_by_role("link", name="Nguyễn Thị Hương").click()
    trainer.get_by_role("button", name="Duyệt").click()
    expect(trainer.locator("#status")).to_have_text("Đã duyệt, chờ kích hoạt")
    trainer.get_by_label("Mã gian hàng hoặc tài khoản").fill("PM-NA-0001")
    trainer.get_by_label("Địa chỉ gian hàng (https://…)").fill(
        "https://postmart.vn/shop/pm-na-0001"
    )
    trainer.get_by_role("button", name="Ghi nhận đã kích hoạt").click()
    expect(trainer.locator("#status")).to_have_text("Đã kích hoạt")

    page.reload()
    shop = page.locator("#partner-postmart")
    expect(shop).to_contain_text("Đã kích hoạt")
    expect(shop.get_by_role("link", name="PM-NA-0001")).to_have_attribute(
        "href", "https://postmart.vn/shop/pm-na-0001"
    )
