"""Issue 19 in a real Chromium at 360 × 740: a trainer with a class of forty on a phone.

The course boxes sit on their own names' line; marking forty households with three
absentees takes five taps plus the search (with JavaScript the search filters as one types,
without it the same box is a plain search); cancelling asks first and can be undone; the
check-in code is the largest thing on a phone and on a 1280 × 720 projector; the card page
fits 360 px.
"""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from lms.attendance import services
from lms.attendance.models import AttendanceMark, ClassSession, EnrolmentSource, MarkStatus
from lms.core.models import utcnow
from lms.extensions import db
from tests.builders import PASSWORD, load_shipped_courses, make_household
from tests.e2e.conftest import PHONE
from tests.tools import need_file

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules/axe-core/axe.min.js"
PROJECTOR = {"width": 1280, "height": 720}
#: counts the touches of a tab's pages in its session storage
TAP_COUNTER = """document.addEventListener("touchstart", () => {
  sessionStorage.taps = Number(sessionStorage.taps || 0) + 1;
}, true);"""


def log_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login/staff")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


@pytest.fixture
def class_of_forty(world):
    """Session X running now, with forty households of Xã Diễn Châu on its roster, among them
    two "Lê Thị Lan" of different villages."""
    session = world.session_x
    session.starts_at, session.ends_at = (
        utcnow() - timedelta(minutes=10),
        utcnow() + timedelta(hours=2),
    )
    session.checkin_code = "482913"
    households = [
        make_household(
            head_name=f"Hộ Thử {n:02d}",
            phone=f"09660000{n:02d}",
            village="Xóm 3",
            area=session.area,
        )
        for n in range(1, 39)
    ]
    households += [
        make_household(
            head_name="Lê Thị Lan", village="Xóm 5", phone="0911000567", area=session.area
        ),
        make_household(
            head_name="Lê Thị Lan", village="Xóm 2", phone="0911000234", area=session.area
        ),
    ]
    services.enrol(world.trainer_x, session, households, EnrolmentSource.COMMUNE)
    db.session.commit()
    return session


def test_each_course_box_sits_on_the_line_of_its_own_name(world, server_url, page: Page):
    load_shipped_courses()
    log_in(page, server_url, world.trainer_x.email)
    page.goto(f"{server_url}/sessions/new")
    labels = page.locator("fieldset.checks label.check")
    assert labels.count() >= 3
    spans = [labels.nth(i).locator("span").bounding_box() for i in range(labels.count())]
    for i in range(labels.count()):
        box = labels.nth(i).locator("input").bounding_box()
        name = spans[i]
        middle = box["y"] + box["height"] / 2
        # the box is on its name's line, just before it, and on no other name's line
        assert name["y"] <= middle <= name["y"] + name["height"], i
        assert 0 <= name["x"] - (box["x"] + box["width"]) <= 16, i
        for j, other in enumerate(spans):
            if j != i:
                assert not (other["y"] <= middle <= other["y"] + other["height"]), (i, j)
        # and the label is a 44 px touch target
        assert labels.nth(i).bounding_box()["height"] >= 44
    page.get_by_text("Bán hàng trực tuyến", exact=True).click()
    checked = page.locator("fieldset.checks input:checked")
    assert checked.count() == 1
    assert checked.locator("xpath=..").inner_text().strip() == "Bán hàng trực tuyến"


