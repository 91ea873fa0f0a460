"""Attendance for funders and audits: one .xlsx with every mark, then the totals per session.

Times are Excel dates (Vietnam time, shown dd/mm/yyyy hh:mm), the header row is frozen and
the columns are sized to what they hold. Namesakes are told apart by the village and the
phone (masked: the file leaves the product).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from datetime import datetime

from flask_babel import gettext as _

from lms.attendance.models import MARK_LABELS, ClassSession
from lms.attendance.services import roster, status_totals
from lms.core.models import PROGRAMME_TIMEZONE
from lms.core.spreadsheets import looks_like_formula
from lms.core.text import mask_phone

DATE_FORMAT = "dd/mm/yyyy hh:mm"
#: column widths in characters, by header position (the marks' sheet)
WIDTHS = (32, 24, 24, 18, 17, 17, 7, 22, 24, 26, 14, 13, 14, 12)


def attendance_xlsx(sessions: Sequence[ClassSession]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Attendance")[:31]
    for number, (row, is_header) in enumerate(_rows(sessions), start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column, value=value)
            if isinstance(value, datetime):
                cell.number_format = DATE_FORMAT
            elif looks_like_formula(value):
                cell.data_type = "s"
                cell.quotePrefix = True
            if is_header:
                cell.font = Font(bold=True)
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _local(moment: datetime) -> datetime:
    """Excel has no time zones: the time as read on a clock in Vietnam."""
    return moment.astimezone(PROGRAMME_TIMEZONE).replace(tzinfo=None)


def _rows(sessions: Sequence[ClassSession]) -> Iterator[tuple[list, bool]]:
    """Each row, and whether it is a header."""
    yield (
        [
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
            _("Phone number"),
            _("Status"),
            _("Self check-in"),
        ],
        True,
    )
    for session in sessions:
        common = [
            session.title,
            session.description,
            session.place,
            session.area.name,
            _local(session.starts_at),
            _local(session.ends_at),
            session.hours,
            session.trainer.full_name,
            session.organisation.name,
        ]
        for mark in roster(session):
            status = str(MARK_LABELS[mark.status]) if mark.status else _("Not marked")
            yield (
                [
                    *common,
                    mark.household.head_name,
                    mark.household.village,
                    mask_phone(mark.household.phone),
                    status,
                    _("Yes") if mark.is_self_checkin else "",
                ],
                False,
            )
    yield [], False
    labels = [str(MARK_LABELS[status]) for status in MARK_LABELS]
    yield [_("Session"), _("Starts"), _("Hours"), _("Enrolled"), *labels, _("Not marked")], True
    for session in sessions:
        totals = status_totals(session)
        yield (
            [
                session.title,
                _local(session.starts_at),
                session.hours,
                len(session.marks),
                *(totals[status.value] for status in MARK_LABELS),
                totals["unmarked"],
            ],
            False,
        )
