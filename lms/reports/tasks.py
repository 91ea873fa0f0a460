"""Report jobs, run by the Celery worker: thin wrappers around the services the screens call."""

from __future__ import annotations

from celery import shared_task
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from lms.core.errors import RuleViolation
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


def _reconcile(context: JobContext) -> str:
    from lms.reports import reconciliation

    record = reconciliation.find(context.user, context.params["token"])
    if record is None:  # refused and forgotten by an earlier run
        return _("The file was refused.")
    result = reconciliation.match_and_keep(context.user, record)
    return _(
        "%(sure)d sure matches, %(doubtful)d to confirm, %(unmatched)d not matched.",
        sure=len(result.sure),
        doubtful=len(result.to_confirm),
        unmatched=len(result.unmatched),
    )


@shared_task(name="reports.reconcile", acks_late=True, reject_on_worker_lost=True)
def reconcile(job_id: int) -> str:
    return run_job(job_id, _reconcile)


def _reconcile_commit(context: JobContext) -> str:
    """Matched again (fresh) and recorded once: the list is claimed in the transaction that
    records it; run again after that committed, the job only says what was recorded."""
    from lms.reports import reconciliation

    record = reconciliation.find(context.user, context.params["token"])
    if record is None:
        raise RuleViolation(_("The file was refused."))
    if record.is_committed:
        summary = record.summary or {}
    else:
        result = reconciliation.load(context.user, record.token, fresh=True)
        summary = reconciliation.commit(context.user, result)
    return _(
        "Recorded: %(listings)d listings of %(households)d households.",
        listings=summary.get("listings", 0),
        households=summary.get("households", 0),
    )


@shared_task(name="reports.reconcile_commit", acks_late=True, reject_on_worker_lost=True)
def reconcile_commit(job_id: int) -> str:
    return run_job(job_id, _reconcile_commit)
