"""The plan's targets per commune and year (chỉ tiêu kế hoạch), as data officials enter or
import: how many agricultural households and OCOP 3★+ products the plan counts in each
commune. The dashboard measures coverage (households in the registry ÷ the plan's count) and
training against these counts, so a commune that imported only its trained households does
not show 100%.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from lms.areas.models import Area, AreaLevel, PlanTarget
from lms.auth.models import User
from lms.core.audit import record_event
from lms.core.errors import RuleViolation, rollback_on_violation
from lms.core.permissions import can_set_targets
from lms.core.scope import communes_in_scope
from lms.core.spreadsheets import cell_text, has_data, header_key, read_workbook
from lms.core.text import fold
from lms.extensions import db

#: the most a commune's count may be (a commune has a few thousand households)
MAX_COUNT = 1_000_000
#: the most rows a target file may have (a province has about 130 communes)
MAX_ROWS = 5_000

#: header names officials use, folded → our column
HEADERS = {
    "ma xa": "code",
    "ma": "code",
    "ma dvhc": "code",
    "ma don vi": "code",
    "code": "code",
    "commune code": "code",
    "xa": "name",
    "xa phuong": "name",
    "xa/phuong": "name",
    "ten xa": "name",
    "don vi": "name",
    "ten don vi": "name",
    "commune": "name",
    "so ho sxnn": "households",
    "ho sxnn": "households",
    "so ho": "households",
    "ho san xuat nong nghiep": "households",
    "so ho san xuat nong nghiep": "households",
    "chi tieu ho": "households",
    "households": "households",
    "san pham ocop": "ocop",
    "so san pham ocop": "ocop",
    "ocop": "ocop",
    "ocop 3 sao": "ocop",
    "san pham ocop 3 sao tro len": "ocop",
    "ocop products": "ocop",
    "nam": "year",
    "year": "year",
}


@dataclass(frozen=True)
class TargetLine:
    """One commune of the scope and its targets for the year (None: not entered)."""

    area: Area
    households: int | None
    ocop_products: int | None


def list_targets(user: User, year: int) -> list[TargetLine]:
    """Every current commune of the user's scope, in Vietnamese order, with its targets."""
    communes = communes_in_scope(user)
    targets = targets_by_commune([a.id for a in communes], year)
    return [
        TargetLine(
            area,
            targets[area.id].households if area.id in targets else None,
            targets[area.id].ocop_products if area.id in targets else None,
        )
        for area in communes
    ]


def targets_by_commune(area_ids: list[int], year: int) -> dict[int, PlanTarget]:
    if not area_ids:
        return {}
    statement = select(PlanTarget).where(PlanTarget.year == year, PlanTarget.area_id.in_(area_ids))
    return {target.area_id: target for target in db.session.scalars(statement)}


def parse_count(text: Any) -> int | None:
    """A count as typed: "1.234", "1,234", "1 234", 1234.0; blank is None. Raises ValueError."""
    if isinstance(text, bool):
        raise ValueError(text)
    if isinstance(text, int | float):
        if text != int(text):
            raise ValueError(text)
        number = int(text)
    else:
        raw = re.sub(r"[\s.,]", "", cell_text(text))
        if not raw:
            return None
        if not raw.isdigit():
            raise ValueError(text)
        number = int(raw)
    if not 0 <= number <= MAX_COUNT:
        raise ValueError(text)
    return number


@rollback_on_violation
def save_targets(actor: User, year: int, values: dict[int, tuple[int | None, int | None]]) -> int:
    """Set the targets of communes for a year: ``values`` maps a commune id to (households,
    OCOP 3★+ products), None for "not set". Rule: only an official or admin, only current
    communes of the actor's scope, counts between 0 and MAX_COUNT; all or nothing. Returns
    how many communes changed."""
    if not can_set_targets(actor):
        raise RuleViolation(_("Only officials set the plan's targets."))
    if not 2020 <= year <= 2100:
        raise RuleViolation(_("The year must be between 2020 and 2100."), field="year")
    allowed = {area.id: area for area in communes_in_scope(actor)}
    for area_id, counts in values.items():
        if area_id not in allowed:
            raise RuleViolation(_("A commune is not in your area."))
        for count in counts:
            if count is not None and not 0 <= count <= MAX_COUNT:
                raise RuleViolation(
                    _(
                        "A count must be a whole number from 0 to %(n)s.",
                        n=format_decimal(MAX_COUNT),
                    )
                )
    existing = targets_by_commune(list(values), year)
    changed = 0
    for area_id, (households, ocop) in values.items():
        target = existing.get(area_id)
        before = (target.households, target.ocop_products) if target else (None, None)
        if before == (households, ocop):
            continue
        if target is None:
            target = PlanTarget(area_id=area_id, year=year)
            db.session.add(target)
        target.households, target.ocop_products = households, ocop
        target.updated_by_id = actor.id
        db.session.flush()
        record_event(
            actor,
            "plan_target.set",
            target,
            before={"households": before[0], "ocop_products": before[1]},
            after={"year": year, "households": households, "ocop_products": ocop},
        )
        changed += 1
    db.session.commit()
    return changed


