"""An official of the province drills down to a commune, opens "listed but not trained" and
takes the list away as Excel."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.builders import PASSWORD

# the hand-built province of the report tests, as a fixture of this module too
from tests.reports.conftest import province as province

pytestmark = pytest.mark.browser


def test_official_drills_down_and_downloads_listed_but_not_trained(
    province, server_url, browser, tmp_path
):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page: Page = context.new_page()
    page.goto(f"{server_url}/login/staff")
    page.get_by_label("E-mail").fill(province.official.email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("heading", name="Tổng quan: Tỉnh Nghệ An")).to_be_visible()
    targets = page.get_by_role("table", name="Chỉ tiêu kế hoạch: 7 hộ")
    expect(
        targets.get_by_role("row", name="Hộ đã được đào tạo (có giấy chứng nhận)")
    ).to_contain_text("3 / 7")
    page.get_by_role("link", name="Xã Diễn Châu", exact=True).click()

    expect(page.get_by_role("heading", name="Tổng quan: Xã Diễn Châu")).to_be_visible()
    expect(page.get_by_role("table", name="Chỉ tiêu kế hoạch: 3 hộ")).to_be_visible()
    page.get_by_role("link", name="Đã lên sàn nhưng chưa được đào tạo").first.click()

    expect(page.get_by_role("heading", name="Đã lên sàn nhưng chưa được đào tạo")).to_be_visible()
    expect(page.get_by_role("link", name="Bình")).to_be_visible()
    expect(page.get_by_role("link", name="Em", exact=True)).to_have_count(0)  # commune 2
    with page.expect_download() as download:
        page.get_by_role("link", name="Xuất Excel").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert "Xã Diễn Châu" in rows[0][0]
    assert [row[1] for row in rows[2:]] == ["Bình"]
    context.close()
