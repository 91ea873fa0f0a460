"""Certificate jobs, run by the Celery worker: thin wrappers around the services."""

from __future__ import annotations

from celery import shared_task
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.certificates import services
from lms.jobs.services import JobContext, run_job


def _links_of(context: JobContext):
    """Certificate QR links are built in a request: on PUBLIC_BASE_URL when set, else on the
    host of the request which started the job (as when the bundle was made in the request)."""
    base = (
        current_app.config.get("PUBLIC_BASE_URL")
        or context.params.get("base_url")
        or "http://localhost/"
    )
    return current_app.test_request_context("/", base_url=base)


def _bundle(context: JobContext) -> str:
    with _links_of(context):
        bundle = services.write_bundle(
            context.user,
            context.params.get("area_id"),
            context.params["kind"],
            context.output,
            context.progress,
        )
    message = ngettext("%(num)d certificate.", "%(num)d certificates.", bundle.count)
    if bundle.skipped:
        message += " " + str(services.unprintable_message(bundle.skipped))
    return message


@shared_task(name="certificates.bundle", acks_late=True, reject_on_worker_lost=True)
def bundle(job_id: int) -> str:
    return run_job(job_id, _bundle)


def _render(context: JobContext) -> str:
    with _links_of(context):
        report = services.render_all_missing(context.user, context.progress)
    message = _("%(n)d certificate PDFs rendered.", n=report.rendered)
    if report.skipped:
        message += " " + str(services.unprintable_message(report.skipped))
    return message


@shared_task(name="certificates.render", acks_late=True, reject_on_worker_lost=True)
def render(job_id: int) -> str:
    return run_job(job_id, _render)
