"""A real Celery worker for the tests: in a thread of the test process, on the embedded broker
(kombu's SQLAlchemy transport on a SQLite file in the run's instance folder) or on Redis.

Import the fixtures into a test module: ``from tests.jobs_worker import job_worker``.
"""

from __future__ import annotations

import socket
import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from lms.extensions import db
from lms.jobs.models import Job
from lms.jobs.worker import celery_init_app

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")


def _worker(celery_app):
    return start_worker(
        celery_app,
        pool="solo",
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=30,
    )


@pytest.fixture
def job_worker(app):
    """The application's own Celery, with a worker running its jobs."""
    with _worker(app.extensions["celery"]) as worker:
        yield worker


@pytest.fixture
def redis_job_worker(app):
    """A worker on Redis (a queue of this test's own), and the application's jobs sent there."""
    embedded = app.extensions["celery"]
    celery_app = celery_init_app(
        app, broker_url=REDIS_URL, task_default_queue=f"lms-test-{uuid.uuid4().hex[:12]}"
    )
    try:
        with _worker(celery_app) as worker:
            yield worker
    finally:
        app.extensions["celery"] = embedded
        embedded.set_default()
        embedded.set_current()


def wait_for(job_id: int, timeout: float = 90.0) -> Job:
    """The job once the worker finished it (read afresh: the worker wrote it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job is not None and job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")
