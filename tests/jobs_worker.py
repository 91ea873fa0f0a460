"""A real Celery worker for the tests: in a thread of the test process, on the embedded broker
(kombu's SQLAlchemy transport on a SQLite file in the run's instance folder) or on Redis.

A conftest imports the fixtures (tests/jobs/conftest.py); Redis is ``redis_url``'s
(tests/core/test_rate_limits.py): the CI's on 127.0.0.1:6379, else a redis-server of the run's.
"""

from __future__ import annotations

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from lms.extensions import db
from lms.jobs.models import Job
from lms.jobs.worker import celery_init_app


def _worker(celery_app):
    """A worker for ``celery_app``; its queue emptied first: a message an earlier test left
    (a job queued with no worker running) names a job id the emptied tables gave again."""
    celery_app.control.purge()
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
def redis_job_worker(app, redis_url):
    """A worker on Redis (the CI's on 127.0.0.1:6379, else one of this run's own; a queue of
    this test's own), and the application's jobs sent there."""
    embedded = app.extensions["celery"]
    celery_app = celery_init_app(
        app, broker_url=redis_url, task_default_queue=f"lms-test-{uuid.uuid4().hex[:12]}"
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
