"""The household registry: records in scope, search, data quality, classification, outreach.

Imports are read in ``reading.py`` and committed in ``importing.py``; exports live in
``exporting.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, and_, exists, func, not_, or_, select
from sqlalchemy.orm import selectinload

from lms.areas.models import Area, AreaLevel
from lms.auth.models import User
from lms.core.audit import record_event, snapshot
from lms.core.database import paginate, refresh_derived, vietnamese
from lms.core.errors import RuleViolation, flush_unique, rollback_on_violation
from lms.core.models import today
from lms.core.permissions import check_can_edit_household
from lms.core.scope import subtree_ids, visible_areas, visible_households
from lms.core.text import (
    clean,
    fold,
    normalize_national_id,
    normalize_phone,
    refused_name_characters,
)
from lms.extensions import db
from lms.households import defaults
from lms.households.models import (
    Household,
    OutreachChannel,
    OutreachEvent,
    ProductGroup,
    ScaleClass,
)

HOUSEHOLD_TAKEN = _l("Another household already has this phone number or national ID (CCCD).")

AUDITED_FIELDS = (
    "head_name",
    "phone",
    "national_id",
    "village",
    "address",
    "area_id",
    "scale_class_id",
    "product_group_id",
)


# ---------------------------------------------------------------- data quality


@dataclass(frozen=True)
class QualityCheck:
    """One data-quality rule, stated twice: in SQL for counts, in Python for one record."""

    code: str
    message: LazyString
    #: true in SQL when a household has the problem
    sql: Callable[[], ColumnElement[bool]]
    #: true in Python when a household has the problem
    test: Callable[[Household], bool]


def _areas_where(*conditions) -> Select:
    return select(Area.id).where(*conditions)


QUALITY_CHECKS: tuple[QualityCheck, ...] = (
    QualityCheck(
        "phone_missing",
        _l("No phone number"),
        lambda: Household.phone.is_(None),
        lambda h: not h.phone,
    ),
    QualityCheck(
        "national_id_invalid",
        _l("The national ID (CCCD) is not 12 digits"),
        lambda: Household.national_id.is_not(None) & (func.length(Household.national_id) != 12),
        lambda h: h.national_id is not None and normalize_national_id(h.national_id) is None,
    ),
    QualityCheck(
        "commune_missing",
        _l("The commune is not set"),
        lambda: Household.area_id.in_(_areas_where(Area.level != AreaLevel.COMMUNE)),
        lambda h: h.area.level is not AreaLevel.COMMUNE,
    ),
    QualityCheck(
        "commune_merged",
        _l("The commune was merged into another: move the household to the new commune"),
        lambda: Household.area_id.in_(_areas_where(Area.merged_into_id.is_not(None))),
        lambda h: h.area.merged_into_id is not None,
    ),
    QualityCheck(
        "scale_class_missing",
        _l("No scale class"),
        lambda: Household.scale_class_id.is_(None),
        lambda h: h.scale_class_id is None,
    ),
    QualityCheck(
        "product_group_missing",
        _l("No product group"),
        lambda: Household.product_group_id.is_(None),
        lambda h: h.product_group_id is None,
    ),
)


def household_problems(household: Household) -> list[QualityCheck]:
    """The household's open data-quality problems; none means "standardised"."""
    return [check for check in QUALITY_CHECKS if check.test(household)]


def is_standardised() -> ColumnElement[bool]:
    """SQL: the household passes every data-quality check."""
    return and_(*(not_(check.sql()) for check in QUALITY_CHECKS))


# ---------------------------------------------------------------- listing and search


@dataclass(frozen=True)
class HouseholdFilter:
    """What a list of households can be narrowed by; every list and export uses it."""

    q: str = ""
    area_id: int | None = None
    scale_class_id: int | None = None
    product_group_id: int | None = None
    #: "ok" = standardised, "problems" = not yet
    quality: str = ""
    #: "yes" = informed about the programme, "no" = not yet
    informed: str = ""

    def apply(self, statement: Select) -> Select:
        if self.q:
            statement = statement.where(search_clause(self.q))
        if self.area_id:
            area = db.session.get(Area, self.area_id)
            statement = statement.where(Household.area_id.in_(subtree_ids(area)))
        if self.scale_class_id:
            statement = statement.where(Household.scale_class_id == self.scale_class_id)
        if self.product_group_id:
            statement = statement.where(Household.product_group_id == self.product_group_id)
        if self.quality == "ok":
            statement = statement.where(is_standardised())
        elif self.quality == "problems":
            statement = statement.where(not_(is_standardised()))
        if self.informed == "yes":
            statement = statement.where(Household.is_informed)
        elif self.informed == "no":
            statement = statement.where(not_(Household.is_informed))
        return statement


