"""Officials' tables and lists as files to take to a meeting: .xlsx with the filters and the
date in a first row, .csv in UTF-8 with a BOM (both written, streaming, by
``lms.core.spreadsheets``); and what the "listed but not trained" list shows beside each
household to make the call: where it sells, since when, and the last class in its commune.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import selectinload

from lms.activation.models import ActivationRequest, ActivationStatus
from lms.areas.models import Area
from lms.attendance.models import ClassSession
from lms.auth.models import User
from lms.core.i18n import format_day
from lms.core.models import today, utcnow
from lms.core.spreadsheets import Percent
from lms.core.text import mask_national_id
from lms.extensions import db
from lms.households.exporting import describe_filters
from lms.households.models import Household
from lms.organisations.models import Organisation
from lms.products.models import Listing, Marketplace, PartnerKind, Product
from lms.reports import targets
from lms.reports.targets import Dashboard, Share, TargetFilter

#: the short Vietnamese names export files take (folded to ASCII), by list
FILE_NAMES = {
    targets.LISTED_NOT_TRAINED: _l("Listed not trained"),
}


def list_file_name(code: str, title: str) -> str:
    """What a list's export file is called, before ``export_filename`` folds it."""
    return str(FILE_NAMES.get(code, title))


def describe(filters: TargetFilter, area_name: str) -> str:
    """The filters and the date, in words, for the first row of an export."""
    parts = describe_filters(filters, area_name)
    for value, model, label in (
        (filters.marketplace_id, Marketplace, _("Marketplace")),
        (filters.organisation_id, Organisation, _("Trained by")),
    ):
        record = db.session.get(model, value) if value else None
        if record is not None:
            parts.append(f"{label}: {record.name}")
    parts.append(_("Exported on %(day)s", day=format_day(today())))
    return " — ".join(parts)


def _percent(share: Share) -> Percent | str:
    return Percent(share.percent) if share.percent is not None else ""


def dashboard_rows(board: Dashboard) -> Iterator[list]:
    """The header, one row per commune, then the total: every target as count, total, %."""
    header = [
        _("Commune"),
        _("Commune code"),
        _("Household list"),
        _("Households"),
        _("Agricultural households (plan)"),
        "%",
    ]
    for figure in targets.FIGURES:
        header += [str(figure.label), _("of"), "%"]
    header += [_("OCOP 3★+ products listed"), _("of"), "%", _("Listed but not trained")]
    yield header
    for row in [*board.rows, board.total]:
        area = row.area
        # a commune that sent no list says so, as on the screen, rather than reading as zeros
        status = "" if row.has_list or area is None else _("No list sent yet")
        line: list = [
            area.name if area else _("Total"),
            area.code if area else "",
            status,
            row.households,
            row.target_households if row.target_households is not None else "",
            _percent(row.coverage),
        ]
        for figure in targets.FIGURES:
            share = row.shares.get(figure.code, Share())
            line += [share.part, share.whole, _percent(share)]
        line += [row.ocop.part, row.ocop.whole, _percent(row.ocop), row.listed_not_trained]
        yield line


