"""Rate limits on the API (per key) and on both login forms (per address)."""

from __future__ import annotations

import pytest

from lms.api import services as keys
from lms.extensions import db, limiter
from tests.builders import marketplace


@pytest.fixture
def low_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    limiter.reset()
    yield
    limiter.reset()


def test_the_api_answers_429_in_json_past_the_limit_of_a_key(world, client, low_limits):
    _key, secret = keys.create_key(world.admin, world.org_x, marketplace(), "Postmart")
    _key, other = keys.create_key(world.admin, world.org_x, marketplace(), "Postmart 2")
    db.session.commit()
    path = "/api/v1/marketplaces/postmart/eligibility?phone=0912345678"
    statuses = [client.get(path, headers={"X-API-Key": secret}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get(path, headers={"X-API-Key": secret})
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert "Vui lòng đợi một phút" in response.get_json()["error"]["message"]
    assert "Retry-After" in response.headers
    # another key keeps its own allowance
    assert client.get(path, headers={"X-API-Key": other}).status_code == 200


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/login", {"phone": "0912345678", "pin": "000000"}),
        ("/login/staff", {"email": "nobody@example.vn", "password": "wrong-password"}),
    ],
)
def test_the_login_forms_answer_429_with_a_clear_message(world, client, low_limits, path, data):
    statuses = [client.post(path, data=data).status_code for _ in range(3)]
    assert 429 not in statuses
    assert client.get(path).status_code == 200  # only attempts count
    response = client.post(path, data=data)
    assert response.status_code == 429
    assert "Có quá nhiều lần thử từ kết nối này" in response.get_data(as_text=True)