def test_the_commune_is_typed_and_defaults_to_the_last_one(world, server_url, page: Page):
    load_shipped_courses()
    log_in(page, server_url, world.trainer_x.email)
    page.goto(f"{server_url}/sessions/new")
    expect(page.get_by_label("Xã / phường")).to_have_value("Xã Diễn Châu")
    page.get_by_label("Tên buổi").fill("Lớp Yên Thành gõ tay")
    page.get_by_label("Bán hàng trực tuyến").check()
    page.get_by_label("Bắt đầu").fill(
        (utcnow() + timedelta(days=1, hours=7)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Xã / phường").fill("yen thanh")
    page.get_by_label("Địa điểm").fill("Nhà văn hóa")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", name="Lớp Yên Thành gõ tay")).to_be_visible()
    session = db.session.scalar(
        select(ClassSession).where(ClassSession.title == "Lớp Yên Thành gõ tay")
    )
    assert session.area_id == world.commune_2.id
    assert session.ends_at - session.starts_at == timedelta(hours=2)


def test_forty_with_three_absentees_in_five_taps_plus_the_search(
    world, class_of_forty, server_url, page: Page
):
    log_in(page, server_url, world.trainer_x.email)
    # the browser counts the taps (touches) on every page of the tab, the one after saving too
    page.context.add_init_script(TAP_COUNTER)
    page.goto(f"{server_url}/sessions/{class_of_forty.id}/marks")
    expect(page.locator(".roster > li")).to_have_count(40)
    # namesakes are told apart
    expect(page.get_by_role("group", name="Lê Thị Lan Xóm 5 · SĐT …567")).to_be_visible()
    expect(page.get_by_role("group", name="Lê Thị Lan Xóm 2 · SĐT …234")).to_be_visible()
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    search = page.get_by_label("Tìm trong danh sách: tên, thôn/xóm hoặc số điện thoại")
    taps = 0
    page.get_by_role("button", name="Tất cả có mặt").tap()
    taps += 1
    for typed, name, status in (
        ("ho thu 05", "Hộ Thử 05", "Vắng"),
        ("le thi lan xom 2", "Lê Thị Lan Xóm 2", "Đi muộn"),
        ("567", "Lê Thị Lan Xóm 5", "Vắng có phép"),
    ):
        search.fill(typed)  # the search: typing, not a tap
        expect(page.locator(".roster > li:visible")).to_have_count(1)
        page.get_by_role("group", name=name).get_by_text(status, exact=True).tap()
        taps += 1
    search.fill("")
    expect(page.locator(".roster > li:visible")).to_have_count(40)
    page.get_by_role("button", name="Lưu điểm danh").tap()
    taps += 1
    expect(page.get_by_role("status").first).to_contain_text("Đã lưu điểm danh: 40 thay đổi.")
    assert taps <= 5 and len(posts) == 1
    assert page.evaluate("Number(sessionStorage.taps)") == taps  # typing in the search is no tap
    marks = {
        (m.household.head_name, m.household.village): m.status
        for m in db.session.scalars(
            select(AttendanceMark).where(AttendanceMark.session_id == class_of_forty.id)
        )
    }
    assert marks[("Hộ Thử 05", "Xóm 3")] is MarkStatus.ABSENT
    assert marks[("Lê Thị Lan", "Xóm 2")] is MarkStatus.LATE
    assert marks[("Lê Thị Lan", "Xóm 5")] is MarkStatus.EXCUSED
    assert sum(s is MarkStatus.PRESENT for s in marks.values()) == 37


def test_without_javascript_the_filter_box_is_a_plain_search(
    world, class_of_forty, server_url, browser: Browser
):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False
    )
    page = context.new_page()
    log_in(page, server_url, world.trainer_x.email)
    page.goto(f"{server_url}/sessions/{class_of_forty.id}/marks")
    page.get_by_label("Tìm trong danh sách: tên, thôn/xóm hoặc số điện thoại").fill("LE THI LAN")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page.locator(".roster > li")).to_have_count(2)
    assert "q=LE+THI+LAN" in page.url
    page.get_by_role("group", name="Lê Thị Lan Xóm 2").get_by_text("Vắng", exact=True).click()
    page.get_by_role("button", name="Lưu điểm danh").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã lưu điểm danh: 1 thay đổi.")
    expect(page.locator(".roster > li")).to_have_count(2)  # still filtered after saving
    context.close()