def household_rows(user: User, filters: TargetFilter, code: str) -> Iterator[list]:
    """The households of a list, with what a follow-up call needs: phone, commune, village,
    last class attended, quiz attempts and passes; for "listed but not trained", where and
    since when it sells and the last class offered in its commune."""
    selling = code == targets.LISTED_NOT_TRAINED
    header = [
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
    if selling:
        header += [
            _("Marketplace"),
            _("Product"),
            _("Listed since"),
            _("Last class offered in the commune"),
            _("Class date"),
        ]
    yield header
    clause = targets.household_lists()[code].clause(filters)
    statement = targets.households_query(user, filters, clause).options(
        selectinload(Household.area)
    )
    households = db.session.scalars(statement.execution_options(yield_per=1000))
    number = 0
    while chunk := list(islice(households, 1000)):
        status = targets.training_status([h.id for h in chunk])
        details = selling_details([h.id for h in chunk]) if selling else {}
        classes = last_classes(chunk) if selling else {}
        for household in chunk:
            number += 1
            training = status[household.id]
            row = [
                number,
                household.head_name,
                household.phone or "",
                mask_national_id(household.national_id) or "",
                household.area.name,
                household.village,
                training.last_class_on,
                training.attempts,
                training.passed,
            ]
            if selling:
                items = details.get(household.id, [])
                offered = classes.get(household.id)
                row += [
                    "; ".join(dict.fromkeys(item.marketplace for item in items)),
                    "; ".join(item.product for item in items if item.product),
                    min((item.since for item in items if item.since), default=None),
                    offered.title if offered else "",
                    offered.day if offered else None,
                ]
            yield row


@dataclass(frozen=True)
class Selling:
    """One place a household sells: a product listed, or a shop activated (no product)."""

    marketplace: str
    product: str
    since: date | None


def selling_details(household_ids: list[int]) -> dict[int, list[Selling]]:
    """Where each household sells now: its products listed on a marketplace (since when),
    and its activated shops that list nothing yet; oldest first."""
    found: dict[int, list[Selling]] = defaultdict(list)
    if not household_ids:
        return found
    listed = db.session.execute(
        select(Product.household_id, Marketplace.name, Product.name, Listing.listed_on)
        .join(Listing, Listing.product_id == Product.id)
        .join(Marketplace, Marketplace.id == Listing.marketplace_id)
        .where(
            Product.household_id.in_(household_ids),
            Listing.delisted_on.is_(None),
            Marketplace.kind == PartnerKind.MARKETPLACE,
        )
        .order_by(Listing.listed_on, Listing.id)
    )
    for household_id, market, product, since in listed:
        found[household_id].append(Selling(market, product, since))
    shops = db.session.execute(
        select(
            ActivationRequest.household_id,
            Marketplace.name,
            func.coalesce(ActivationRequest.activated_at, ActivationRequest.decided_at),
        )
        .join(Marketplace, Marketplace.id == ActivationRequest.marketplace_id)
        .where(
            ActivationRequest.household_id.in_(household_ids),
            ActivationRequest.status == ActivationStatus.ACTIVATED,
            Marketplace.kind == PartnerKind.MARKETPLACE,
        )
    )
    for household_id, market, activated in shops:
        if not any(item.marketplace == market for item in found[household_id]):
            found[household_id].append(Selling(market, "", activated.date() if activated else None))
    return found


@dataclass(frozen=True)
class OfferedClass:
    title: str
    day: date


def last_classes(households: list[Household]) -> dict[int, OfferedClass]:
    """For each household, the last class session held (not cancelled) in its commune:
    the one its area is, or was merged into by the 2025 reform, or a legacy commune of it."""
    if not households:
        return {}
    area_ids = {h.area_id for h in households}
    commune_of = dict(
        db.session.execute(
            select(Area.id, func.coalesce(Area.merged_into_id, Area.id)).where(
                (Area.id.in_(area_ids)) | (Area.merged_into_id.in_(area_ids))
            )
        ).all()
    )
    communes = {commune_of.get(area_id, area_id) for area_id in area_ids}
    family = [area_id for area_id, commune in commune_of.items() if commune in communes]
    family += list(communes)
    latest = db.session.execute(
        select(ClassSession.area_id, func.max(ClassSession.starts_at))
        .where(
            ClassSession.area_id.in_(set(family)),
            ClassSession.cancelled_at.is_(None),
            ClassSession.starts_at <= utcnow(),
        )
        .group_by(ClassSession.area_id)
    ).all()
    by_commune: dict[int, OfferedClass] = {}
    if latest:
        sessions = db.session.execute(
            select(ClassSession.area_id, ClassSession.starts_at, ClassSession.title).where(
                tuple_(ClassSession.area_id, ClassSession.starts_at).in_(
                    [tuple(row) for row in latest]
                ),
                ClassSession.cancelled_at.is_(None),
            )
        )
        for area_id, starts_at, title in sessions:
            commune = commune_of.get(area_id, area_id)
            offered = OfferedClass(title, _local_day(starts_at))
            if commune not in by_commune or by_commune[commune].day < offered.day:
                by_commune[commune] = offered
    return {
        h.id: by_commune[commune_of.get(h.area_id, h.area_id)]
        for h in households
        if commune_of.get(h.area_id, h.area_id) in by_commune
    }


def _local_day(moment) -> date:
    """The programme's calendar day of a UTC timestamp."""
    from lms.core.models import PROGRAMME_TIMEZONE

    return moment.astimezone(PROGRAMME_TIMEZONE).date()


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
            max(expired) if expired else None,
            listing.marketplace.name,
            listing.listed_on,
        ]
