"""Browser test of the public flagship pages on a phone (360 × 740), in a fresh browser without
login: the list leads to a product's page, which has no serious accessibility violation (axe),
loads nothing from another host, stays within 30 KB, and whose QR code opens the page itself."""

from __future__ import annotations

import gzip
import subprocess

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import PHONE
from tests.e2e.test_accessibility import AXE, SERIOUS
from tests.flagship.helpers import choose_all, load_shipped, make_registry
from tests.tools import need_file, need_tool

pytestmark = pytest.mark.browser

BUDGET = 30 * 1024
#: what the service worker adds to a cold first load: itself and the offline page it keeps
WORKER = ("/sw.js", "/offline")


def test_a_buyer_finds_a_flagship_product_on_a_phone(world, server_url, browser: Browser, tmp_path):
    need_file(AXE, "axe-core: `make test` runs npm ci")
    need_tool("zbarimg")
    stories = load_shipped()
    make_registry(world)
    choose_all(stories, world.admin)
    # the network measures a cold load: without the service worker, whose answers from its
    # cache have no size; its own weight is added below
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, locale="vi-VN", bypass_csp=True, service_workers="block"
    )
    page = context.new_page()
    requested: list[str] = []
    weights: dict[str, int] = {}
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "requestfinished",
        lambda request: weights.__setitem__(request.url, request.sizes()["responseBodySize"]),
    )

    page.goto(f"{server_url}/flagship/")
    expect(page.get_by_role("heading", name="Sản phẩm tiêu biểu")).to_be_visible()
    page.get_by_role("link", name="Chè xanh Diễn Châu").click()
    expect(page.get_by_role("heading", name="Chè xanh Diễn Châu", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Mua trên Postmart")).to_have_attribute(
        "href", "https://postmart.vn/shop/che-xanh-dien-chau"
    )
    expect(page.get_by_text("Xếp hạng OCOP đã hết hạn")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.locator("img[src$='qr.svg']").scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    detail = [
        url
        for url in requested
        if "/flagship/che-xanh" in url or "/static/" in url or "/media/" in url
    ]
    assert all(url.startswith(server_url) for url in requested), requested
    total = sum(size for url, size in weights.items() if url in detail or url.endswith("qr.svg"))
    # the service worker the page registers, and the offline page it keeps (issue #21)
    total += sum(len(gzip.compress(page.request.get(server_url + url).body())) for url in WORKER)
    assert 0 < total <= BUDGET, f"{total} bytes: {weights}"

    page.add_script_tag(path=str(AXE))
    assert page.evaluate(SERIOUS) == []

    shot = tmp_path / "qr.png"
    page.locator("img[src$='qr.svg']").screenshot(path=str(shot))
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(shot)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert decoded == f"{server_url}/flagship/che-xanh-dien-chau"
    context.close()
