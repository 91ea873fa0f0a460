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


def describe_filters(filters: HouseholdFilter, area_name: str) -> list[str]:
    """The area and the filters of a list, in words, for an export's first row."""
    from lms.areas.models import Area
    from lms.households.models import ProductGroup, ScaleClass

    parts = [area_name]
    for value, model, label in (
        (filters.area_id, Area, _("Commune")),
        (filters.scale_class_id, ScaleClass, _("Scale class")),
        (filters.product_group_id, ProductGroup, _("Product group")),
    ):
        record = db.session.get(model, value) if value else None
        if record is not None and not (model is Area and record.name == area_name):
            parts.append(f"{label}: {record.name}")
    if filters.q:
        parts.append(f"{_('Search')}: {filters.q}")
    if filters.quality:
        parts.append(_("Standardised") if filters.quality == "ok" else _("Not standardised"))
    if filters.informed:
        parts.append(_("Informed") if filters.informed == "yes" else _("Not yet informed"))
    return parts


def export_caption(user: User, filters: HouseholdFilter) -> str:
    """The household export's first row: what it lists, where, under which filters, when."""
    from lms.core.models import today

    area = user.area.name if user.area else _("All areas")
    parts = [_("Households"), *describe_filters(filters, area)]
    parts.append(_("Exported on %(day)s", day=format_day(today())))
    return " — ".join(parts)


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
            latest.informed_on if latest else None,
            str(CHANNEL_LABELS[latest.channel]) if latest else "",
            _("Yes") if not problems else _("No"),
            "; ".join(str(problem.message) for problem in problems),
        ]