def search_clause(query: str) -> ColumnElement[bool]:
    """Diacritic- and case-insensitive search over the name, the phone and the CCCD's last digits.

    "nguyen thi huong" finds "Nguyễn Thị Hương"; "0912 345 678" and "+84912345678" find its
    phone; "1234" finds the CCCD ending in 1234.
    """
    conditions = []
    words = re.sub(r"[\d+().\-]", " ", query)
    if fold(words):
        conditions.append(Household.name_key.contains(fold(words), autoescape=True))
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 3:
        phone = normalize_phone(digits) or digits
        conditions.append(
            or_(
                Household.phone.contains(phone, autoescape=True),
                Household.national_id.endswith(digits, autoescape=True),
            )
        )
    return and_(*conditions) if conditions else Household.id.is_(None)


def informed_by_records() -> ColumnElement[bool]:
    """SQL: the household was informed about the programme: someone recorded it, or it
    attended a class session (present or late), which informs it too.

    The rule ``Household.is_informed`` keeps: officials count it for half a million
    households at once, which the column answers from an index and this rule cannot."""
    from lms.attendance.models import AttendanceMark, MarkStatus  # attendance builds on us

    attended = exists().where(
        AttendanceMark.household_id == Household.id,
        AttendanceMark.status.in_([MarkStatus.PRESENT, MarkStatus.LATE]),
    )
    return or_(exists().where(OutreachEvent.household_id == Household.id), attended)


def refresh_informed(household_ids: Iterable[int]) -> None:
    """Set ``Household.is_informed`` from the records (``informed_by_records``) for the
    households given. Every writer of outreach or attendance marks calls it in the same
    transaction."""
    refresh_derived(Household, household_ids, is_informed=informed_by_records())


def households_query(user: User, filters: HouseholdFilter) -> Select:
    """Households in scope, filtered, in Vietnamese alphabetical order."""
    statement = select(Household).where(visible_households(user))
    return filters.apply(statement).order_by(vietnamese(Household.head_name), Household.id)


def list_households(user: User, filters: HouseholdFilter, page: int) -> Pagination:
    return paginate(households_query(user, filters).options(selectinload(Household.area)), page)


