"""Phones that keep working when the signal drops (issue #21), in Chromium on 127.0.0.1 (a
real origin: service workers need one).

A household opens "Khóa học của tôi" once online; offline it reads the kept lessons under
the "Đang ngoại tuyến" banner, taps "Đã học xong", half-answers a quiz, refreshes it (the
answers stay), submits it twice; back online, exactly one attempt is recorded and its result
shows. Two trainers mark one roster, one of them offline: the offline marks are sent on
reconnect with their phone times, and the household both marked differently is a conflict
shown with both values, not lost.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from lms.attendance.models import AttendanceMark, MarkStatus
from lms.auth.models import Role
from lms.core.audit import AuditEvent
from lms.core.models import utcnow
from lms.courses.models import LessonProgress, QuizAttempt
from lms.extensions import db
from tests.builders import PASSWORD, PIN, make_household, make_session, make_user
from tests.e2e.conftest import PHONE, open_menu
from tests.e2e.test_accessibility import AXE, SERIOUS
from tests.tools import need_file

pytestmark = pytest.mark.browser

#: JavaScript: the bytes the phone keeps for the household (its programme) and for everyone
#: (static files, the offline page)
KEPT_BYTES = """async () => {
  const sizes = {};
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    sizes[name] = 0;
    for (const request of await cache.keys()) {
      sizes[name] += (await (await cache.match(request)).blob()).size;
    }
  }
  return sizes;
}"""


def phone(browser: Browser) -> Page:
    """A phone tab whose pages axe can check (it is injected despite the CSP)."""
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        bypass_csp=True,
        service_workers="allow",
    )
    context.add_init_script(path=AXE)
    return context.new_page()


def until(page: Page, condition: str, seconds: float = 10) -> None:
    """Wait until an async JavaScript condition holds (``wait_for_function`` takes the
    promise it returns for true)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(condition):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {condition}")


def no_serious_violation(page: Page) -> None:
    assert page.evaluate(SERIOUS) == [], page.url


def answer(page: Page, course, right: bool, only: int | None = None) -> None:
    """Answer the questions the quiz drew (the first ``only`` of them)."""
    bank = {q.position: q for q in course.current.questions}
    names = page.locator("fieldset.question input").evaluate_all("els => els.map(e => e.name)")
    for name in list(dict.fromkeys(names))[:only]:
        question = bank[int(name[1:])]
        wrong = [n for n in range(1, len(question.options) + 1) if n not in question.answers]
        for option in question.answers if right else wrong[:1]:
            page.locator(f'input[name="{name}"][value="{option}"]').check()


def test_a_household_learns_offline_and_its_quiz_counts_once(
    courses, world, server_url, browser, app, monkeypatch
):
    need_file(AXE, "axe-core: `make test` runs npm ci")
    monkeypatch.setitem(app.config, "LESSON_READING_SHARE", 0.004)  # about a second a lesson
    course = courses[0]
    version = course.current
    page = phone(browser)
    page.goto(f"{server_url}/login")
    page.get_by_label("Số điện thoại").fill(world.member_a.phone)
    page.get_by_label("Mã PIN").fill(PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Khóa học của tôi")).to_be_visible()
    # the worker keeps the programme; its last entry says it is all there
    until(page, "async () => !!(await caches.match('/offline-version'))")
    kept = page.evaluate(KEPT_BYTES)
    print(f"\nkept for offline reading (bytes): {kept}")  # the figure the issue asks for
    assert kept[f"household-{world.household_a.id}"] + kept["static"] <= 300 * 1024
    # kept, not read: fetching the pages started no reading clock
    assert not db.session.scalar(
        select(LessonProgress.id).where(LessonProgress.served_at.is_not(None))
    )

    page.context.set_offline(True)
    page.goto(f"{server_url}/learn/{course.slug}/1")
    expect(page.get_by_role("heading", name=version.lessons[0].title)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Đang ngoại tuyến")
    no_serious_violation(page)
    page.wait_for_timeout(1200)  # read it (on the phone's clock)
    page.get_by_role("button", name="Đã học xong").click()
    expect(page.get_by_text("Đã lưu — sẽ gửi khi có mạng")).to_be_visible()
    page.goto(f"{server_url}/households/{world.household_a.id}")  # a page never kept
    expect(page.get_by_role("heading", name="Không có mạng", exact=True)).to_be_visible()
    no_serious_violation(page)

    page.goto(f"{server_url}/learn/{course.slug}/quiz")
    answer(page, course, right=True, only=4)
    page.reload()  # half-way: the answers stay on the phone
    expect(page.locator("fieldset.question:has(input:checked)")).to_have_count(4)
    answer(page, course, right=True)
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_text("Đã lưu — sẽ gửi khi có mạng")).to_be_visible()
    page.get_by_role("button", name="Nộp bài").click()  # tapped again: still one attempt
    no_serious_violation(page)
    assert db.session.scalar(select(QuizAttempt.id)) is None

    page.context.set_offline(False)
    expect(page.get_by_role("status").first).to_contain_text(
        re.compile(r"Đạt:\s+Đúng 10/10 câu \(100%")
    )
    attempts = db.session.scalars(select(QuizAttempt)).all()
    assert [(a.household_id, a.percent) for a in attempts] == [(world.household_a.id, 100)]
    progress = db.session.scalar(
        select(LessonProgress).where(LessonProgress.lesson_slug == version.lessons[0].slug)
    )
    assert progress.finished_at is not None and progress.served_at < progress.finished_at
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "lesson.finish_offline")
    )
    assert event.after["offline"] is True and event.after["device_time"]

    # logging out forgets the household's pages
    open_menu(page)
    page.get_by_role("button", name="Đăng xuất").click()
    until(page, "async () => !(await caches.keys()).some((key) => key.startsWith('household-'))")


