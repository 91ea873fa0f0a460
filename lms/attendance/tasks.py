"""Attendance jobs, run by the Celery worker: a roster's login cards."""

from __future__ import annotations

from celery import shared_task
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.attendance.models import ClassSession
from lms.core.errors import RuleViolation
from lms.core.scope import get_or_404, visible_households
from lms.extensions import db
from lms.households.models import Household
from lms.jobs.services import JobContext, run_job


def _cards(context: JobContext) -> str:
    """The cards of the households chosen on the session's page, for the trainer who asked.

    A job run again (its worker killed) prints new PINs again: the cards of the first run
    were never delivered (their file is written only at the end), and the newer card is the
    one that works, so nothing printed is left valid and unseen."""
    from lms.attendance.views import cards_file, cards_file_name  # the layout is the page's

    params = context.params
    base = (
        current_app.config.get("PUBLIC_BASE_URL") or params.get("base_url") or "http://localhost/"
    )
    with current_app.test_request_context("/", base_url=base):
        session = get_or_404(ClassSession, params["session_id"], context.user)
        wanted = set(params["household_ids"])
        on_roster = {mark.household_id for mark in session.marks} & wanted
        found = {
            h.id: h
            for h in db.session.scalars(
                select(Household).where(
                    Household.id.in_(on_roster), visible_households(context.user)
                )
            )
        }
        households = [found[i] for i in params["household_ids"] if i in found]  # as ticked
        if not households:
            raise RuleViolation(_("Tick at least one household to print its card."))
        body = cards_file(context.user, session, households, context.progress)
    context.output(cards_file_name(session)).write_bytes(body)
    context.keep_days = 1  # the file shows PINs: kept one day, not the usual week
    return _("Login cards of %(n)d households.", n=len(households))


@shared_task(name="attendance.cards", acks_late=True, reject_on_worker_lost=True)
def cards(job_id: int) -> str:
    return run_job(job_id, _cards)
