"""A worker killed with SIGKILL in the middle of an import's commit: nothing of it is written,
the job is sent again (``flask jobs requeue``) and another worker writes the import once.

The first worker is a real ``celery worker`` process, sharing the test's database and
instance folder; the second is the suite's worker in a thread. Both brokers: the embedded one
(``make run``) and Redis (several machines), on a queue of the test's own."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.core.audit import AuditEvent
from lms.extensions import db
from lms.households import importing, tasks
from lms.households.models import Household
from lms.jobs.models import Job, JobState
from lms.jobs.services import start_job
from lms.jobs.worker import celery_init_app
from tests.jobs_worker import _worker, wait_for

ROWS = 3000
LETTERS = "ABCDEGHIKLMNOPQRSTUVXY"


def _names():
    for first in LETTERS:
        for second in LETTERS:
            for third in LETTERS:
                yield f"Hộ {first}{second.lower()} {third}ăn"


@pytest.fixture(params=["embedded", "redis"])
def broker(request, app):
    """The Celery settings the worker process is given (none: the embedded broker), with the
    application's jobs sent to the same broker and queue."""
    if request.param == "embedded":
        yield {}
        return
    embedded = app.extensions["celery"]
    settings = {
        "LMS_CELERY_BROKER_URL": request.getfixturevalue("redis_url"),
        "LMS_CELERY_QUEUE": f"lms-test-{uuid.uuid4().hex[:12]}",
    }
    celery_init_app(
        app,
        broker_url=settings["LMS_CELERY_BROKER_URL"],
        task_default_queue=settings["LMS_CELERY_QUEUE"],
    )
    try:
        yield settings
    finally:
        app.extensions["celery"] = embedded
        embedded.set_default()
        embedded.set_current()


def _worker_process(app, broker: dict[str, str], log: Path) -> subprocess.Popen:
    """A real ``celery worker``, its queue emptied first: a message an earlier test left
    (its job gone with the emptied tables) would keep it from this test's job."""
    app.extensions["celery"].control.purge()
    env = {
        **os.environ,
        "LMS_ENV": "testing",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LMS_INSTANCE_PATH": app.instance_path,
        **broker,
    }
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [str(celery), "-A", "lms.jobs.worker:celery_app", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )  # fmt: skip


def test_a_worker_killed_mid_commit_leaves_nothing_and_the_job_is_written_once(
    world, app, monkeypatch, broker, tmp_path
):
    names = _names()
    lines = [f"{next(names)},09{n:08d},Diễn Châu" for n in range(ROWS)]
    body = ("Họ và tên,Số điện thoại,Xã/Phường\n" + "\n".join(lines)).encode()
    record, analysis = importing.start_import(world.official_1, io.BytesIO(body), "lon.csv")
    assert analysis.counts["new"] == ROWS
    before = db.session.scalar(select(func.count()).select_from(Household))

    log = tmp_path / "worker.log"
    process = _worker_process(app, broker, log)
    try:
        job = start_job(world.official_1, "households.import_commit",
                        {"import_id": record.id}, tasks.commit,
                        key=f"households.import_commit:{record.id}")  # fmt: skip
        # a worker starting on a loaded machine (CI beside other work) takes its time
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            state = db.session.scalar(select(Job.state).where(Job.id == job.id))
            db.session.rollback()
            if state is not JobState.QUEUED:
                break
            assert process.poll() is None, "the worker process ended before taking the job"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    db.session.expire_all()
    killed = db.session.get(Job, job.id)
    # killed mid-way (else the worker's own words say why it never took the job)
    assert killed.state is JobState.RUNNING and killed.attempts == 1, log.read_text()[-3000:]
    assert db.session.scalar(select(func.count()).select_from(Household)) == before
    assert not db.session.get(type(record), record.id).is_committed

    monkeypatch.setitem(app.config, "JOB_STALE_MINUTES", 0)
    with _worker(app.extensions["celery"]):
        sent = app.test_cli_runner().invoke(args=["jobs", "requeue"])
        assert "1 stale jobs sent again." in sent.output
        done = wait_for(job.id)
    assert done.state is JobState.DONE and done.attempts == 2, done.error
    assert db.session.scalar(select(func.count()).select_from(Household)) == before + ROWS
    created = select(func.count()).where(AuditEvent.action == "household.import_create")
    assert db.session.scalar(created) == ROWS
