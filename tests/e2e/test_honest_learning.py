"""A certificate that means the household learned, on a phone.

Tapping through does not complete the programme: "Đã học xong" tapped at once is answered
kindly and counts nothing, a quiz answered by always picking the longest option fails, and
after three failures the quiz waits for the next day. A household that reads each lesson for
as long as it takes and knows the answers completes the programme, and the pass page that
completes it announces the certificate, with its serial and the links to download and verify.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.courses.services import reading_seconds
from lms.extensions import db
from tests.builders import PIN

pytestmark = pytest.mark.browser


def log_in(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/login")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Mã PIN").fill(PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Khóa học của tôi")).to_be_visible()


def drawn_positions(page: Page) -> list[int]:
    """The bank positions of the questions the quiz page shows, in the order shown."""
    names = page.locator("fieldset.question input").evaluate_all("els => els.map(e => e.name)")
    return list(dict.fromkeys(int(name[1:]) for name in names))


def answer_as_one_who_learned(page: Page, course) -> None:
    bank = {q.position: q for q in course.current.questions}
    for position in drawn_positions(page):
        for option in bank[position].answers:
            page.locator(f'input[name="q{position}"][value="{option}"]').check()
    page.get_by_role("button", name="Nộp bài").click()


def answer_by_picking_the_longest(page: Page) -> None:
    for fieldset in page.locator("fieldset.question").all():
        labels = fieldset.locator("label.choice").all()
        longest = max(labels, key=lambda label: len(label.inner_text()))
        longest.locator("input").check()
    page.get_by_role("button", name="Nộp bài").click()


def test_tapping_through_completes_nothing(courses, world, server_url, page: Page):
    log_in(page, server_url)
    course = courses[0]
    first = course.current.lessons[0]
    page.goto(f"{server_url}/learn/{course.slug}/")
    for _ in range(5):
        page.get_by_role("button", name="Đã học xong").click()
        expect(page.get_by_role("alert")).to_contain_text("Bạn cứ thong thả nhé")
        expect(page.get_by_role("heading", name=first.title)).to_be_visible()

    for _ in range(3):
        page.goto(f"{server_url}/learn/{course.slug}/quiz")
        expect(page.locator("fieldset.question")).to_have_count(10)
        answer_by_picking_the_longest(page)
        expect(page.get_by_role("status")).to_contain_text("Chưa đạt")
        # what was wrong and why, never the right option
        expect(page.locator("li.wrong").first).to_contain_text("chưa đúng")
        expect(page.get_by_text("đáp án đúng", exact=True)).to_have_count(0)
    page.goto(f"{server_url}/learn/{course.slug}/quiz")
    expect(page.get_by_role("status")).to_contain_text("mở lại vào ngày mai")
    expect(page.locator("fieldset.question")).to_have_count(0)

    page.goto(f"{server_url}/learn/")
    card = page.locator("li.course").filter(
        has=page.get_by_role("heading", name=course.current.title)
    )
    expect(card).to_contain_text("0/5 bài đã học")
    expect(card).to_contain_text("Bài kiểm tra: chưa đạt")
    expect(card).to_contain_text("Còn thiếu:")
    expect(page.get_by_text("Hộ của bạn đã hoàn thành chương trình.")).to_have_count(0)
    assert db.session.scalar(select(Certificate)) is None


def test_reading_and_knowing_completes_the_programme_and_earns_the_certificate(
    courses, world, server_url, page: Page, browser, app, monkeypatch
):
    # a lesson counts as read after a small share of its reading time, to keep the test short;
    # the rule and the waiting are the same as at the real share
    monkeypatch.setitem(app.config, "LESSON_READING_SHARE", 0.004)
    log_in(page, server_url)
    for number, course in enumerate(courses, start=1):
        page.goto(f"{server_url}/learn/{course.slug}/")
        for lesson in course.current.lessons:
            expect(page.get_by_role("heading", name=lesson.title)).to_be_visible()
            with app.app_context():
                wait = reading_seconds(lesson)
            page.wait_for_timeout(wait * 1000 + 300)
            page.get_by_role("button", name="Đã học xong").click()
        expect(
            page.get_by_role("heading", name=f"Bài kiểm tra: {course.current.title}")
        ).to_be_visible()
        answer_as_one_who_learned(page, course)
        expect(page.get_by_role("status")).to_contain_text("Đạt")
        expect(page.get_by_text("Đúng 10/10 câu")).to_be_visible()
        if number < len(courses):
            expect(page.get_by_text("Giấy chứng nhận đã được cấp")).to_have_count(0)

    certificate = db.session.scalar(select(Certificate))
    announcement = page.locator("section.certificate-earned")
    expect(announcement).to_contain_text("Hộ của bạn đã hoàn thành chương trình")
    expect(announcement).to_contain_text(f"số hiệu {certificate.serial}")
    with page.expect_download() as download:
        announcement.get_by_role("link", name="Tải giấy chứng nhận (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    verify = announcement.get_by_role("link", name="Xác minh giấy chứng nhận").get_attribute("href")
    stranger = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    stranger.goto(server_url + verify[verify.index("/v/") :])
    expect(stranger.get_by_role("status")).to_have_text("Hợp lệ")

    page.goto(f"{server_url}/learn/")
    expect(page.get_by_text("Hộ của bạn đã hoàn thành chương trình.")).to_be_visible()
    for course in courses:
        card = page.locator("li.course").filter(
            has=page.get_by_role("heading", name=course.current.title)
        )
        expect(card).to_contain_text("Đã học xong cả 5 bài")
        expect(card).to_contain_text("Bài kiểm tra: đạt 10/10")
        expect(card).to_contain_text("Đã hoàn thành")


@pytest.mark.database_independent  # the lessons' layout
def test_every_lesson_fits_five_phone_screens(courses, world, server_url, page: Page):
    """About five minutes on a phone: a lesson's text and pictures take at most five screens
    of a 360×740 phone (the page's header and buttons aside)."""
    log_in(page, server_url)
    heights = {}
    for course in courses:
        for lesson in course.current.lessons:
            page.goto(f"{server_url}/learn/{course.slug}/{lesson.position}")
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy pictures
            page.wait_for_load_state("networkidle")
            heights[course.slug, lesson.position] = page.evaluate(
                "document.querySelector('article.lesson').getBoundingClientRect().height"
            )
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    too_long = {key: round(h / 740, 1) for key, h in heights.items() if h > 5 * 740}
    assert too_long == {}
