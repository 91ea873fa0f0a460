"""The browser test here runs like those of tests/e2e: Debian's Chromium against a live server."""

from tests.e2e.conftest import (  # noqa: F401 - fixtures
    _server,
    browser_context_args,
    browser_type_launch_args,
    server_url,
)
