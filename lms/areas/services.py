"""Areas: create, edit and import the area tree; keep every area's path in step with its parent."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select

from lms.areas.models import Area, AreaLevel
from lms.auth.models import User
from lms.core.audit import record_event, snapshot
from lms.core.database import vietnamese
from lms.core.errors import RuleViolation, flush_unique, rollback_on_violation
from lms.core.scope import visible_areas
from lms.core.text import clean, fold
from lms.extensions import db

AREA_CODE_TAKEN = _l("Another area already has this code.")

AUDITED_FIELDS = ("code", "name", "level", "parent_id", "merged_into_id", "former_district")

#: header names officials use, folded (no diacritics, lower case) → our column
HEADERS = {
    "code": "code",
    "ma": "code",
    "ma dvhc": "code",
    "ma don vi": "code",
    "name": "name",
    "ten": "name",
    "ten don vi": "name",
    "ten dvhc": "name",
    "level": "level",
    "cap": "level",
    "parent_code": "parent_code",
    "ma cap tren": "parent_code",
    "ma tinh": "parent_code",
    "merged_into_code": "merged_into_code",
    "sap nhap vao": "merged_into_code",
    "ma sap nhap vao": "merged_into_code",
    "former_district": "former_district",
    "huyen cu": "former_district",
    "huyen truoc sap xep": "former_district",
    "thuoc huyen cu": "former_district",
}
LEVEL_WORDS = {
    "province": AreaLevel.PROVINCE,
    "tinh": AreaLevel.PROVINCE,
    "thanh pho truc thuoc tw": AreaLevel.PROVINCE,
    "district": AreaLevel.DISTRICT,
    "huyen": AreaLevel.DISTRICT,
    "quan": AreaLevel.DISTRICT,
    "thi xa": AreaLevel.DISTRICT,
    "commune": AreaLevel.COMMUNE,
    "xa": AreaLevel.COMMUNE,
    "phuong": AreaLevel.COMMUNE,
    "thi tran": AreaLevel.COMMUNE,
    "dac khu": AreaLevel.COMMUNE,
}
MAX_IMPORT_ROWS = 20_000


def list_areas(user: User) -> list[Area]:
    """Areas in the user's scope, province first, then by name."""
    level_order = case(
        {level.value: rank for rank, level in enumerate(AreaLevel)}, value=Area.level
    )
    statement = (
        select(Area)
        .where(visible_areas(user))
        .order_by(level_order, vietnamese(Area.name), Area.id)
    )
    return list(db.session.scalars(statement))


@rollback_on_violation
def create_area(actor: User | None, **fields: Any) -> Area:
    """Create an area; its code is unique and its parent sits above it in the tree."""
    area = Area()
    _apply(area, fields)
    db.session.add(area)
    flush_unique(AREA_CODE_TAKEN, field="code")
    _refresh_paths(area)
    record_event(actor, "area.create", area, after=snapshot(area, AUDITED_FIELDS))
    db.session.commit()
    return area


@rollback_on_violation
def update_area(actor: User, area: Area, **fields: Any) -> Area:
    """Edit an area; moving it under another parent moves its whole subtree."""
    before = snapshot(area, AUDITED_FIELDS)
    _apply(area, fields)
    flush_unique(AREA_CODE_TAKEN, field="code")
    _refresh_paths(area)
    record_event(actor, "area.update", area, before=before, after=snapshot(area, AUDITED_FIELDS))
    db.session.commit()
    return area


