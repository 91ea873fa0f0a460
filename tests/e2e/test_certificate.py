"""A household that completed everything downloads its certificate; its link verifies in a
fresh browser as valid, and as revoked once an administrator revokes it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from lms.certificates import services
from lms.certificates.models import Certificate
from lms.extensions import db
from tests.builders import PASSWORD, PIN
from tests.certificates.test_services import complete

pytestmark = pytest.mark.browser


def test_download_verify_and_revoke(courses, world, server_url, page: Page, browser):
    complete(world, courses=courses)
    certificate = db.session.scalar(select(Certificate))
    page.goto(f"{server_url}/login")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Mã PIN").fill(PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text("Hộ của bạn đã hoàn thành chương trình.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải giấy chứng nhận (PDF)").click()
    pdf = PdfReader(download.value.path())
    assert "Nguyễn Thị Hương" in pdf.pages[0].extract_text()

    link = server_url + re.sub(r"^https?://[^/]+", "", services.verification_url(certificate))
    stranger = browser.new_context(viewport={"width": 360, "height": 740})
    check = stranger.new_page()
    check.goto(link)
    expect(check.get_by_role("status")).to_have_text("Hợp lệ")
    expect(check.get_by_text("Nguyễn T. H.")).to_be_visible()

    admin = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    admin.goto(f"{server_url}/login/staff")
    admin.get_by_label("E-mail").fill(world.admin.email)
    admin.get_by_label("Mật khẩu").fill(PASSWORD)
    admin.get_by_role("button", name="Đăng nhập").click()
    admin.goto(f"{server_url}/certificates/{certificate.id}")
    admin.get_by_label("Lý do").fill("Trùng với hộ ông Tư ở xóm 3")
    admin.get_by_label("Hiển thị trên trang xác minh công khai").select_option(label="Cấp nhầm")
    admin.get_by_role("button", name="Thu hồi").click()
    # first what revoking does (issue #19), then the button that revokes
    expect(admin.get_by_role("alert")).to_contain_text("đóng điều kiện lên sàn")
    admin.get_by_role("button", name="Đồng ý, thu hồi giấy chứng nhận").click()
    expect(admin.get_by_role("status").first).to_contain_text("Đã thu hồi giấy chứng nhận.")

    check.reload()
    expect(check.get_by_role("status")).to_have_text("Đã thu hồi")
    expect(check.get_by_text(": Cấp nhầm")).to_be_visible()  # the category, never the reason
    expect(check.get_by_text("ông Tư")).to_have_count(0)
    stranger.close()
