"""Messages and consent in Chromium: on a phone the household reads tomorrow's reminder in
its box, agrees to Zalo messages and withdraws; on a desktop the trainer records the paper
form the household signed at the class, from the roster. CSRF is on."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from lms.attendance.models import EnrolmentSource
from lms.attendance.services import enrol
from lms.core.models import PROGRAMME_TIMEZONE
from lms.extensions import db
from lms.messages.models import ConsentMethod, ConsentPurpose
from lms.messages.services import current_consent, enqueue_class_reminders
from tests.builders import PASSWORD, PIN, make_session

pytestmark = pytest.mark.browser


def test_a_reminder_on_the_phone_consent_given_withdrawn_and_on_paper(
    world, server_url, page: Page, browser: Browser
):
    tomorrow = datetime.now(PROGRAMME_TIMEZONE).date() + timedelta(days=1)
    starts = datetime.combine(tomorrow, time(7, 30), PROGRAMME_TIMEZONE)
    session = make_session(
        title="Lớp bán hàng xóm 3", trainer=world.trainer_x, area=world.commune_1,
        starts_at=starts, checkin_code="482913",
    )  # fmt: skip
    enrol(world.trainer_x, session, [world.household_a], EnrolmentSource.SEARCH)
    enqueue_class_reminders()

    page.goto(f"{server_url}/login")
    page.get_by_label("Số điện thoại").fill(world.household_a.phone)
    page.get_by_label("Mã PIN").fill(PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    inbox = page.locator("section.inbox")
    expect(inbox.get_by_text("Nhắc lịch buổi tập huấn ngày mai")).to_be_visible()
    expect(inbox).to_contain_text(f"07:30 {tomorrow:%d/%m/%Y}")
    expect(inbox).to_contain_text("482913")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    inbox.get_by_role("link", name="Tin nhắn Zalo và SMS: sự đồng ý của bạn").click()
    zalo = page.locator(
        "section.consent", has=page.get_by_role("heading", name="Nhận tin nhắn qua Zalo")
    )
    zalo.get_by_role("button", name="Tôi đồng ý").click()
    expect(page.get_by_text("Đã ghi nhận câu trả lời của bạn.")).to_be_visible()
    expect(zalo.get_by_text("Đã đồng ý")).to_be_visible()
    zalo.get_by_label("Lý do (không bắt buộc)").fill("Ít dùng Zalo")
    zalo.get_by_role("button", name="Rút lại đồng ý").click()
    expect(page.get_by_text("Đã rút lại: không còn tin nhắn nào được gửi.")).to_be_visible()
    db.session.expire_all()
    withdrawn = current_consent(world.household_a.id, ConsentPurpose.ZALO)
    assert (withdrawn.is_given, withdrawn.reason) == (False, "Ít dùng Zalo")

    desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    trainer = desk.new_page()
    trainer.goto(f"{server_url}/login/staff")
    trainer.get_by_label("E-mail").fill(world.trainer_x.email)
    trainer.get_by_label("Mật khẩu").fill(PASSWORD)
    trainer.get_by_role("button", name="Đăng nhập").click()
    trainer.goto(f"{server_url}/sessions/{session.id}/roster")
    trainer.get_by_role("link", name="Phiếu đồng ý trên giấy").click()
    row = trainer.locator(f"#household-{world.household_a.id}")
    row.get_by_label("Xử lý dữ liệu của hộ").select_option("yes")
    row.get_by_label("Nhận tin nhắn SMS").select_option("yes")
    row.get_by_role("button", name="Ghi nhận phiếu giấy").click()
    expect(trainer.get_by_text("Đã ghi nhận cho hộ Nguyễn Thị Hương: 2 thay đổi.")).to_be_visible()
    desk.close()
    db.session.expire_all()
    paper = current_consent(world.household_a.id, ConsentPurpose.SMS)
    assert paper.is_given and paper.method is ConsentMethod.PAPER
    assert paper.session_id == session.id
