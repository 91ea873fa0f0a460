"""The whole journey, as its people live it, in one story.

An official imports her commune's list and records that one household already sells its
honey on Postmart: "listed but not trained" shows it. A trainer plans a class, enrols the
household and marks it present; the household logs in with its card, reads, fails a quiz
then passes, and downloads its certificate; anyone can verify it from the link in the PDF.
It asks for its Postmart shop, the trainer approves and marks it activated, and the
official's overview has it trained, with its shop, and no longer in the exception list.
Households and trainers are on phones, the official at a desk.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from openpyxl import Workbook
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from lms.core.models import PROGRAMME_TIMEZONE, utcnow
from lms.extensions import db
from lms.households.models import Household
from tests.builders import PASSWORD
from tests.e2e.conftest import PHONE, follow_menu

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 800}


def staff_page(browser: Browser, url: str, email: str, viewport=DESK) -> Page:
    page = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE).new_page()
    page.goto(f"{url}/login/staff")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    return page


def local(moment) -> str:
    return moment.astimezone(PROGRAMME_TIMEZONE).strftime("%Y-%m-%dT%H:%M")


def answer(page: Page, version, right: bool) -> None:
    for question in version.questions:
        if not page.locator(f'input[name="q{question.position}"]').count():
            continue  # not drawn for this attempt
        wrong = [n for n in range(1, len(question.options) + 1) if n not in question.answers]
        for option in question.answers if right else wrong[:1]:
            page.locator(f'input[name="q{question.position}"][value="{option}"]').check()
    page.get_by_role("button", name="Nộp bài").click()


def test_from_the_communes_list_to_a_verified_certificate(
    courses, world, server_url, browser, app, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", server_url)
    attended, self_taught = courses[:2], courses[2]

    # 1. the official of Diễn Châu imports the commune's list from Excel
    workbook = Workbook()
    workbook.active.append(["STT", "Họ và tên chủ hộ", "Điện thoại", "Xã", "Thôn"])
    workbook.active.append([1, "Lê Thị Hoa", "0977 123 456", "Xã Diễn Châu", "Xóm 5"])
    workbook.save(tmp_path / "ds-dien-chau.xlsx")
    official = staff_page(browser, server_url, world.official_1.email)
    official.get_by_role("link", name="Hộ", exact=True).click()
    official.get_by_role("link", name="Nhập từ Excel").click()
    official.get_by_label("Tệp Excel (.xlsx, .xls), OpenDocument (.ods) hoặc CSV").set_input_files(
        tmp_path / "ds-dien-chau.xlsx"
    )
    official.get_by_role("button", name="Xem trước").click()
    official.get_by_role("button", name="Nhập 1 hộ mới").click()
    expect(official.get_by_role("status").first).to_contain_text("Đã nhập: 1 hộ mới")
    hoa = db.session.scalar(select(Household).where(Household.head_name == "Lê Thị Hoa"))

    # her honey, rated OCOP 4 stars, is already on Postmart: the plan's exception
    official.goto(f"{server_url}/households/{hoa.id}")
    official.get_by_role("link", name="Thêm sản phẩm").click()
    official.get_by_label("Tên sản phẩm").fill("Mật ong hoa nhãn")
    official.get_by_label("Xếp hạng OCOP").select_option(label="4 sao")
    official.get_by_label("Năm công nhận OCOP").fill("2025")
    official.get_by_role("button", name="Lưu").click()
    official.get_by_label("Sàn TMĐT").select_option(label="Postmart")
    official.get_by_role("button", name="Ghi nhận lên sàn").click()
    official.get_by_role("navigation", name="Menu chính").get_by_role(
        "link", name="Tổng quan"
    ).click()
    official.get_by_role("link", name="Đã lên sàn nhưng chưa được đào tạo").first.click()
    expect(official.get_by_role("link", name="Lê Thị Hoa")).to_be_visible()

    # 2. a trainer plans a class on her phone, enrols Hoa by phone number, marks her present
    trainer = staff_page(browser, server_url, world.trainer_x.email, viewport=PHONE)
    trainer.get_by_role("link", name="Lên lịch buổi tập huấn").click()
    trainer.get_by_label("Tên buổi").fill("Lớp xóm 5")
    for course in attended:
        trainer.get_by_label(course.current.title).check()
    trainer.get_by_label("Bắt đầu").fill(local(utcnow() - timedelta(minutes=30)))
    trainer.get_by_label("Kết thúc").fill(local(utcnow() + timedelta(hours=2)))
    trainer.get_by_label("Xã / phường").fill("Xã Diễn Châu")
    trainer.get_by_label("Địa điểm").fill("Nhà văn hóa xóm 5")
    trainer.get_by_role("button", name="Lưu").click()
    trainer.get_by_role("link", name="Danh sách học viên").click()
    trainer.get_by_label("Số điện thoại, mỗi số một dòng").fill("0977123456")
    trainer.get_by_role("button", name="Thêm các hộ này").click()
    expect(trainer.get_by_role("heading", name="Danh sách học viên (1)")).to_be_visible()
    trainer.get_by_role("link", name="Điểm danh").first.click()
    trainer.get_by_role("button", name="Tất cả có mặt").click()
    trainer.get_by_role("button", name="Lưu điểm danh").click()
    expect(trainer.get_by_role("status").first).to_contain_text("Đã lưu điểm danh")

    # 3. the trainer prints Hoa's login card; Hoa opens its link on her phone
    trainer.goto(f"{server_url}/households/{hoa.id}")
    with trainer.expect_popup() as popup:
        trainer.get_by_role("button", name="In thẻ đăng nhập (mã PIN mới)").click()
    card_link = popup.value.locator("p.link a").get_attribute("href")
    household = browser.new_context(viewport=PHONE, is_mobile=True, accept_downloads=True)
    hoa_phone = household.new_page()
    hoa_phone.goto(card_link)
    expect(hoa_phone.get_by_text("Xin chào, Lê Thị Hoa.")).to_be_visible()

    # 4. the quizzes of the courses she attended; then reading the third, failing, passing
    for course in attended:
        hoa_phone.goto(f"{server_url}/learn/{course.slug}/quiz")
        answer(hoa_phone, course.current, right=True)
        expect(hoa_phone.get_by_role("status")).to_contain_text("Đạt")
    hoa_phone.get_by_role("link", name="Về khóa học của tôi").click()
    hoa_phone.get_by_role("link", name="Bắt đầu học").click()
    monkeypatch.setitem(app.config, "LESSON_READING_SHARE", 0.004)  # a second a lesson
    for lesson in self_taught.current.lessons:
        expect(hoa_phone.get_by_role("heading", name=lesson.title)).to_be_visible()
        hoa_phone.wait_for_timeout(1500)  # reading it
        hoa_phone.get_by_role("button", name="Đã học xong").click()
    answer(hoa_phone, self_taught.current, right=False)
    expect(hoa_phone.get_by_role("status")).to_contain_text("Chưa đạt")
    hoa_phone.get_by_role("link", name="Làm lại bài kiểm tra").click()
    answer(hoa_phone, self_taught.current, right=True)
    hoa_phone.get_by_role("link", name="Về khóa học của tôi").click()
    expect(hoa_phone.get_by_text("Hộ của bạn đã hoàn thành chương trình.")).to_be_visible()

    # 5. her certificate: the PDF names her, and its QR link verifies in anyone's browser
    with hoa_phone.expect_download() as download:
        hoa_phone.get_by_role("link", name="Tải giấy chứng nhận (PDF)").click()
    pdf = PdfReader(download.value.path())
    assert "Lê Thị Hoa" in pdf.pages[0].extract_text()
    (link,) = [a.get_object()["/A"]["/URI"] for a in pdf.pages[0]["/Annots"]]
    stranger = browser.new_context(viewport=PHONE).new_page()
    stranger.goto(link)
    expect(stranger.get_by_role("status")).to_have_text("Hợp lệ")
    expect(stranger.get_by_text("Lê T. H.")).to_be_visible()

    # 6. she asks for her Postmart shop; the trainer approves it and marks it activated
    hoa_phone.get_by_role("link", name="Đăng ký mở gian hàng").first.click()
    hoa_phone.get_by_role("button", name="Đăng ký mở · Postmart").click()
    expect(hoa_phone.get_by_role("status").first).to_contain_text("Đã gửi đăng ký Postmart")
    follow_menu(trainer, "Yêu cầu kích hoạt")
    trainer.get_by_role("link", name="Lê Thị Hoa").click()
    trainer.get_by_role("button", name="Duyệt").click()
    trainer.get_by_label("Mã gian hàng hoặc tài khoản").fill("PM-NA-0042")
    trainer.get_by_label("Địa chỉ gian hàng (https://…)").fill("https://postmart.vn/shop/0042")
    trainer.get_by_role("button", name="Ghi nhận đã kích hoạt").click()
    expect(trainer.locator("#status")).to_have_text("Đã kích hoạt")
    hoa_phone.reload()
    expect(hoa_phone.locator("#partner-postmart")).to_contain_text("Đã kích hoạt")

    # 7. the official's overview: Hoa is trained, has her shop, and the exception list is empty
    official.get_by_role("navigation", name="Menu chính").get_by_role(
        "link", name="Tổng quan"
    ).click()
    targets = official.get_by_role("table", name="Chỉ tiêu kế hoạch: 2 hộ")
    for target, figure in (
        ("Hộ đã được đào tạo (có giấy chứng nhận)", "1 / 2"),
        ("Hộ có sản phẩm trên sàn đã có giấy chứng nhận", "1 / 1"),
        ("Hộ đã đào tạo có gian hàng đã kích hoạt", "1 / 1"),
    ):
        expect(targets.get_by_role("row", name=target)).to_contain_text(figure)
    official.get_by_role("link", name="Đã lên sàn nhưng chưa được đào tạo").first.click()
    expect(official.get_by_role("link", name="Lê Thị Hoa")).to_have_count(0)
