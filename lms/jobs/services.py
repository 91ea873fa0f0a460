"""Jobs: started by a view or the CLI, run by a Celery worker through ``run_job``.

A domain's ``tasks.py`` task is a thin wrapper: ``run_job(job_id, work)``, where ``work`` calls
the same service the request used to call, given a ``JobContext`` for its progress and its
result file. Jobs are idempotent: a job already finished is not run again (a message
delivered twice, a worker killed after the end), and a result file is written under a
temporary name and moved into place in one step, so a job run again after a worker was killed
mid-way writes its file once, never a half of it beside a whole one.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from celery import current_task
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from lms.auth.models import User
from lms.core.database import SQLITE_BUSY_TIMEOUT_MS
from lms.core.errors import RuleViolation
from lms.core.models import utcnow
from lms.core.scope import visible_jobs
from lms.extensions import db
from lms.jobs.models import Job, JobState

log = logging.getLogger(__name__)

#: progress is written at most this often (seconds), and at the end
PROGRESS_INTERVAL = 0.5


# ---------------------------------------------------------------- listing


def list_jobs(user: User):
    """The jobs in the user's scope (``visible_jobs``), newest first."""
    return select(Job).where(visible_jobs(user)).order_by(Job.id.desc())


# ---------------------------------------------------------------- starting


def result_folder() -> Path:
    folder = Path(current_app.config.get("JOB_FOLDER") or Path(current_app.instance_path) / "jobs")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


#: an .xlsx is zipped: it holds about four times the rows of a .csv of its size
XLSX_EXPANSION = 4


def upload_weight(upload) -> int:
    """What an uploaded list weighs against a job threshold (``IMPORT_JOB_BYTES`` …): its
    size as a .csv of its rows would have it."""
    upload.stream.seek(0, 2)
    size = upload.stream.tell()
    upload.stream.seek(0)
    return size * (XLSX_EXPANSION if (upload.filename or "").lower().endswith(".xlsx") else 1)


def start_job(
    user: User | None, kind: str, params: dict[str, Any], task, key: str | None = None
) -> Job:
    """Record the job (committed, so the worker finds it), then queue ``task`` for it.

    Rule: a job with a ``key`` exists once: started again (a double click, two tabs, two
    people) while a job of that key is waiting, running or done, that job is given back and
    nothing is queued; the unique key decides between two requests at the same instant. A
    failed job gives its key up, so the work can be started again.
    """
    if key is not None:
        db.session.execute(
            update(Job).where(Job.key == key, Job.state == JobState.FAILED).values(key=None)
        )
        existing = db.session.scalar(select(Job).where(Job.key == key))
        if existing is not None:
            db.session.commit()
            return existing
    job = Job(
        user_id=user.id if user else None, kind=kind, key=key, params={**params, "task": task.name}
    )
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(select(Job).where(Job.key == key))
        if existing is None:
            raise
        return existing
    # through this application's own Celery, as requeue_stale: ``task.delay`` goes to the
    # process's default Celery, which is the last application made (another's broker)
    current_app.extensions["celery"].send_task(task.name, args=[job.id])
    return job


# ---------------------------------------------------------------- running


class JobContext:
    """What ``work`` is given: the job's parameters, its progress and its result file."""

    def __init__(self, job: Job) -> None:
        self.job_id = job.id
        self.params = dict(job.params or {})
        self.user = db.session.get(User, job.user_id) if job.user_id else None
        self.result_name: str | None = None
        #: days the result file is kept (None: JOB_RESULT_DAYS)
        self.keep_days: int | None = None
        self._partial: Path | None = None
        self._last = 0.0
        self._done = 0
        self._total: int | None = None

    @property
    def done(self) -> int:
        return self._done

    def output(self, download_name: str) -> Path:
        """The file to write the result to (a temporary name until the job is done)."""
        self.result_name = download_name
        self._partial = result_folder() / f"{self.job_id}.part"
        self._partial.unlink(missing_ok=True)
        return self._partial

    def progress(self, done: int | None = None, total: int | None = None, step: int = 0) -> None:
        """Set (``done``) or advance (``step``) the count, and the total when known. Written on
        its own connection, so it shows while the work's own transaction is still open."""
        if total is not None:
            self._total = total
        self._done = done if done is not None else self._done + step
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL and self._done != self._total:
            return
        self._last = now
        sqlite = db.engine.dialect.name == "sqlite"
        try:
            with db.engine.begin() as connection:
                if sqlite:  # the work's own transaction may hold the one write lock: no wait
                    connection.exec_driver_sql("PRAGMA busy_timeout = 50")
                try:
                    connection.execute(
                        update(Job)
                        .where(Job.id == self.job_id)
                        .values(done=self._done, total=self._total, heartbeat_at=utcnow())
                    )
                finally:
                    if sqlite:
                        connection.exec_driver_sql(
                            f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}"
                        )
        except OperationalError:  # SQLite: the work's transaction holds the write lock
            log.debug("progress of job %s not written this time", self.job_id)

    def finish(self) -> tuple[str | None, str | None]:
        """Move the result file into place; its path under the job folder, and its name."""
        if self._partial is None or not self._partial.exists():
            return None, None
        final = f"{self.job_id}-{self.result_name}"
        os.replace(self._partial, result_folder() / final)
        return final, self.result_name


