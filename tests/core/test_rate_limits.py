"""Rate limits that hold with several workers and behind a proxy: the counts live where every
worker sees them (Redis), and the address counted is the client's, not the proxy's nor one a
client made up."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.config import check_rate_limit_storage
from lms.core.audit import AuditEvent
from lms.extensions import db
from tests.conftest import make_test_app
from tests.tools import need_tool

ROOT = Path(__file__).resolve().parents[2]
#: the Redis the CI starts (.ci/run); the tests' keys carry a prefix of their own
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
STAFF_LOGIN = {"email": "nobody@example.vn", "password": "wrong-password"}
API_PATH = "/api/v1/marketplaces/postmart/eligibility?phone=0912345678"

#: one worker process: its own application, its own client, the same storage URI
WORKER = """
import json, sys
from lms import create_app

app = create_app(json.loads(sys.argv[1]))
client = app.test_client()
logins = [client.post("/login/staff", data=json.loads(sys.argv[2])).status_code
          for _ in range(int(sys.argv[3]))]
calls = [client.get(sys.argv[4], headers={"X-API-Key": "lms_made-up-%d" % n}).status_code
         for n in range(int(sys.argv[5]))]
print(json.dumps([logins, calls]))
"""


def _answers(url: str) -> bool:
    import redis

    connection = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        return bool(connection.ping())
    except redis.ConnectionError:
        return False
    finally:
        connection.close()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """The Redis on 127.0.0.1:6379 (.ci/run starts it), or else one of this run's own, from
    the redis-server that ``make test`` installs."""
    if _answers(REDIS_URL):
        yield REDIS_URL
        return
    server = need_tool("redis-server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path_factory.mktemp("redis"))],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(50):
        if _answers(url):
            break
        time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def redis_storage(redis_url):
    """The real Redis, and a key prefix of this test's own (its keys removed after)."""
    import redis

    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield redis_url, prefix
    connection = redis.Redis.from_url(redis_url)
    for key in connection.scan_iter(f"LIMITS:LIMITER/{prefix}/*"):
        connection.delete(key)
    connection.close()


def run_worker(app, storage: str, prefix: str, logins: int, api_calls: int) -> list[list[int]]:
    config = {
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": storage,
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_RATE_LIMIT": "3 per minute",
        "API_REFUSED_RATE_LIMIT": "2 per minute",
    }
    arguments = [json.dumps(config), json.dumps(STAFF_LOGIN), str(logins), API_PATH]
    result = subprocess.run(
        [sys.executable, "-c", WORKER, *arguments, str(api_calls)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_workers_on_redis_share_one_limit(app, redis_storage):
    """The probe: 4 workers on memory:// let 210 of 400 logins through "60 per minute", as
    each counted alone (which is why memory:// is refused with several workers)."""
    storage, prefix = redis_storage
    first = run_worker(app, storage, prefix, logins=3, api_calls=2)
    second = run_worker(app, storage, prefix, logins=2, api_calls=1)
    assert 429 not in first[0] and first[1] == [401, 401]
    assert second == [[429, 429], [429]]  # the first worker used up the allowance of both


@pytest.mark.parametrize(
    ("storage", "processes", "refused"),
    [
        ("memory://", 4, True),
        ("memory://", 1, False),
        ("redis://127.0.0.1:6379/0", 4, False),
    ],
)
def test_memory_storage_is_refused_with_several_processes(storage, processes, refused):
    config = {"RATELIMIT_STORAGE_URI": storage}
    if refused:
        with pytest.raises(RuntimeError, match="LMS_RATELIMIT_STORAGE_URI=redis://"):
            check_rate_limit_storage(config, processes)
    else:
        check_rate_limit_storage(config, processes)


def test_gunicorn_with_several_workers_on_memory_storage_does_not_start(tmp_path):
    environment = {
        **os.environ,
        "GUNICORN_WORKERS": "2",
        "GUNICORN_BIND": "127.0.0.1:0",
        "LMS_INSTANCE_PATH": str(tmp_path),
        "LMS_RATELIMIT_STORAGE_URI": "memory://",
    }
    environment.pop("LMS_ENV", None)
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "2 worker processes would each count the rate limits" in result.stderr
    assert "Booting worker" not in result.stderr


def audited_addresses() -> list[str | None]:
    statement = select(AuditEvent.ip_address).where(AuditEvent.action == "api.call")
    return list(db.session.scalars(statement.order_by(AuditEvent.id)))


def test_without_a_trusted_proxy_a_client_cannot_choose_its_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    statuses = [
        client.post(
            "/login/staff", data=STAFF_LOGIN, headers={"X-Forwarded-For": f"198.51.100.{n}"}
        ).status_code
        for n in range(4)
    ]
    assert statuses[:3].count(429) == 0 and statuses[3] == 429
    client.get(API_PATH, headers={"X-Forwarded-For": "198.51.100.77"})
    assert audited_addresses() == ["127.0.0.1"]


@pytest.fixture
def behind_nginx(app, tmp_path_factory):
    """The application behind one proxy (nginx at 10.0.0.1), on the suite's database."""
    proxied = make_test_app(
        tmp_path_factory,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        TRUSTED_PROXIES=1,
        LOGIN_RATE_LIMIT="3 per minute",
    )
    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


def from_client(address: str, **headers: str) -> dict:
    """What nginx passes on: its own address connects, the client's is the last forwarded."""
    return {
        "environ_base": {"REMOTE_ADDR": "10.0.0.1"},
        "headers": {"X-Forwarded-For": address, **headers},
    }


def test_behind_a_trusted_proxy_each_client_is_counted_and_audited_apart(app, behind_nginx):
    """The probe: without ProxyFix every client had the proxy's address."""
    client = behind_nginx.test_client()
    first = [
        client.post("/login/staff", data=STAFF_LOGIN, **from_client("203.0.113.7")).status_code
        for _ in range(4)
    ]
    assert 429 not in first[:3] and first[3] == 429
    other = client.post("/login/staff", data=STAFF_LOGIN, **from_client("203.0.113.8"))
    assert other.status_code != 429  # another client behind the same proxy
    # a client's own X-Forwarded-For comes first; nginx appends the address it saw
    spoofed = from_client("198.51.100.1, 203.0.113.7")
    assert client.post("/login/staff", data=STAFF_LOGIN, **spoofed).status_code == 429

    client.get(API_PATH, **from_client("198.51.100.1, 203.0.113.9"))
    assert audited_addresses() == ["203.0.113.9"]
    document = client.get(
        "/api/v1/openapi.json", **from_client("203.0.113.10", **{"X-Forwarded-Proto": "https"})
    ).get_json()
    assert document["servers"][0]["url"].startswith("https://")
