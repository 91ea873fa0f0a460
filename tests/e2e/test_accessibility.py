"""Accessibility: axe-core on every page of the application, in Vietnamese and in English.

The pages are the access matrix's (tests/test_access.py): every GET route, opened by the
first actor allowed to read it, so a new screen is checked as soon as it is in the matrix.
Households are on a phone, staff on a desktop. A serious or critical violation fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.builders import PASSWORD, PIN
from tests.e2e.conftest import PHONE
from tests.test_access import MATRIX
from tests.tools import need_file

#: what axe reads is the page's markup: the same on every database (run on SQLite)
pytestmark = [pytest.mark.browser, pytest.mark.database_independent]

AXE = Path(__file__).resolve().parents[2] / "node_modules/axe-core/axe.min.js"
#: who opens a page: the first of these the matrix lets read it
READERS = ("member_a", "official_1", "official_2", "trainer_x", "admin", "anonymous")
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.help} — ` +
      v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""

#: a phone's menu is folded behind "Menu": checked unfolded, as it is read once tapped
OPEN_MENU = (
    """() => { const menu = document.querySelector("details.menu"); if (menu) menu.open = true; }"""
)


def pages_to_check():
    for endpoint, method, path, expected in MATRIX:
        reader = next((a for a in READERS if expected.get(a, 403) == 200), None)
        if method == "GET" and reader:
            yield endpoint, path, reader


def logged_in(browser: Browser, url: str, world, actor: str, language: str) -> Page:
    """One tab for all the pages ``actor`` reads, logged in and in ``language``."""
    # axe is injected into pages whose CSP forbids it: only this test's contexts bypass it
    if actor == "member_a":
        context = browser.new_context(viewport=PHONE, is_mobile=True, bypass_csp=True)
    else:
        context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    # into every page the tab opens, before the page's own scripts: sent to the browser once,
    # where add_script_tag sent its 650 KB again for each page
    context.add_init_script(path=AXE)
    page = context.new_page()
    if actor == "member_a":
        page.goto(f"{url}/login")
        page.locator("input[name=phone]").fill(world.member_a.phone)
        page.locator("input[name=pin]").fill(PIN)
        page.locator("form button[type=submit]").click()
    elif actor != "anonymous":
        page.goto(f"{url}/login/staff")
        page.locator("input[name=email]").fill(getattr(world, actor).email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{url}/language/{language}")
    return page


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_page_has_a_serious_accessibility_violation(matrix_world, server_url, browser, language):
    need_file(AXE, "axe-core: `make test` runs npm ci")
    tabs: dict[str, Page] = {}
    checked, problems = 0, []
    for endpoint, path, actor in pages_to_check():
        if actor not in tabs:
            tabs[actor] = logged_in(browser, server_url, matrix_world, actor, language)
        tab = tabs[actor]
        url = server_url + path(matrix_world)
        head = tab.request.get(url, max_redirects=0)
        # the tab is still logged in: a page sent back to the login form is not checked instead
        assert head.status == 200, f"{endpoint} as {actor}: {head.status}"
        if "text/html" not in head.headers.get("content-type", ""):
            continue  # a PDF, a spreadsheet, an image
        tab.goto(url)
        tab.evaluate(OPEN_MENU)
        problems += [f"{endpoint} as {actor}: {v}" for v in tab.evaluate(SERIOUS)]
        checked += 1
    for tab in tabs.values():
        tab.context.close()
    assert checked > 40, f"only {checked} pages were checked"
    assert not problems, "\n".join(problems)