def test_cancelling_asks_first_and_is_undone_before_the_start(world, server_url, browser: Browser):
    need_file(AXE, "axe-core: `make test` runs npm ci")
    session = world.session_x  # tomorrow
    # axe is injected into a page whose CSP forbids it: only this context bypasses it
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page = context.new_page()
    log_in(page, server_url, world.trainer_x.email)
    page.goto(f"{server_url}/sessions/{session.id}")
    cancel = page.get_by_role("button", name="Hủy buổi tập huấn này")
    assert cancel.bounding_box()["height"] >= 44
    cancel.tap()
    expect(page.get_by_role("alert")).to_contain_text("Vui lòng xác nhận")
    expect(page.get_by_role("alert")).to_contain_text("hoàn tác đến giờ bắt đầu")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document)).violations
        .filter(v => v.impact === "serious" || v.impact === "critical").map(v => v.id)"""
    )
    assert violations == []
    db.session.expire_all()
    assert not db.session.get(ClassSession, session.id).is_cancelled
    page.get_by_role("button", name="Đồng ý, hủy buổi tập huấn").tap()
    expect(page.get_by_text("Buổi tập huấn này đã bị hủy.").first).to_be_visible()
    page.get_by_role("button", name="Hoàn tác việc hủy").tap()
    expect(page.get_by_role("link", name="Điểm danh", exact=True)).to_be_visible()
    db.session.expire_all()
    assert not db.session.get(ClassSession, session.id).is_cancelled
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, PROJECTOR], ids=["phone", "projector"])
def test_the_checkin_code_is_the_largest_thing_on_the_screen(
    world, class_of_forty, server_url, browser: Browser, viewport
):
    context = browser.new_context(
        viewport=viewport, is_mobile=viewport is PHONE, has_touch=viewport is PHONE
    )
    page = context.new_page()
    log_in(page, server_url, world.trainer_x.email)
    page.goto(f"{server_url}/sessions/{class_of_forty.id}/checkin-screen")
    code = page.locator("#checkin-code")
    expect(code).to_contain_text("482 913")
    box = code.bounding_box()
    # wholly on the first screen, no scrolling
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    sizes = page.evaluate(
        """() => [...document.querySelectorAll("body *")]
        .filter(e => e.id !== "checkin-code" && !e.closest("#checkin-code") && e.childNodes.length
                     && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
        .map(e => parseFloat(getComputedStyle(e).fontSize))"""
    )
    code_size = float(code.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert code_size > 2 * max(sizes), (code_size, max(sizes))
    qr = page.locator(".checkin-how svg").bounding_box()
    assert box["width"] * box["height"] > qr["width"] * qr["height"]
    # the QR code is on the screen too, for the phones that scan
    assert qr["y"] + qr["height"] <= viewport["height"] or viewport is PHONE
    context.close()


def test_the_card_page_fits_360_px_and_the_roster_cards_page_too(
    world, class_of_forty, server_url, page: Page
):
    log_in(page, server_url, world.trainer_x.email)
    page.goto(f"{server_url}/sessions/{class_of_forty.id}")
    page.get_by_role("link", name="Thẻ đăng nhập của cả lớp").tap()
    expect(page.get_by_role("heading", name="Thẻ đăng nhập của cả lớp")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    household = class_of_forty.marks[0].household
    page.goto(f"{server_url}/households/{household.id}")
    with page.expect_popup() as opened:  # the card opens in a tab of its own, to print
        page.get_by_role("button", name="In thẻ đăng nhập (mã PIN mới)").tap()
    card = opened.value
    card.set_viewport_size(PHONE)
    expect(card.locator(".pin")).to_have_text(re.compile(r"^\d{6}$"))
    width = card.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width


def test_the_activation_queue_is_stacked_cards_on_a_phone(world, server_url, page: Page):
    from lms.activation import services as activation
    from tests.builders import make_certificate, make_product, marketplace

    make_certificate(world.household_a)
    make_product(household=world.household_a, name="Nhút", ocop_stars=4, ocop_year=2024)
    db.session.commit()
    activation.request_activation(world.member_a, world.household_a, marketplace())
    log_in(page, server_url, world.trainer_x.email)
    page.goto(f"{server_url}/activation/requests")
    row = page.locator("table.stack-on-phone tbody tr").first
    expect(row).to_contain_text("Nguyễn Thị Hương")
    # nothing scrolls sideways, inside its box or the page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth")
    cells = row.locator("td")
    boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
    assert all(b["x"] == boxes[0]["x"] for b in boxes)  # one above the other
    assert all(a["y"] < b["y"] for a, b in pairwise(boxes))
    label = cells.nth(1).evaluate("e => getComputedStyle(e, '::before').content")
    assert "Xã / phường" in label
    link = row.get_by_role("link", name="Nguyễn Thị Hương").bounding_box()
    assert link["height"] >= 44


def test_the_households_list_is_stacked_cards_on_a_phone(world, server_url, page: Page):
    log_in(page, server_url, world.trainer_x.email)
    page.goto(f"{server_url}/households/")
    row = page.locator("table.stack-on-phone tbody tr").first
    expect(row).to_contain_text("Nguyễn Thị Hương")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth")
    cells = row.locator("td")
    boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
    assert all(a["y"] < b["y"] for a, b in pairwise(boxes))  # one above the other
    label = cells.nth(2).evaluate("e => getComputedStyle(e, '::before').content")
    assert "Số điện thoại" in label
    link = row.locator("a").first.bounding_box()
    assert link["height"] >= 44
