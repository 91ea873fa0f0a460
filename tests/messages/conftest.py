"""The fake providers (one server per test module) and the settings that point the real
adapters at them."""

from __future__ import annotations

import pytest

from tests.jobs.conftest import job_worker, redis_job_worker, redis_url  # noqa: F401
from tests.messages import fake_providers as fake


@pytest.fixture(scope="module")
def provider_server():
    server, providers = fake.start([])
    yield providers
    server.shutdown()
    server.server_close()


@pytest.fixture
def providers(app, provider_server, monkeypatch):
    """Zalo and eSMS configured, on the fake server; no quiet hours, no rate limit."""
    provider_server.reset()
    url = provider_server.url
    for key, value in {
        "ZALO_ZNS_URL": url + fake.ZALO_PATH,
        "ZALO_ACCESS_TOKEN": fake.TOKEN,
        "ZALO_TEMPLATES": {name: f"4{n:05d}" for n, name in enumerate(TEMPLATES)},
        "ESMS_URL": url + fake.ESMS_PATH,
        "ESMS_API_KEY": fake.API_KEY,
        "ESMS_SECRET_KEY": fake.SECRET_KEY,
        "ESMS_BRANDNAME": fake.BRANDNAME,
        "MESSAGES_QUIET_HOURS": (0, 0),
        "MESSAGES_RATE_PER_MINUTE": {},
        # the worker is asked only by the test that runs one (tests/messages/test_tasks.py)
        "MESSAGES_DISPATCH": False,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    yield provider_server
    assert provider_server.problems == []


TEMPLATES = (
    "account_activated",
    "certificate_issued",
    "certification_expiring",
    "class_reminder",
    "new_pin",
)