def run_job(job_id: int, work: Callable[[JobContext], str | None]) -> str:
    """Run ``work`` for the job, once: a finished job is left as it is. A rule the work
    refuses (``RuleViolation``) fails the job with its reason; any other error fails it
    with a general message (and is logged)."""
    job = db.session.get(Job, job_id)
    if job is None:
        return "missing"
    running = getattr(current_task, "name", None)  # None outside a worker
    if running is not None and job.params.get("task") not in (None, running):
        # a message about another job that had this id (a database restored from a backup):
        # never run one job's row with another task's work
        log.warning("job %s is for %s, not %s: message ignored", job_id, job.kind, running)
        return "another task's job"
    if job.is_finished:
        return "already finished"
    job.state = JobState.RUNNING
    job.started_at = job.started_at or utcnow()
    job.heartbeat_at = utcnow()
    job.attempts += 1
    job.error = None
    db.session.commit()
    context = JobContext(job)
    with force_locale("vi"):
        try:
            message = work(context)
            path, name = context.finish()
        except RuleViolation as violation:
            db.session.rollback()
            return _fail(job_id, str(violation))
        except Exception:
            db.session.rollback()
            log.exception("job %s (%s) failed", job_id, job.kind)
            return _fail(
                job_id, _("The job stopped on an unexpected error. Please start it again.")
            )
    job = db.session.get(Job, job_id)
    finished = utcnow()
    job.state = JobState.DONE
    job.message = message
    job.result_path, job.result_name = path, name
    job.done = context._total if context._total is not None else context._done
    job.total = context._total if context._total is not None else job.done
    job.finished_at = finished
    days = context.keep_days or current_app.config["JOB_RESULT_DAYS"]
    job.expires_at = finished + timedelta(days=days)
    db.session.commit()
    return "done"


def _fail(job_id: int, error: str) -> str:
    job = db.session.get(Job, job_id)
    job.state, job.error, job.finished_at = JobState.FAILED, error, utcnow()
    db.session.commit()
    return "failed"


def requeue_stale(now: datetime | None = None) -> list[int]:
    """Send again the jobs no worker shows a sign of life for since JOB_STALE_MINUTES: a
    worker killed mid-way (its message, taken from the embedded broker, is gone with it) or
    a message lost. A job run twice is safe (``run_job``); the ids sent again."""
    now = now or utcnow()
    stale = now - timedelta(minutes=current_app.config["JOB_STALE_MINUTES"])
    jobs = db.session.scalars(
        select(Job).where(
            Job.state.in_([JobState.QUEUED, JobState.RUNNING]),
            func.coalesce(Job.heartbeat_at, Job.created_at) < stale,
        )
    ).all()
    resend = [job for job in jobs if (job.params or {}).get("task")]
    for job in resend:
        job.heartbeat_at = now  # not sent again before another JOB_STALE_MINUTES
    messages = [(job.params["task"], job.id) for job in resend]
    db.session.commit()
    for task, job_id in messages:
        current_app.extensions["celery"].send_task(task, args=[job_id])
    return [job_id for _task, job_id in messages]


# ---------------------------------------------------------------- results and expiry


def result_file(job: Job) -> Path | None:
    """The job's result file, while it has one (not expired, not removed)."""
    if job.state is not JobState.DONE or not job.result_path:
        return None
    path = result_folder() / job.result_path
    return path if path.is_file() else None


def purge_expired(now: datetime | None = None) -> int:
    """Remove the result files of jobs past their expiry (the rows stay, without a file),
    and partial files left by jobs that ended long ago; the number of files removed."""
    now = now or utcnow()
    removed = 0
    expired = db.session.scalars(
        select(Job).where(Job.expires_at <= now, Job.result_path.is_not(None))
    )
    for job in expired:
        (result_folder() / job.result_path).unlink(missing_ok=True)
        job.result_path = None
        removed += 1
    db.session.commit()
    return removed
