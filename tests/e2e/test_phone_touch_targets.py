"""Touch targets of at least 44 × 44 px wherever a household or a trainer taps (issue 19):
every link, button, select and text box of every page of the access matrix that a household
or a trainer reads, on a 360 × 740 phone. A checkbox or radio counts by its label."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.builders import PASSWORD, PIN
from tests.e2e.conftest import PHONE
from tests.test_access import MATRIX

pytestmark = pytest.mark.browser

READERS = ("member_a", "trainer_x")
MEASURE = """() => {
  const small = [];
  const seen = new Set();
  for (const e of document.querySelectorAll(
      "main a[href], main button, main select, main summary, main textarea, main label.check, "
      + "main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), "
      + "header a, nav a, nav button")) {
    const target = e;
    if (seen.has(target)) continue;
    seen.add(target);
    const style = getComputedStyle(target);
    if (style.visibility === "hidden" || style.display === "none") continue;
    const r = target.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.height < 43.5 || r.width < 43.5) {
      small.push(`${target.tagName.toLowerCase()} "${(target.innerText || target.value || "").trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
  }
  return small;
}"""


def pages_to_check():
    for endpoint, method, path, expected in MATRIX:
        reader = next((a for a in READERS if expected.get(a, 403) == 200), None)
        if method == "GET" and reader:
            yield endpoint, path, reader


def test_every_tap_target_is_44_px(matrix_world, server_url, browser: Browser):
    problems, checked = [], 0
    tabs = {}
    for endpoint, path, actor in pages_to_check():
        if actor not in tabs:
            context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
            tab = context.new_page()
            if actor == "member_a":
                tab.goto(f"{server_url}/login")
                tab.locator("input[name=phone]").fill(matrix_world.member_a.phone)
                tab.locator("input[name=pin]").fill(PIN)
            else:
                tab.goto(f"{server_url}/login/staff")
                tab.locator("input[name=email]").fill(getattr(matrix_world, actor).email)
                tab.locator("input[name=password]").fill(PASSWORD)
            tab.locator("form button[type=submit]").click()
            tab.wait_for_load_state()
            tabs[actor] = tab
        tab = tabs[actor]
        url = server_url + path(matrix_world)
        head = tab.request.get(url, max_redirects=0)
        if head.status != 200 or "text/html" not in head.headers.get("content-type", ""):
            continue
        tab.goto(url)
        problems += [f"{endpoint} as {actor}: {p}" for p in tab.evaluate(MEASURE)]
        checked += 1
    for tab in tabs.values():
        tab.context.close()
    assert checked > 15, checked
    assert not problems, "\n".join(problems)
