"""A phone's first screen (issue 19), on every page of the access matrix that a household, a
trainer or a visitor reads, at 360 × 740:

- the page starts in the first third of the screen: the header's menu is folded behind
  "Menu", so the content's first line is at most 246 px down;
- once the menu is opened, every link, button, select and text box is a touch target of at
  least 44 × 44 px (a checkbox or radio counts by its label).

One visit per page measures both. Officials and administrators work at a desk; one page each
shows their longer menus folded as well."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import login_as
from tests.e2e.conftest import PHONE
from tests.test_access import MATRIX, TWINS

#: a page's layout: the same on every database (run on SQLite)
pytestmark = [pytest.mark.browser, pytest.mark.database_independent]

READERS = ("member_a", "trainer_x", "trainer_y", "anonymous")
#: read at a desk: only where their page starts is measured, on their first page
DESK_READERS = ("official_1", "admin")
DESK = {"width": 1280, "height": 800}
#: the first third of the phone's screen
FIRST_THIRD = PHONE["height"] // 3
#: where the page's content starts (the top of the first thing shown in <main>, the menu
#: folded as the page came), then, the menu opened, the targets smaller than 44 × 44 px
MEASURE = """(touch) => {
  const main = document.querySelector("main");
  const first = main && ([...main.children].find(e => e.getBoundingClientRect().height > 0) || main);
  const top = first ? Math.round(first.getBoundingClientRect().top) : null;
  const small = [];
  if (!touch) return {top, small};
  const menu = document.querySelector("details.menu");
  if (menu) menu.open = true;
  for (const target of new Set(document.querySelectorAll(
      "main a[href], main button, main select, main summary, main textarea, main label.check, "
      + "main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), "
      + "header a, nav a, nav button, details.menu > summary"))) {
    const style = getComputedStyle(target);
    if (style.visibility === "hidden" || style.display === "none") continue;
    const r = target.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.height < 43.5 || r.width < 43.5) {
      small.push(`${target.tagName.toLowerCase()} "${(target.innerText || target.value || "").trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
  }
  return {top, small};
}"""


def status_for(expected: dict, actor: str):
    return expected.get(actor, expected.get(TWINS.get(actor, ""), 403))


def pages_to_check():
    """(endpoint, path, reader, touch): each GET page of the matrix once, read by the first
    reader allowed; the desk readers' first page, for where it starts only."""
    desk_seen = set()
    for endpoint, method, path, expected in MATRIX:
        if method != "GET":
            continue
        reader = next((a for a in READERS if status_for(expected, a) == 200), None)
        if reader:
            yield endpoint, path, reader, True
            continue
        desk = next(
            (a for a in DESK_READERS if a not in desk_seen and status_for(expected, a) == 200),
            None,
        )
        if desk:
            desk_seen.add(desk)
            yield endpoint, path, desk, False


def logged_in_tab(browser: Browser, app, server_url: str, world, actor: str, viewport=PHONE):
    """A phone's tab (or a desk's) with ``actor``'s session cookie (logging in has its own
    tests)."""
    phone = viewport is PHONE
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    if actor != "anonymous":
        client = login_as(app.test_client(), getattr(world, actor))
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": server_url}])
    return context.new_page()


def test_every_page_starts_in_the_first_third_and_every_tap_target_is_44_px(
    app, matrix_world, server_url, browser: Browser
):
    problems, late, checked, tabs = [], [], {}, {}
    for endpoint, path, actor, touch in pages_to_check():
        if actor not in tabs:
            tabs[actor] = logged_in_tab(browser, app, server_url, matrix_world, actor)
        tab = tabs[actor]
        url = server_url + path(matrix_world)
        head = tab.request.get(url, max_redirects=0)
        if head.status != 200 or "text/html" not in head.headers.get("content-type", ""):
            continue
        tab.goto(url)
        measured = tab.evaluate(MEASURE, touch)
        top = checked[endpoint, actor] = measured["top"]
        if top is not None and top > FIRST_THIRD:
            late.append(f"{endpoint} as {actor}: starts at {top} px")
        problems += [f"{endpoint} as {actor}: {p}" for p in measured["small"]]
    for tab in tabs.values():
        tab.context.close()
    assert len(checked) > 30, checked
    assert {actor for _endpoint, actor in checked} == {*READERS, *DESK_READERS}
    assert not late, "\n".join(late)
    assert not problems, "\n".join(problems)


def test_the_menu_opens_by_keyboard_and_stays_open_at_a_desk(
    app, matrix_world, server_url, browser: Browser
):
    """The fold is a <details>: a button that a keyboard opens and a screen reader hears as
    collapsed or expanded; at a desk the menu is simply there, without the button."""
    phone = logged_in_tab(browser, app, server_url, matrix_world, "trainer_x")
    phone.goto(f"{server_url}/households/")
    menu = phone.locator("details.menu")
    link = menu.locator("nav").get_by_role("link", name="Buổi tập huấn")
    expect(link).to_be_hidden()
    assert "Buổi tập huấn" not in menu.aria_snapshot()
    menu.locator("summary").focus()
    phone.keyboard.press("Enter")
    expect(link).to_be_visible()
    assert "Buổi tập huấn" in menu.aria_snapshot()
    phone.keyboard.press("Tab")
    expect(menu.locator("nav a").first).to_be_focused()
    menu.locator("summary").focus()
    phone.keyboard.press("Space")
    expect(link).to_be_hidden()
    phone.context.close()

    desk = logged_in_tab(browser, app, server_url, matrix_world, "trainer_x", DESK)
    desk.goto(f"{server_url}/households/")
    expect(desk.locator("details.menu > summary")).to_be_hidden()
    expect(
        desk.locator("details.menu nav").get_by_role("link", name="Buổi tập huấn")
    ).to_be_visible()
    desk.context.close()
