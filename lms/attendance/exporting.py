"""Attendance for funders and audits: one .xlsx with every mark, then the totals per session."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from flask_babel import gettext as _

from lms.attendance.models import MARK_LABELS, ClassSession
from lms.attendance.services import roster, status_totals
from lms.core.i18n import format_datetime_vn
from lms.core.spreadsheets import write_xlsx


def attendance_xlsx(sessions: Sequence[ClassSession]) -> bytes:
    return write_xlsx(_rows(sessions), _("Attendance"))


def _rows(sessions: Sequence[ClassSession]) -> Iterator[list]:
    yield [
        _("Session"),
        _("Description"),
        _("Place"),
        _("Commune"),
        _("Starts"),
        _("Ends"),
        _("Hours"),
        _("Trainer"),
        _("Organisation"),
        _("Head of household"),
        _("Village"),
        _("Status"),
        _("Self check-in"),
    ]
    for session in sessions:
        common = [
            session.title,
            session.description,
            session.place,
            session.area.name,
            format_datetime_vn(session.starts_at),
            format_datetime_vn(session.ends_at),
            session.hours,
            session.trainer.full_name,
            session.organisation.name,
        ]
        for mark in roster(session):
            status = str(MARK_LABELS[mark.status]) if mark.status else _("Not marked")
            yield [
                *common,
                mark.household.head_name,
                mark.household.village,
                status,
                _("Yes") if mark.is_self_checkin else "",
            ]
    yield []
    labels = [str(MARK_LABELS[status]) for status in MARK_LABELS]
    yield [_("Session"), _("Starts"), _("Hours"), _("Enrolled"), *labels, _("Not marked")]
    for session in sessions:
        totals = status_totals(session)
        yield [
            session.title,
            format_datetime_vn(session.starts_at),
            session.hours,
            len(session.marks),
            *(totals[status.value] for status in MARK_LABELS),
            totals["unmarked"],
        ]
