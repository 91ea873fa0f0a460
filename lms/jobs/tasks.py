"""The jobs domain's own tasks: large exports, and the periodic ones (removing expired result
files, sending again the jobs of a worker that died)."""

from __future__ import annotations

from celery import shared_task

from lms.jobs import exports, services


@shared_task(name="jobs.purge")
def purge() -> int:
    return services.purge_expired()


@shared_task(name="jobs.requeue_stale")
def requeue_stale() -> int:
    return len(services.requeue_stale())


@shared_task(name="jobs.export", acks_late=True, reject_on_worker_lost=True)
def export(job_id: int) -> str:
    return services.run_job(job_id, exports.write_export)
