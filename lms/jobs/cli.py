"""``flask jobs``: the jobs from the command line."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.extensions import db
from lms.jobs import services
from lms.jobs.models import Job

cli = AppGroup("jobs", help="Long work run by the Celery worker.")


@cli.command("purge")
def purge_command() -> None:
    """Remove the result files of expired jobs (the worker does it every hour)."""
    click.echo(f"{services.purge_expired()} expired result files removed.")


@cli.command("requeue")
def requeue_command() -> None:
    """Send again the jobs no worker shows a sign of life for (the worker does it too)."""
    sent = services.requeue_stale()
    click.echo(f"{len(sent)} stale jobs sent again.")


@cli.command("list")
def list_command() -> None:
    for job in db.session.scalars(select(Job).order_by(Job.id.desc()).limit(50)):
        click.echo(f"{job.id}\t{job.kind}\t{job.state.value}\t{job.done}/{job.total or '?'}")


@cli.command("wait")
@click.argument("job_id", type=int)
@click.option("--timeout", type=float, default=3600.0, show_default=True)
def wait_command(job_id: int, timeout: float) -> None:
    """Show a job's progress bar until it ends."""
    wait(job_id, timeout)


def wait(job_id: int, timeout: float = 3600.0) -> Job:
    """Follow a job with a progress bar; its row once finished (exit 1 if it failed)."""
    deadline = time.monotonic() + timeout
    shown = 0
    with click.progressbar(length=1, label=f"job {job_id}") as bar:
        while True:
            db.session.expire_all()
            job = db.session.get(Job, job_id)
            if job is None:
                raise click.ClickException(f"no job {job_id}")
            if job.total:
                bar.length = job.total
                bar.update(job.done - shown)
                shown = job.done
            if job.is_finished or time.monotonic() > deadline:
                break
            time.sleep(0.3)
    if not job.is_finished:
        raise click.ClickException(f"job {job_id} is still {job.state.value}")
    if job.error:
        raise click.ClickException(job.error)
    path = services.result_file(job)
    click.echo(f"{job.state.value}: {job.message or ''}".strip())
    if path:
        click.echo(str(path))
    return job