@dataclass
class TargetImport:
    """What a target file holds: the counts per commune, and each refused line's reason."""

    values: dict[int, tuple[int | None, int | None]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    changed: int = 0


def import_targets(actor: User, year: int, stream: IO[bytes], filename: str) -> TargetImport:
    """Read a target file (.xlsx or .csv: commune code or name, agricultural households,
    OCOP 3★+ products; a "year" column keeps only that year's lines) and save it in one
    transaction. Rule: a file with any refused line writes nothing, and says why per line."""
    result = TargetImport()
    sheets, problems, _notices = read_workbook(stream, filename)
    if problems:
        result.errors.extend(problems)
        return result
    rows = next((sheet.rows for sheet in sheets if any(has_data(r) for r in sheet.rows)), [])
    header_at, columns = _header(rows)
    if header_at is None:
        result.errors.append(
            _(
                "No header row found: the file needs a commune column (code or name) and a "
                "column of agricultural households or OCOP products."
            )
        )
        return result
    communes = communes_in_scope(actor)
    by_code = {a.code: a for a in communes}
    by_name: dict[str, list[Area]] = {}
    for area in communes:
        for key in _name_keys(area.name):
            by_name.setdefault(key, []).append(area)
    merged = _merged_names(by_code)
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not has_data(row):
            continue
        record = {col: row[i] if i < len(row) else None for i, col in columns.items()}
        where = _("Line %(n)d", n=number)
        if "year" in record and cell_text(record["year"]) not in ("", str(year)):
            continue
        if _is_totals(record):
            continue
        area = _find(record, by_code, by_name, merged)
        if isinstance(area, str):
            result.errors.append(f"{where}: {area}")
            continue
        try:
            households = parse_count(record.get("households"))
            ocop = parse_count(record.get("ocop"))
        except ValueError as error:
            result.errors.append(
                f"{where}: "
                + _("“%(value)s” is not a whole number from 0 upwards.", value=error.args[0])
            )
            continue
        if area.id in result.values:
            result.errors.append(f"{where}: " + _("%(name)s appears twice.", name=area.name))
            continue
        result.values[area.id] = (households, ocop)
        if len(result.values) > MAX_ROWS:
            result.errors.append(_("Too many rows: at most %(n)d.", n=MAX_ROWS))
            return result
    if not result.errors and not result.values:
        result.errors.append(_("The file has no rows."))
    if result.errors:
        return result
    result.changed = save_targets(actor, year, result.values)
    return result


#: what a totals line says in its commune column, folded
TOTALS = ("tong", "tong cong", "cong", "tong so", "toan tinh", "total")


def _is_totals(record: dict) -> bool:
    return not cell_text(record.get("code")) and fold(cell_text(record.get("name"))) in TOTALS


def _header(rows: list[list[Any]]) -> tuple[int | None, dict[int, str]]:
    for index, row in enumerate(rows[:15]):
        columns = {}
        for position, value in enumerate(row):
            column = HEADERS.get(header_key(cell_text(value)))
            if column and column not in columns.values():
                columns[position] = column
        found = set(columns.values())
        if found & {"code", "name"} and found & {"households", "ocop"}:
            return index, columns
    return None, {}


_PREFIXES = ("xa ", "phuong ", "thi tran ", "dac khu ", "x. ", "p. ", "x.", "p.", "tt. ", "tt.")


def _name_keys(name: str) -> set[str]:
    """The folded name, and the name without "Xã"/"Phường"/"X." before it."""
    folded = fold(name).strip()
    keys = {folded}
    for prefix in _PREFIXES:
        if folded.startswith(prefix):
            keys.add(folded[len(prefix) :].strip())
    return keys


def _merged_names(by_code: dict[str, Area]) -> dict[str, Area]:
    """Legacy communes (merged by the 2025 reform) by code and name → the current commune."""
    legacy = db.session.scalars(
        select(Area).where(
            Area.level == AreaLevel.COMMUNE,
            Area.merged_into_id.in_([a.id for a in by_code.values()]),
        )
    )
    current = {a.id: a for a in by_code.values()}
    found: dict[str, Area] = {}
    for area in legacy:
        found[area.code] = current[area.merged_into_id]
        for key in _name_keys(area.name):
            found.setdefault(key, current[area.merged_into_id])
    return found


def _find(record, by_code, by_name, merged) -> Area | str:
    code = cell_text(record.get("code"))
    name = cell_text(record.get("name"))
    if not code and name.isdigit():  # the code typed in the commune's column
        code, name = name, ""
    if code:
        if code in by_code:
            return by_code[code]
        if code in merged:
            return _(
                "%(code)s is a former commune: enter the commune it is now part of.", code=code
            )
        return _("No commune of your area has the code %(code)s.", code=code)
    if not name:
        return _("The commune is missing.")
    keys = _name_keys(name)
    found = {a.id: a for key in keys for a in by_name.get(key, [])}
    if len(found) == 1:
        return next(iter(found.values()))
    if len(found) > 1:
        return _("“%(name)s” matches several communes: use the commune code.", name=name)
    if any(key in merged for key in keys):
        return _("%(name)s is a former commune: enter the commune it is now part of.", name=name)
    return _("The commune “%(name)s” was not found in your area.", name=name)


def typed_targets(
    formdata, user: User
) -> tuple[dict[int, tuple[int | None, int | None]], list[str]]:
    """The counts typed in the targets table (``households-<id>``, ``ocop-<id>`` for each
    commune of the user's scope; a commune not on the form sent is left as it is), and a
    message for each that is not a count."""
    values: dict[int, tuple[int | None, int | None]] = {}
    errors: list[str] = []
    for area in communes_in_scope(user):
        if f"households-{area.id}" not in formdata and f"ocop-{area.id}" not in formdata:
            continue  # not on the form sent: left as it is
        counts = []
        for prefix in ("households", "ocop"):
            raw = formdata.get(f"{prefix}-{area.id}", "")
            try:
                counts.append(parse_count(raw))
            except ValueError:
                counts.append(None)
                errors.append(
                    _(
                        "%(name)s: “%(value)s” is not a whole number from 0 upwards.",
                        name=area.name,
                        value=raw,
                    )
                )
        values[area.id] = (counts[0], counts[1])
    return values, errors
