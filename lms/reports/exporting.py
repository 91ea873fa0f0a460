"""Officials' tables and lists as files to take to a meeting: .xlsx with the filters and the
date in a first row, .csv in UTF-8 with a BOM (both written by ``lms.core.spreadsheets``).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.core.i18n import format_day
from lms.core.models import today
from lms.core.text import mask_national_id
from lms.extensions import db
from lms.households.models import Household
from lms.organisations.models import Organisation
from lms.products.models import Marketplace
from lms.reports import targets
from lms.reports.targets import Dashboard, Share, TargetFilter


def describe(filters: TargetFilter, area_name: str) -> str:
    """The filters and the date, in words, for the first row of an export."""
    from lms.areas.models import Area
    from lms.households.models import ProductGroup, ScaleClass

    parts = [area_name]
    for value, model, label in (
        (filters.area_id, Area, _("Commune")),
        (filters.scale_class_id, ScaleClass, _("Scale class")),
        (filters.product_group_id, ProductGroup, _("Product group")),
        (filters.marketplace_id, Marketplace, _("Marketplace")),
        (filters.organisation_id, Organisation, _("Trained by")),
    ):
        record = db.session.get(model, value) if value else None
        if record is not None and not (model is Area and record.name == area_name):
            parts.append(f"{label}: {record.name}")
    parts.append(_("Exported on %(day)s", day=format_day(today())))
    return " — ".join(parts)


def _percent(share: Share) -> float | str:
    return round(share.percent, 1) if share.percent is not None else ""


def dashboard_rows(board: Dashboard) -> Iterator[list]:
    """The header, one row per commune, then the total: every target as count, total, %."""
    header = [_("Commune"), _("Commune code"), _("Households")]
    for figure in targets.FIGURES:
        header += [str(figure.label), _("of"), "%"]
    header += [_("OCOP 3★+ products listed"), _("of"), "%", _("Listed but not trained")]
    yield header
    for row in [*board.rows, board.total]:
        area = row.area
        line: list = [area.name if area else _("Total"), area.code if area else "", row.households]
        for figure in targets.FIGURES:
            share = row.shares.get(figure.code, Share())
            line += [share.part, share.whole, _percent(share)]
        line += [row.ocop.part, row.ocop.whole, _percent(row.ocop), row.listed_not_trained]
        yield line


def household_rows(user: User, filters: TargetFilter, code: str) -> Iterator[list]:
    """The households of a list, with what a follow-up call needs: phone, commune, village,
    last class attended, quiz attempts and passes."""
    yield [
        _("No."),
        _("Head of household"),
        _("Phone number"),
        "CCCD",
        _("Commune"),
        _("Village"),
        _("Last class attended"),
        _("Quiz attempts"),
        _("Quizzes passed"),
    ]
    clause = targets.household_lists()[code].clause(filters)
    statement = targets.households_query(user, filters, clause).options(
        selectinload(Household.area)
    )
    households = db.session.scalars(statement.execution_options(yield_per=1000))
    number = 0
    while chunk := list(islice(households, 1000)):
        status = targets.training_status([h.id for h in chunk])
        for household in chunk:
            number += 1
            training = status[household.id]
            yield [
                number,
                household.head_name,
                household.phone or "",
                mask_national_id(household.national_id) or "",
                household.area.name,
                household.village,
                format_day(training.last_class_on),
                training.attempts,
                training.passed,
            ]


def ineligible_rows(user: User, filters: TargetFilter) -> Iterator[list]:
    yield [
        _("Head of household"),
        _("Phone number"),
        _("Commune"),
        _("Product"),
        _("OCOP stars"),
        _("Certification expired on"),
        _("Marketplace"),
        _("Listed on"),
    ]
    for listing in db.session.scalars(targets.ineligible_listings_query(user, filters)):
        product = listing.product
        expired = [c.expires_on for c in product.certifications if c.expires_on]
        yield [
            product.household.head_name,
            product.household.phone or "",
            product.household.area.name,
            product.name,
            product.ocop_stars,
            format_day(max(expired)) if expired else "",
            listing.marketplace.name,
            format_day(listing.listed_on),
        ]
