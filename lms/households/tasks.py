"""Household-list import jobs, run by the Celery worker: the analysis of a large upload and
its commit, thin wrappers around the services the screens call for a small one."""

from __future__ import annotations

from celery import shared_task
from flask_babel import gettext as _
from sqlalchemy import select

from lms.core.scope import visible_imports
from lms.extensions import db
from lms.households import importing
from lms.households.models import HouseholdImport
from lms.jobs.services import JobContext, run_job


def _record(context: JobContext) -> HouseholdImport | None:
    statement = select(HouseholdImport).where(HouseholdImport.id == context.params["import_id"])
    if context.user is not None:
        statement = statement.where(visible_imports(context.user))
    return db.session.scalar(statement)


def _analyse(context: JobContext) -> str:
    record = _record(context)
    if record is None:  # refused and forgotten by an earlier run
        return _("The file was refused.")
    analysis = importing.analyse_import(context.user, record, context.progress)
    return _summary(analysis.counts)


def _summary(counts: dict) -> str:
    return _(
        "%(new)d new households, %(update)d updates, %(conflict)d to review, %(error)d errors.",
        new=counts.get("new", 0),
        update=counts.get("update", 0),
        conflict=counts.get("conflict", 0),
        error=counts.get("error", 0),
    )


def _commit(context: JobContext) -> str:
    """The import written once: its row is claimed in the transaction that writes it; a job
    run again after that transaction committed (its worker killed before it said so) finds
    it committed and only says what was written."""
    record = _record(context)
    if record is None:
        return _("This import has already been committed.")
    if record.is_committed:
        counts = record.summary or {}
    else:
        counts = importing.commit_import(context.user, record, context.progress).counts
    return _(
        "Imported: %(new)d new households, %(update)d updated.",
        new=counts.get("new", 0),
        update=counts.get("update", 0),
    )


@shared_task(name="households.import_analyse", acks_late=True, reject_on_worker_lost=True)
def analyse(job_id: int) -> str:
    return run_job(job_id, _analyse)


@shared_task(name="households.import_commit", acks_late=True, reject_on_worker_lost=True)
def commit(job_id: int) -> str:
    return run_job(job_id, _commit)
