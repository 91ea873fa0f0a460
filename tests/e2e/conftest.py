"""Browser tests: Debian's Chromium driven by Playwright against a live server.

The server runs the test application in a thread on 127.0.0.1 with CSRF protection on.
Phones are 360×740; officials and administrators use a desktop window.
"""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import Browser
from werkzeug.serving import make_server

from tests.tools import need_tool

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    need_tool(CHROMIUM)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": PHONE,
        "locale": "vi-VN",
        "is_mobile": True,
        "has_touch": True,
    }


@pytest.fixture(scope="session", autouse=True)
def _service_workers_only_where_asked():
    """No service worker unless a test's context asks for one (test_offline.py): the worker
    keeps a household's programme in the background (issue #21), and a request of it still
    under way when a test ends would write into the next test's tables."""
    original = Browser.new_context

    def new_context(self, *args, **kwargs):
        kwargs.setdefault("service_workers", "block")
        return original(self, *args, **kwargs)

    Browser.new_context = new_context
    yield
    Browser.new_context = original


@pytest.fixture(scope="session")
def _server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def server_url(_server, app, monkeypatch):
    """The live server's address; CSRF protection is on, as in production."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    return _server


def open_menu(page) -> None:
    """Unfold the main menu, as a phone user taps "Menu" before choosing a page: on a phone
    the menu is folded (templates/base.html); from 720 px on it is open and "Menu" is gone."""
    menu = page.locator("details.menu")
    if menu.count() and not menu.evaluate("menu => menu.open"):
        summary = menu.locator("summary")
        if summary.is_visible():
            summary.click()


def follow_menu(page, name: str) -> None:
    """Go to a page of the main menu as a phone user does: tap "Menu", then the page."""
    open_menu(page)
    page.locator("details.menu nav").get_by_role("link", name=name, exact=True).click()
