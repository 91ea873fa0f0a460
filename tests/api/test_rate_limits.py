"""Rate limits on the API (per key, and per address for refused keys) and on both login
forms (per address)."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from lms.api import services as keys
from lms.core.audit import AuditEvent
from lms.extensions import db, limiter
from tests.builders import marketplace

ELIGIBILITY = "/api/v1/marketplaces/postmart/eligibility?phone=0912345678"


@pytest.fixture
def low_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    monkeypatch.setitem(app.config, "API_REFUSED_RATE_LIMIT", "3 per minute")
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


def made_up_key() -> str:
    return keys.KEY_PREFIX + secrets.token_urlsafe(32)


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def api_calls() -> list[AuditEvent]:
    statement = select(AuditEvent).where(AuditEvent.action == "api.call")
    return list(db.session.scalars(statement.order_by(AuditEvent.id)))


def test_made_up_keys_are_refused_per_address_before_any_key_is_looked_up(
    world, client, low_limits, queries
):
    """The probe: 600 random keys met 600 × 401, a key lookup and an audit row each."""
    statuses = [
        client.get(ELIGIBILITY, headers={"X-API-Key": made_up_key()}).status_code for _ in range(3)
    ]
    assert statuses == [401, 401, 401]
    with queries() as seen:
        refused = [client.get(ELIGIBILITY, headers={"X-API-Key": made_up_key()}) for _ in range(60)]
    assert {response.status_code for response in refused} == {429}
    assert refused[0].get_json()["error"]["code"] == "rate_limited"
    assert int(refused[0].headers["Retry-After"]) >= 1
    assert seen == []  # no key looked up, nothing written: the database never saw them
    assert client.get(ELIGIBILITY).status_code == 429  # no key at all counts alike
    other = client.get(
        ELIGIBILITY, headers={"X-API-Key": made_up_key()}, **from_address("10.1.2.3")
    )
    assert other.status_code == 401  # another address has its own count


def test_refused_calls_are_one_audit_event_per_address_and_minute(world, client, low_limits):
    for address in ("203.0.113.1", "203.0.113.2"):
        for _ in range(10):
            client.get(ELIGIBILITY, headers={"X-API-Key": made_up_key()}, **from_address(address))
        client.get("/api/v1/openapi.json", **from_address(address))
    events = [(event.ip_address, event.after["status"]) for event in api_calls()]
    assert events == [("203.0.113.1", 401), ("203.0.113.2", 401)]
    assert all(event.after["code"] == "unauthorized" for event in api_calls())


def test_a_known_key_is_audited_every_call_and_is_never_counted_as_refused(
    world, client, app, monkeypatch
):
    monkeypatch.setitem(app.config, "API_REFUSED_RATE_LIMIT", "2 per minute")
    _key, secret = keys.create_key(world.admin, world.org_x, marketplace(), "Postmart")
    db.session.commit()
    known = [client.get(ELIGIBILITY, headers={"X-API-Key": secret}) for _ in range(5)]
    assert [response.status_code for response in known] == [200] * 5
    made_up = [client.get(ELIGIBILITY, headers={"X-API-Key": made_up_key()}) for _ in range(3)]
    assert [response.status_code for response in made_up] == [401, 401, 429]
    assert len(api_calls()) == 5 + 1
    # past the count the address is refused before any lookup, so its known key waits too
    assert client.get(ELIGIBILITY, headers={"X-API-Key": secret}).status_code == 429
