"""The commune radio and the household's data, in the browser: an official writes the
announcement, prints it (only the announcement prints) and records the broadcast; the
household reads on its phone that it was informed by it, downloads its data and asks for its
deletion, which the official carries out."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from lms.core.models import today
from lms.extensions import db
from tests.builders import PASSWORD, PIN, make_session
from tests.e2e.conftest import follow_menu
from tests.outreach.test_radio import at_vietnam

pytestmark = pytest.mark.browser


def test_a_broadcast_informs_and_a_household_has_its_data_deleted(
    world, server_url, browser, page: Page, tmp_path
):
    day = today() + timedelta(days=5)
    make_session(trainer=world.trainer_x, area=world.commune_1, place="Nhà văn hóa xóm 2",
                 starts_at=at_vietnam(day, 7, 30))  # fmt: skip
    db.session.commit()
    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    desk.goto(f"{server_url}/login/staff")
    desk.get_by_label("E-mail").fill(world.official_1.email)
    desk.get_by_label("Mật khẩu").fill(PASSWORD)
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.get_by_role("link", name="Đài truyền thanh xã").click()
    desk.get_by_label("Xã / phường").select_option(label="Xã Diễn Châu")
    desk.get_by_label("Người liên hệ").fill("anh Nam, Bưu điện xã, 0912000999")
    desk.get_by_role("button", name="Soạn thông báo").click()
    announcement = desk.locator(".announcement")
    expect(announcement).to_contain_text("từ 7 giờ 30")
    expect(announcement).to_contain_text("tại Nhà văn hóa xóm 2")
    record = desk.get_by_role("button", name="Ghi nhận buổi phát thanh")
    desk.emulate_media(media="print")  # the printed page is the announcement alone
    expect(record).to_be_hidden()
    expect(announcement).to_be_visible()
    desk.emulate_media(media="screen")
    record.click()
    expect(desk.get_by_text("Đã ghi nhận buổi phát thanh: 1 hộ được tuyên truyền.")).to_be_visible()

    page.goto(f"{server_url}/login")
    page.get_by_label("Số điện thoại").fill(world.member_a.phone)
    page.get_by_label("Mã PIN").fill(PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    follow_menu(page, "Dữ liệu của tôi")
    expect(page.get_by_text("Loa truyền thanh xã")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về (JSON)").click()
    saved = tmp_path / "data.json"
    download.value.save_as(saved)
    assert json.loads(saved.read_text())["household"][0]["national_id"] == "040186001234"
    page.get_by_label("Xóa dữ liệu của tôi").check()
    page.get_by_role("button", name="Gửi yêu cầu").click()
    expect(page.get_by_text("Đã gửi yêu cầu")).to_be_visible()

    desk.get_by_role("link", name="Yêu cầu về dữ liệu").click()
    desk.get_by_role("row").filter(has_text="Nguyễn Thị Hương").get_by_role("link").click()
    desk.get_by_role("radio", name="Xóa dữ liệu cá nhân").check()
    desk.get_by_label("Tôi đã xác nhận với hộ").check()
    desk.get_by_role("button", name="Trả lời").click()
    expect(desk.get_by_text("Đã trả lời yêu cầu.")).to_be_visible()
    expect(desk.get_by_text("Không có yêu cầu nào đang chờ.")).to_be_visible()

    page.reload()  # its login ended with its data
    expect(page.get_by_label("Mã PIN")).to_be_visible()
    desk.context.close()