def _apply(area: Area, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(area, name, value)
    area.code = clean(area.code)
    area.name = clean(area.name)
    area.former_district = clean(area.former_district or "")
    if not area.code.isdigit() or len(area.code) > 10:
        raise RuleViolation(_l("The code must be the official number (digits only)."), field="code")
    if not area.name:
        raise RuleViolation(_l("Please enter the area's name."), field="name")
    parent = db.session.get(Area, area.parent_id) if area.parent_id else None
    if area.level is not AreaLevel.PROVINCE and parent is None:
        raise RuleViolation(
            _l("A district or commune needs the area it belongs to."), field="parent_id"
        )
    if parent is not None and area.id is not None and parent.path.startswith(area.path or "\0"):
        raise RuleViolation(
            _l("An area cannot belong to itself or to an area below it."), field="parent_id"
        )
    if area.merged_into_id is not None and area.merged_into_id == area.id:
        raise RuleViolation(_l("An area cannot be merged into itself."), field="merged_into_id")


def _refresh_paths(area: Area) -> None:
    """Recompute the path of ``area`` and of everything below it (flushes, never commits)."""
    old_path = area.path
    parent = db.session.get(Area, area.parent_id) if area.parent_id else None
    area.path = (parent.path if parent else "/") + f"{area.id}/"
    if old_path and old_path != area.path:
        below = select(Area).where(
            Area.path.startswith(old_path, autoescape=True), Area.id != area.id
        )
        for descendant in db.session.scalars(below):
            descendant.path = area.path + descendant.path[len(old_path) :]
    db.session.flush()


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    #: (line number in the file, message) for every refused row
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    code: str
    name: str
    level: AreaLevel
    parent_code: str
    merged_into_code: str
    #: None when the file has no such column (an existing area keeps its own)
    former_district: str | None = None


def import_areas_csv(actor: User | None, stream: IO[bytes]) -> ImportReport:
    """Import an area list (official codes) from CSV in one transaction.

    Rule: every row is checked first; if any row is wrong, nothing is written and the
    report lists each wrong row with its line. Rows are matched to existing areas by code.
    """
    report = ImportReport()
    rows = _read_rows(stream, report)
    _check_references(rows, report)
    if not report.ok:
        report.errors.sort()
        return report
    _write_rows(actor, rows, report)
    db.session.commit()
    return report


def _read_rows(stream: IO[bytes], report: ImportReport) -> list[_Row]:
    try:
        text = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append((0, str(_l("The file must be a CSV saved as UTF-8."))))
        return []
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        report.errors.append((0, str(_l("The file is empty."))))
        return []
    columns = [HEADERS.get(fold(name)) for name in header]
    unknown = [
        name
        for name, column in zip(header, columns, strict=True)
        if column is None and name.strip()
    ]
    missing = {"code", "name", "level"} - set(columns)
    if unknown:
        report.errors.append((1, str(_l("Unknown columns: %(names)s.", names=", ".join(unknown)))))
    if missing:
        report.errors.append(
            (1, str(_l("Missing columns: %(names)s.", names=", ".join(sorted(missing)))))
        )
    if not report.ok:
        return []

    rows: list[_Row] = []
    seen: set[str] = set()
    for line, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            report.errors.append(
                (line, str(_l("Too many rows: at most %(n)d.", n=MAX_IMPORT_ROWS)))
            )
            break
        record = {
            column: clean(value) for column, value in zip(columns, values, strict=False) if column
        }
        level = LEVEL_WORDS.get(fold(record.get("level")))
        code = record.get("code", "")
        if not code.isdigit() or len(code) > 10:
            report.errors.append(
                (line, str(_l("The code must be the official number (digits only).")))
            )
        elif code in seen:
            report.errors.append((line, str(_l("The code %(code)s appears twice.", code=code))))
        elif not record.get("name"):
            report.errors.append((line, str(_l("Please enter the area's name."))))
        elif level is None:
            report.errors.append(
                (line, str(_l("Unknown level: use province, district or commune.")))
            )
        else:
            seen.add(code)
            rows.append(
                _Row(
                    line,
                    code,
                    record["name"],
                    level,
                    record.get("parent_code", ""),
                    record.get("merged_into_code", ""),
                    record.get("former_district"),
                )
            )
    if not rows and report.ok:
        report.errors.append((0, str(_l("The file has no rows."))))
    return rows


def _check_references(rows: list[_Row], report: ImportReport) -> None:
    in_file = {row.code for row in rows}
    referenced = {row.parent_code for row in rows} | {row.merged_into_code for row in rows}
    in_db = set(db.session.scalars(select(Area.code).where(Area.code.in_(referenced - {""}))))
    known = in_file | in_db
    for row in rows:
        if row.level is not AreaLevel.PROVINCE and not row.parent_code:
            report.errors.append(
                (row.line, str(_l("A district or commune needs the area it belongs to.")))
            )
        for code in (row.parent_code, row.merged_into_code):
            if code and code not in known:
                report.errors.append((row.line, str(_l("Unknown area code %(code)s.", code=code))))
            elif code and code == row.code:
                report.errors.append((row.line, str(_l("An area cannot refer to itself."))))


def _write_rows(actor: User | None, rows: list[_Row], report: ImportReport) -> None:
    existing = {
        area.code: area
        for area in db.session.scalars(
            select(Area).where(Area.code.in_([row.code for row in rows]))
        )
    }
    for row in rows:
        area = existing.get(row.code)
        if area is None:
            area = existing[row.code] = Area(code=row.code, path="")
            db.session.add(area)
            report.created += 1
        else:
            report.updated += 1
        area.name, area.level = row.name, row.level
        if row.former_district is not None:
            area.former_district = row.former_district
    db.session.flush()
    by_code = {
        **existing,
        **{
            a.code: a
            for a in db.session.scalars(
                select(Area).where(
                    Area.code.in_(
                        {r.parent_code for r in rows} | {r.merged_into_code for r in rows}
                    )
                )
            )
        },
    }
    for row in rows:
        area = existing[row.code]
        area.parent_id = by_code[row.parent_code].id if row.parent_code else None
        area.merged_into_id = by_code[row.merged_into_code].id if row.merged_into_code else None
    # parents before children, so each path is built on its parent's new path
    for row in sorted(rows, key=lambda r: list(AreaLevel).index(r.level)):
        _refresh_paths(existing[row.code])
    record_event(
        actor, "area.import", Area, after={"created": report.created, "updated": report.updated}
    )
