"""Exports of the household list in scope: .xlsx, and .csv in UTF-8 with a BOM for Excel.

The columns carry the import's header names, so an exported file can be corrected and
imported again. National IDs are masked unless the user is an admin. The files are written
by ``lms.core.spreadsheets``.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.core.i18n import format_day
from lms.core.permissions import can_export_national_ids
from lms.core.text import mask_national_id
from lms.extensions import db
from lms.households.models import CHANNEL_LABELS, Household
from lms.households.services import HouseholdFilter, household_problems, households_query


def export_rows(user: User, filters: HouseholdFilter) -> Iterator[list]:
    """The header, then one row per household in the user's scope that passes the filters."""
    yield [
        _("No."),
        _("Full name"),
        _("Phone number"),
        "CCCD",
        _("Commune"),
        _("Commune code"),
        _("Village"),
        _("Address"),
        _("Scale class"),
        _("Product group"),
        _("Informed on"),
        _("Outreach channel"),
        _("Standardised"),
        _("Problems"),
    ]
    show_national_id = can_export_national_ids(user)
    statement = households_query(user, filters).options(
        selectinload(Household.area),
        selectinload(Household.scale_class),
        selectinload(Household.product_group),
        selectinload(Household.outreach),
    )
    result = db.session.scalars(statement.execution_options(yield_per=1000))
    for number, household in enumerate(result, start=1):
        problems = household_problems(household)
        latest = household.outreach[0] if household.outreach else None
        yield [
            number,
            household.head_name,
            household.phone or "",
            (household.national_id if show_national_id else mask_national_id(household.national_id))
            or "",
            household.area.name,
            household.area.code,
            household.village,
            household.address,
            household.scale_class.name if household.scale_class else "",
            household.product_group.name if household.product_group else "",
            format_day(latest.informed_on) if latest else "",
            str(CHANNEL_LABELS[latest.channel]) if latest else "",
            _("Yes") if not problems else _("No"),
            "; ".join(str(problem.message) for problem in problems),
        ]
