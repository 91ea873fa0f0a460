"""Report jobs, run by the Celery worker: thin wrappers around the services the screens call."""

from __future__ import annotations

from celery import shared_task
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from lms.core.spreadsheets import export_filename
from lms.jobs.services import JobContext, run_job


def _report(context: JobContext) -> str:
    from lms.reports.views import REPORT_FILE, report_body  # the query string is parsed there

    kind = context.params["kind"]
    context.progress(done=0, total=1)
    body = report_body(context.user, MultiDict(context.params["args"]), kind)
    context.output(export_filename(REPORT_FILE, kind)).write_bytes(body)
    context.progress(done=1)
    return _("The report is ready.")


@shared_task(name="reports.report", acks_late=True, reject_on_worker_lost=True)
def report(job_id: int) -> str:
    return run_job(job_id, _report)
