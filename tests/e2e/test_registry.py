"""An official imports a commune's Excel list, reads the preview, commits, and finds a household."""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from tests.builders import PASSWORD

pytestmark = pytest.mark.browser


def test_official_imports_an_excel_list_and_finds_a_household(world, server_url, browser, tmp_path):
    workbook = Workbook()
    for row in (
        ["DANH SÁCH HỘ SẢN XUẤT NÔNG NGHIỆP XÃ DIỄN CHÂU"],
        ["STT", "Họ và tên", "Số điện thoại", "CCCD", "Xã/Phường", "Thôn/Xóm"],
        [1, "Hồ Sỹ Quang", "0971 234 567", "040079003456", "Xã Diễn Châu", "Xóm 7"],
        [2, "Lê Thị Ngọc Ánh", "+84 358 123 456", "", "Diễn Châu", "Xóm Đông"],
        [3, "Nguyễn Thị Hương", "0912345678", "", "Xã Diễn Châu", "Xóm 3"],
        [4, "Số Sai", "12345", "", "Xã Diễn Châu", ""],
    ):
        workbook.active.append(row)
    path = tmp_path / "ds-ho-dien-chau.xlsx"
    workbook.save(path)

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page: Page = context.new_page()
    page.goto(f"{server_url}/login/staff")
    page.get_by_label("E-mail").fill(world.official_1.email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Hộ", exact=True).click()
    page.get_by_role("link", name="Nhập từ Excel").click()
    page.get_by_label("Tệp Excel (.xlsx, .xls), OpenDocument (.ods) hoặc CSV").set_input_files(path)
    page.get_by_role("button", name="Xem trước").click()

    expect(page.get_by_role("heading", name="Xem trước: ds-ho-dien-chau.xlsx")).to_be_visible()
    expect(page.get_by_role("link", name="Mới (2)")).to_be_visible()
    expect(page.get_by_role("link", name="Cập nhật (1)")).to_be_visible()
    expect(page.get_by_role("link", name="Lỗi (1)")).to_be_visible()
    expect(page.get_by_role("row", name="Số Sai")).to_contain_text(
        "Số điện thoại “12345” không hợp lệ."
    )
    page.get_by_role("button", name="Nhập 2 hộ mới và cập nhật 1 hộ").click()

    expect(page.get_by_role("alert").or_(page.get_by_role("status"))).to_contain_text(
        "Đã nhập: 2 hộ mới, 1 hộ cập nhật."
    )
    page.get_by_label("Tìm kiếm").fill("ho sy quang")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page.get_by_role("link", name="Hồ Sỹ Quang")).to_be_visible()
    expect(page.get_by_role("link", name="Lê Thị Ngọc Ánh")).to_have_count(0)
    page.get_by_role("link", name="Hồ Sỹ Quang").click()
    expect(page.get_by_text("********3456")).to_be_visible()
    context.close()
