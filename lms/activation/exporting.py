"""Exports of the activation queue in scope: .xlsx, and .csv in UTF-8 with a BOM for Excel
(both written by ``lms.core.spreadsheets``)."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _

from lms.activation.models import STATUS_LABELS
from lms.activation.services import RequestFilter, requests_query
from lms.auth.models import User
from lms.extensions import db


def export_rows(user: User, filters: RequestFilter) -> Iterator[list]:
    """The queue as a table: header, then one row per request (phones shown: the postal staff
    call the household to open its shop)."""

    yield [
        _("No."),
        _("Head of household"),
        _("Phone number"),
        _("Commune"),
        _("Marketplace or payment provider"),
        _("Status"),
        _("Asked on"),
        _("Decided on"),
        _("Reason"),
        _("Account id"),
        _("Account address"),
        _("To review"),
    ]
    result = db.session.scalars(requests_query(user, filters).execution_options(yield_per=1000))
    for number, request in enumerate(result, start=1):
        yield [
            number,
            request.household.head_name,
            request.household.phone or "",
            request.household.area.name,
            request.marketplace.name,
            str(STATUS_LABELS[request.status]),
            request.requested_at,
            request.decided_at,
            request.refusal_reason or "",
            request.account_id,
            request.account_url,
            _("Yes") if request.needs_review else "",
        ]