def log_in_staff(page: Page, server_url: str, user) -> None:
    page.goto(f"{server_url}/login/staff")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def mark(page: Page, name: str, label: str) -> None:
    page.locator("fieldset").filter(has_text=name).get_by_text(label, exact=True).click()


def test_two_trainers_one_offline_mark_a_roster_and_the_conflict_shows(world, server_url, browser):
    need_file(AXE, "axe-core: `make test` runs npm ci")
    colleague = make_user(
        Role.TRAINER,
        email="giangvien2@vnpost.test",
        area=world.commune_1,
        organisation=world.trainer_x.organisation,
    )
    session = make_session(
        title="Lớp xóm 5",
        trainer=world.trainer_x,
        area=world.commune_1,
        starts_at=utcnow() - timedelta(minutes=30),
    )
    lan = make_household(head_name="Lê Thị Lan", phone="0966000001", area=world.commune_1)
    binh = make_household(head_name="Phan Văn Bình", phone="0966000002", area=world.commune_1)
    for household in (lan, binh):
        db.session.add(
            AttendanceMark(session_id=session.id, household_id=household.id, source="search")
        )
    db.session.commit()
    marks_url = f"{server_url}/sessions/{session.id}/marks"

    offline = phone(browser)
    log_in_staff(offline, server_url, world.trainer_x)
    offline.goto(marks_url)
    offline.evaluate("navigator.serviceWorker.ready")
    expect(offline.get_by_role("heading", name="Điểm danh")).to_be_visible()
    offline.wait_for_function("!!navigator.serviceWorker.controller")
    mark(offline, "Phan Văn Bình", "Vắng")
    offline.reload()  # a mark tapped is kept on the phone until it is saved
    binh_row = offline.locator("fieldset").filter(has_text="Phan Văn Bình")
    expect(binh_row.get_by_label("Vắng", exact=True)).to_be_checked()
    offline.context.set_offline(True)
    mark(offline, "Lê Thị Lan", "Có mặt")

    online = phone(browser)
    log_in_staff(online, server_url, colleague)
    online.goto(marks_url)
    mark(online, "Lê Thị Lan", "Vắng có phép")
    online.get_by_role("button", name="Lưu điểm danh").click()
    expect(online.get_by_role("status").first).to_contain_text("1")

    offline.get_by_role("button", name="Lưu điểm danh").click()
    expect(offline.get_by_text("Đã lưu — sẽ gửi khi có mạng")).to_be_visible()
    no_serious_violation(offline)
    offline.context.set_offline(False)
    conflict = offline.get_by_role("alert").filter(has_text="Lê Thị Lan")
    expect(conflict).to_contain_text("Vắng có phép")  # what it now is
    expect(conflict).to_contain_text("Có mặt")  # what this trainer chose, not saved
    no_serious_violation(offline)

    db.session.expire_all()
    rows = {m.household_id: m for m in db.session.scalars(select(AttendanceMark))}
    assert rows[lan.id].status == MarkStatus.EXCUSED and rows[lan.id].marked_by_id == colleague.id
    assert (
        rows[binh.id].status == MarkStatus.ABSENT
        and rows[binh.id].marked_by_id == world.trainer_x.id
    )
    # written with the time it was tapped on the phone, before it could be sent
    assert rows[binh.id].marked_at < rows[lan.id].marked_at
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "attendance.mark", AuditEvent.actor_id == world.trainer_x.id
        )
    )
    assert event.after["offline"] is True and event.after["device_time"]