def classification_key(text: str | None) -> str:
    """A class's name as files write it, reduced for matching: no diacritics, case or
    punctuation ("Gạo – lúa" and "gao/lua" give "gao lua")."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


def _without_prefix(key: str) -> str:
    for prefix in defaults.PREFIXES:
        if key.startswith(prefix + " "):
            return key.removeprefix(prefix + " ")
    return key


def _alias_codes() -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for code, aliases in defaults.ALIASES.items():
        for alias in aliases:
            codes.setdefault(classification_key(alias), []).append(code)
    return codes


#: alias key -> the codes of the classes it may mean (one per kind of class at most)
ALIAS_CODES = _alias_codes()


def find_classification(index: dict[str, int], text: str) -> int | None:
    """The class a cell names, or None; ``index`` gives the active classes of one kind by
    their folded code and name.

    Tried in turn: the code or name as written; the same without punctuation or a leading
    "Hộ", "Quy mô", "Nhóm"… ("quy mô nhỏ" finds "Hộ nhỏ"); then the usual wordings of
    ``defaults.ALIASES`` ("HTX", "trà", "Che xanh"), which find a class by its code.
    """
    found = index.get(fold(text))
    if found is not None:
        return found
    keys = {classification_key(key): record_id for key, record_id in index.items()}
    key = classification_key(text)
    short = {_without_prefix(name): record_id for name, record_id in keys.items()}
    for candidate in (key, _without_prefix(key)):
        for table in (keys, short):
            if candidate in table:
                return table[candidate]
        for code in ALIAS_CODES.get(candidate, ()):
            if fold(code) in index:
                return index[fold(code)]
    return None


def active_classes(model: type[ScaleClass] | type[ProductGroup]) -> Sequence:
    statement = (
        select(model).where(model.is_active).order_by(model.position, vietnamese(model.name))
    )
    return db.session.scalars(statement).all()


# ---------------------------------------------------------------- create and edit


@rollback_on_violation
def create_household(actor: User, **fields: Any) -> Household:
    """Register a household in a commune of the actor's scope.

    Rules: a head of household's name, in letters (``name_problem``); a valid phone if any,
    used by no other household; a 12-digit CCCD if any, used by no other household; a
    current commune in scope.
    """
    household = Household(registered_by_id=actor.id if actor else None)
    _apply(actor, household, fields)
    db.session.add(household)
    flush_unique(HOUSEHOLD_TAKEN)
    record_event(actor, "household.create", household, after=snapshot(household, AUDITED_FIELDS))
    db.session.commit()
    return household


@rollback_on_violation
def update_household(actor: User, household: Household, **fields: Any) -> Household:
    """Edit a household, under the same rules as ``create_household``, if the actor may
    change it (``can_edit_household``: a trainer only those of its rosters or registrations)."""
    check_can_edit_household(actor, household)
    before = snapshot(household, AUDITED_FIELDS)
    _apply(actor, household, fields)
    flush_unique(HOUSEHOLD_TAKEN)
    after = snapshot(household, AUDITED_FIELDS)
    if after != before:
        record_event(actor, "household.update", household, before=before, after=after)
    db.session.commit()
    return household


def _apply(actor: User, household: Household, fields: dict[str, Any]) -> None:
    head_name = clean(fields.get("head_name", household.head_name))
    if not head_name:
        raise RuleViolation(
            _l("Please enter the name of the head of household."), field="head_name"
        )
    if "head_name" in fields and (problem := name_problem(head_name)):
        raise RuleViolation(problem, field="head_name")
    household.head_name = head_name
    if "phone" in fields:
        household.phone = _phone(fields["phone"])
    if "national_id" in fields:
        household.national_id = _national_id(fields["national_id"])
    for name in ("village", "address"):
        if name in fields:
            setattr(household, name, clean(fields[name]))
    if "area_id" in fields:
        household.area_id = _commune_in_scope(actor, fields["area_id"]).id
    for name, model in (("scale_class_id", ScaleClass), ("product_group_id", ProductGroup)):
        if name in fields:
            value = fields[name]
            if value is not None and db.session.get(model, value) is None:
                raise RuleViolation(_l("Please choose from the list."), field=name)
            setattr(household, name, value)


def name_problem(name: str) -> LazyString | None:
    """Why a head of household's name cannot be stored, or None: a name is letters with
    their Vietnamese marks, spaces, hyphens, apostrophes and dots. It is printed on the
    certificate, whose font has no emoji and no Chinese character. The form and the import
    both ask this."""
    if refused := refused_name_characters(name):
        return _l(
            "A name cannot hold “%(characters)s”: only letters (with their Vietnamese "
            "marks), spaces, hyphens (-), apostrophes (') and dots.",
            characters=" ".join(refused),
        )
    if not any(character.isalpha() for character in name):
        return _l("A name needs letters.")
    return None


def _phone(raw: str | None) -> str | None:
    if not clean(raw):
        return None
    phone = normalize_phone(raw)
    if phone is None:
        raise RuleViolation(
            _l("The phone number is not valid: enter 10 digits, e.g. 0912 345 678."), field="phone"
        )
    return phone


def _national_id(raw: str | None) -> str | None:
    if not clean(raw):
        return None
    national_id = normalize_national_id(raw)
    if national_id is None:
        raise RuleViolation(
            _l("The national ID (CCCD) must be exactly 12 digits."), field="national_id"
        )
    return national_id


def _commune_in_scope(actor: User, area_id: int | None) -> Area:
    area = db.session.scalar(select(Area).where(Area.id == area_id, visible_areas(actor)))
    if area is None or area.level is not AreaLevel.COMMUNE:
        raise RuleViolation(_l("Please choose a commune in your area."), field="area_id")
    if area.merged_into_id is not None:
        raise RuleViolation(
            _l(
                "%(old)s was merged into %(new)s: choose %(new)s.",
                old=area.name,
                new=area.merged_into.name,
            ),
            field="area_id",
        )
    return area


# ---------------------------------------------------------------- outreach


@rollback_on_violation
def record_outreach(
    actor: User, households: Sequence[Household], informed_on: date, channel: OutreachChannel
) -> int:
    """Record that households were informed about the programme; returns how many were new.

    Rule: the date is not in the future; the same household, day and channel is recorded once.
    """
    if informed_on > today():
        raise RuleViolation(_l("The date cannot be in the future."), field="informed_on")
    if not households:
        raise RuleViolation(_l("Please choose at least one household."))
    already = set(
        db.session.scalars(
            select(OutreachEvent.household_id).where(
                OutreachEvent.household_id.in_([h.id for h in households]),
                OutreachEvent.informed_on == informed_on,
                OutreachEvent.channel == channel,
            )
        )
    )
    added = 0
    for household in households:
        if household.id in already:
            continue
        event = OutreachEvent(
            household_id=household.id,
            informed_on=informed_on,
            channel=channel,
            recorded_by_id=actor.id if actor else None,
        )
        db.session.add(event)
        record_event(
            actor,
            "household.inform",
            household,
            after={"informed_on": informed_on.isoformat(), "channel": channel.value},
        )
        added += 1
    refresh_informed(household.id for household in households)
    db.session.commit()
    return added


# ---------------------------------------------------------------- classification


@rollback_on_violation
def save_classification(
    actor: User, model: type[ScaleClass] | type[ProductGroup], record: Any, **fields: Any
) -> Any:
    """Create (``record`` is None) or edit a scale class or product group; codes are unique."""
    before = snapshot(record, ("code", "name", "position", "is_active")) if record else None
    if record is None:
        record = model()
        db.session.add(record)
    record.code = clean(fields["code"]).lower()
    record.name = clean(fields["name"])
    record.position = fields.get("position") or 0
    record.is_active = fields.get("is_active", True)
    if not record.code or not record.name:
        raise RuleViolation(_l("Please enter a code and a name."))
    flush_unique(_l("Another entry already has this code."), field="code")
    action = f"{model.__tablename__}.{'update' if before else 'create'}"
    record_event(
        actor,
        action,
        record,
        before=before,
        after=snapshot(record, ("code", "name", "position", "is_active")),
    )
    db.session.commit()
    return record
