"""The dashboard in a real Chromium: on a 360-pixel phone the figures come first, the filters
are folded, and the commune chart's text is as large as the page's; on a desktop the commune
table takes the window's width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from lms.extensions import db
from tests.builders import PASSWORD, make_area
from tests.e2e.conftest import (  # the browser tests' live server and Chromium
    _server as _server,
)
from tests.e2e.conftest import (
    browser_context_args as browser_context_args,
)
from tests.e2e.conftest import (
    browser_type_launch_args as browser_type_launch_args,
)
from tests.e2e.conftest import (
    server_url as server_url,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def many_communes(province):
    """The province with a dozen more communes that sent no list, long names among them."""
    for n in range(12):
        make_area(name=f"Phường Hưng Nguyên Nam Đàn Số {n:02d}", parent=province.province)
    db.session.commit()
    return province


def _log_in(page: Page, server_url: str, email: str) -> None:
    page.goto(f"{server_url}/login/staff")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Tổng quan: Tỉnh Nghệ An")).to_be_visible()


def test_on_a_phone_the_figures_come_first_and_the_chart_is_readable(
    many_communes, server_url, browser
):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    page = context.new_page()
    _log_in(page, server_url, many_communes.official.email)
    targets = page.get_by_role("table", name="Chỉ tiêu kế hoạch: 7 hộ")
    filters = page.locator("details.dashboard-filters")
    # the figures above the filters, which are folded until asked for
    assert targets.bounding_box()["y"] < filters.bounding_box()["y"]
    assert targets.bounding_box()["y"] < 740
    expect(filters).not_to_have_attribute("open", "")
    expect(page.locator("select#area_id")).to_be_hidden()
    filters.locator("summary").click()
    expect(page.locator("select#area_id")).to_be_visible()
    # the commune chart: its text at the page's size, nothing wider than the screen
    chart = page.locator("#communes-chart-title").locator("xpath=..")
    sizes = chart.locator(".bar-label, .bar-value").evaluate_all(
        "nodes => nodes.map(n => parseFloat(getComputedStyle(n).fontSize))"
    )
    assert sizes and min(sizes) >= 14
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    widths = chart.locator(".bar-row").evaluate_all(
        "rows => rows.map(r => r.getBoundingClientRect().right)"
    )
    assert max(widths) <= 360
    # a long name wraps inside the screen instead of being cut off
    label = chart.locator(".bar-label", has_text="Phường Hưng Nguyên Nam Đàn Số 00")
    label_box = label.bounding_box()
    assert label_box["x"] >= 0 and label_box["x"] + label_box["width"] <= 360
    expect(chart.locator(".bar-row.bar-missing")).to_have_count(12)
    expect(chart.locator(".bar-missing").first).to_contain_text("Chưa nộp danh sách")
    context.close()


def test_on_a_desktop_the_commune_table_uses_the_width(many_communes, server_url, browser):
    context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="vi-VN")
    page = context.new_page()
    _log_in(page, server_url, many_communes.official.email)
    table = page.get_by_role("table", name="Chỉ tiêu theo xã")
    main = page.locator("main").bounding_box()
    box = table.bounding_box()
    assert box["width"] > main["width"]  # wider than the 960-pixel column of the page
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1600
    # the chart on a desktop: a row's name, bar and figure on one line
    row = page.locator("#communes-chart-title").locator("xpath=..").locator(".bar-row").first
    label, bar, value = (
        row.locator(s).bounding_box() for s in (".bar-label", ".bar-track", ".bar-value")
    )
    assert label["x"] < bar["x"] < value["x"]
    middle = [box["y"] + box["height"] / 2 for box in (label, bar, value)]
    assert max(middle) - min(middle) < 12  # one line
    context.close()
