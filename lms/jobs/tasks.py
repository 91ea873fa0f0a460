"""The jobs domain's own periodic task: removing expired result files."""

from __future__ import annotations

from celery import shared_task

from lms.jobs import services


@shared_task(name="jobs.purge")
def purge() -> int:
    return services.purge_expired()


@shared_task(name="jobs.requeue_stale")
def requeue_stale() -> int:
    return len(services.requeue_stale())
