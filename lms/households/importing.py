"""Household-list imports: a list read and standardised, previewed against the registry,
then committed.

``analyse`` standardises the rows (``reading.py``) and decides what each would become (new,
update, duplicate, conflict, error) by matching phones and CCCDs against the registry (and,
for rows with neither, name, commune and village), writing nothing;
``start_import`` keeps the uploaded file and that preview; ``commit_import`` matches the
previewed rows again and writes every accepted row in one transaction.
"""

from __future__ import annotations

import re
import shutil
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

import orjson
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from lms.areas.models import Area
from lms.auth.models import User
from lms.core.audit import record_event, record_events
from lms.core.database import insert_returning, one_of
from lms.core.errors import RuleViolation
from lms.core.models import utcnow
from lms.core.scope import visible_households
from lms.core.spreadsheets import Sheet, cell_text, read_workbook
from lms.core.text import fold, mask_national_id
from lms.extensions import db
from lms.households.models import (
    Household,
    HouseholdImport,
    OutreachEvent,
    ProductGroup,
    ScaleClass,
)
from lms.households.reading import ImportAnalysis, ImportRow, RowStatus, standardise
from lms.households.services import refresh_informed

# ---------------------------------------------------------------- what each row would become


def analyse(
    actor: User | None,
    rows: list[list[Any]] | list[Sheet],
    problems: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
    notices: list[str] | None = None,
) -> ImportAnalysis:
    """Standardise every row and say what it would become; writes nothing.

    ``actor`` None is the system (the CLI), whose scope is everything.
    """
    analysis = standardise(actor, rows, problems, progress, notices)
    if analysis.problems:
        return analysis
    _match(analysis.rows, actor)
    for row in analysis.rows:  # only refused rows are kept as typed, for the rejected-rows file
        refused = row.status is RowStatus.ERROR
        row.cells = [cell_text(value) for value in row.cells] if refused else []
    return analysis


#: fields an import may change on a registered household (empty cells change nothing)
UPDATABLE = (
    "head_name",
    "phone",
    "national_id",
    "village",
    "address",
    "area_id",
    "scale_class_id",
    "product_group_id",
)


def _match(rows: list[ImportRow], actor: User | None) -> None:
    """Duplicates inside the file, then matches against the registry by phone or CCCD."""
    label = {name: field_label(name) for name in FIELD_LABELS}  # translated once, not per row
    first_line: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.status is RowStatus.ERROR:
            continue
        for key in ("phone", "national_id"):
            value = row.values.get(key)
            if value and (key, value) in first_line:
                row.status = RowStatus.DUPLICATE
                row.messages.append(
                    _(
                        "Same %(what)s as line %(line)d.",
                        what=label[key],
                        line=first_line[key, value],
                    )
                )
                break
        else:
            for key in ("phone", "national_id"):
                if row.values.get(key):
                    first_line[key, row.values[key]] = row.line

    _match_keyless(rows, actor)
    candidates = [row for row in rows if row.status is RowStatus.NEW]
    registered = _registered(
        {row.values["phone"] for row in candidates if row.values["phone"]},
        {row.values["national_id"] for row in candidates if row.values["national_id"]},
    )
    visible = _visible_ids(actor, {h["id"] for h in registered.values()})
    certified = _certified_ids({h["id"] for h in registered.values()})
    for row in candidates:
        matches = {
            registered[key, row.values[key]]["id"]: registered[key, row.values[key]]
            for key in ("phone", "national_id")
            if row.values[key] and (key, row.values[key]) in registered
        }
        if not matches:
            continue
        if not set(matches) <= visible:
            row.refuse(
                _("This phone number or CCCD is registered to a household outside your area.")
            )
        elif len(matches) > 1:
            row.status = RowStatus.CONFLICT
            row.messages.append(
                _("The phone number and the CCCD belong to two different registered households.")
            )
        else:
            existing = next(iter(matches.values()))
            row.household_id = existing["id"]
            disagreements = _disagreements(existing, row.values, existing["id"] in certified)
            changes = _changes(existing, row.values)
            if disagreements:
                row.status = RowStatus.CONFLICT
                row.messages.append(
                    _(
                        "Matches a registered household but differs on: %(fields)s.",
                        fields=", ".join(label[f] for f in disagreements),
                    )
                )
            elif changes:
                row.status = RowStatus.UPDATE
                row.messages.append(
                    _("Updates: %(fields)s.", fields=", ".join(label[f] for f in changes))
                )
            else:
                row.status = RowStatus.DUPLICATE
                row.messages.append(_("Already registered, nothing new."))


def _match_keyless(rows: list[ImportRow], actor: User | None) -> None:
    """Rows with neither phone nor CCCD have nothing unique: one whose name (folded), commune
    and village are those of a line above or of a registered household is that household
    again, a duplicate, not a new family — the same file imported twice adds no one."""
    keyless = [
        row
        for row in rows
        if row.status is RowStatus.NEW
        and not (row.values.get("phone") or row.values.get("national_id"))
        and row.values.get("area_id")
    ]
    if not keyless:
        return
    first_line: dict[tuple[str, int, str], int] = {}
    for row in keyless:
        key = _person_key(row.values["head_name"], row.values["area_id"], row.values["village"])
        if key in first_line:
            row.status = RowStatus.DUPLICATE
            row.messages.append(_("Same name and village as line %(line)d.", line=first_line[key]))
        else:
            first_line[key] = row.line
    wanted = [row for row in keyless if row.status is RowStatus.NEW]
    registered: dict[tuple[str, int, str], int] = {}
    names = {fold(row.values["head_name"]) for row in wanted}
    for named in one_of(Household.name_key, names):
        statement = select(
            Household.id, Household.name_key, Household.area_id, Household.village
        ).where(named)
        if actor is not None:
            statement = statement.where(visible_households(actor))
        for household_id, name_key, area_id, village in db.session.execute(statement):
            registered.setdefault(_person_key(name_key, area_id, village), household_id)
    for row in wanted:
        key = _person_key(row.values["head_name"], row.values["area_id"], row.values["village"])
        if key in registered:
            row.status, row.household_id = RowStatus.DUPLICATE, registered[key]
            row.messages.append(
                _("A household of this name is already registered in this village.")
            )


def _person_key(name: str, area_id: int, village: str | None) -> tuple[str, int, str]:
    return fold(name), area_id, fold(village or "")


def _disagreements(existing: dict, values: dict[str, Any], is_certified: bool) -> list[str]:
    """The identity fields on which a row and the household it matches disagree.

    Another name (diacritics and case aside), another CCCD or another commune says the row
    may be another family; a certified household's name is printed on its certificate, so
    any change to it (even of a diacritic) is one too.
    """
    fields = []
    name = values.get("head_name")
    if name and (
        fold(name) != fold(existing["head_name"])
        or (is_certified and name != existing["head_name"])
    ):
        fields.append("head_name")
    if values.get("national_id") and existing["national_id"] not in (None, values["national_id"]):
        fields.append("national_id")
    if values.get("area_id") and values["area_id"] != existing["area_id"]:
        fields.append("area_id")
    return fields


def _certified_ids(ids: set[int]) -> set[int]:
    """The households that are certified (or hold a valid certificate)."""
    from lms.certificates.models import Certificate, CertificateStatus  # builds on households

    found = set()
    for among in one_of(Household.id, ids):
        statement = select(Household.id).where(among, Household.certified_on.is_not(None))
        found.update(db.session.scalars(statement))
    for among in one_of(Certificate.household_id, ids):
        statement = select(Certificate.household_id).where(
            among, Certificate.status == CertificateStatus.VALID
        )
        found.update(db.session.scalars(statement))
    return found


def _registered(phones: set[str], national_ids: set[str]) -> dict[tuple[str, str], dict]:
    """Registered households with one of these phones or CCCDs, by (key, value)."""
    found: dict[tuple[str, str], dict] = {}
    columns = [getattr(Household, name) for name in ("id", *UPDATABLE)]
    for key, values in (("phone", phones), ("national_id", national_ids)):
        for among in one_of(getattr(Household, key), values):
            for record in db.session.execute(select(*columns).where(among)).mappings():
                found[key, record[key]] = dict(record)
    return found


def _visible_ids(actor: User | None, ids: set[int]) -> set[int]:
    if actor is None:
        return ids
    visible = set()
    for among in one_of(Household.id, ids):
        statement = select(Household.id).where(among, visible_households(actor))
        visible.update(db.session.scalars(statement))
    return visible


def _changes(existing: dict, values: dict[str, Any]) -> dict[str, Any]:
    """The fields a row changes on the household it matches, with their new values; empty
    cells change nothing. A new village carries into the address when the address names
    the old one and the row gives none, so the two never disagree."""
    change = {
        name: values[name]
        for name in UPDATABLE
        if values.get(name) not in (None, "") and values[name] != existing[name]
    }
    old_village, address = existing["village"], existing["address"]
    if "village" in change and "address" not in change and old_village and address:
        named = re.compile(rf"(?<!\w){re.escape(old_village)}(?!\w)", re.IGNORECASE)
        if named.search(address):
            change["address"] = named.sub(change["village"], address, count=1)
    return change


FIELD_LABELS = {
    "head_name": _l("name"),
    "phone": _l("phone number"),
    "national_id": _l("CCCD"),
    "village": _l("village"),
    "address": _l("address"),
    "area_id": _l("commune"),
    "scale_class_id": _l("scale class"),
    "product_group_id": _l("product group"),
}


def field_label(name: str) -> str:
    return str(FIELD_LABELS[name])


def _chunks(values: list, size: int) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# ---------------------------------------------------------------- preview, commit, rejected rows


def import_folder() -> Path:
    folder = Path(
        current_app.config.get("IMPORT_FOLDER") or Path(current_app.instance_path) / "imports"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(actor: User | None, stream: IO[bytes], filename: str) -> HouseholdImport:
    """Keep an uploaded list, not yet analysed (its summary is None until ``analyse_import``
    ran, in the request for a small file or in a job for a large one). Stored files are named
    by a random UUID, never by what was uploaded, so no two collide."""
    record = HouseholdImport(
        created_by_id=actor.id if actor else None,
        filename=Path(filename).name[:255] or "import",
        stored_name=f"{uuid.uuid4().hex}{Path(filename).suffix.lower()}",
    )
    db.session.add(record)
    db.session.flush()
    stored = import_folder() / record.stored_name
    with stored.open("wb") as target:
        shutil.copyfileobj(stream, target, 2**20)
    try:
        db.session.commit()
    except BaseException:
        stored.unlink(missing_ok=True)
        raise
    return record


def analyse_import(
    actor: User | None, record: HouseholdImport, progress: Callable[..., None] | None = None
) -> ImportAnalysis:
    """Read a kept list, analyse it and remember the preview; writes no household.

    Rule: a file that cannot be read (too large, damaged, a sheet too big to open) is
    refused whole and leaves nothing behind, neither an import nor a stored file. An import
    already analysed (a job run again) is not analysed twice.
    """
    if record.summary is not None:
        return load_preview(record)
    stored = import_folder() / record.stored_name
    try:
        with stored.open("rb") as stream:
            sheets, problems, notices = read_workbook(stream, record.filename)
        if problems:
            raise RuleViolation(problems[0], field="file")
        tick = None
        if progress:
            progress(done=0, total=sum(len(sheet.rows) for sheet in sheets))
            tick = lambda step: progress(step=step)  # noqa: E731
        analysis = analyse(actor, sheets, problems, tick, notices=notices)
        if progress:  # the total counted the header rows too: the rows read, at the end
            progress(done=len(analysis.rows), total=len(analysis.rows))
        record.summary = {**analysis.counts, "problems": len(analysis.problems)}
        _save_preview(record, analysis)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _forget(record)
        raise
    return analysis


def _forget(record: HouseholdImport) -> None:
    """An upload refused: its row, its file and its preview files go."""
    for path in import_folder().glob(f"{record.stored_name}*"):
        path.unlink(missing_ok=True)
    db.session.execute(delete(HouseholdImport).where(HouseholdImport.id == record.id))
    db.session.commit()


def start_import(
    actor: User | None, stream: IO[bytes], filename: str
) -> tuple[HouseholdImport, ImportAnalysis]:
    """Keep the uploaded file, analyse it and remember the preview, at once (the CLI, a
    small upload); writes no household. A file that cannot be read is refused whole."""
    record = store_upload(actor, stream, filename)
    return record, analyse_import(actor, record)


#: the row statuses a preview page filters by
STATUSES = tuple(status.value for status in RowStatus)

PREVIEW_FIELDS = (
    "line", "cells", "values", "status", "messages", "household_id", "notes", "sheet", "sheet_line",
)  # fmt: skip


def _preview_path(record: HouseholdImport, part: str = "") -> Path:
    return import_folder() / f"{record.stored_name}{part}"


def _save_preview(record: HouseholdImport, analysis: ImportAnalysis) -> None:
    """Keep the analysis beside the file: a small header (``.json``: columns, problems,
    counts, the conflicts' resolutions), the rows one a line (``.rows``, orjson) and, per
    row status and for all, the offsets of its rows (``.idx-<status>``, 8 bytes each), so a
    page of the preview reads its 50 rows and never the 100,000 (``preview_page``)."""
    offsets: dict[str, array] = {"all": array("q")}
    with _preview_path(record, ".rows").open("wb") as target:
        for row in analysis.rows:
            informed_on = row.values.get("informed_on")
            values = {**row.values, "informed_on": informed_on.isoformat() if informed_on else None}
            fields = [row.line, row.cells, values, row.status.value, row.messages,
                      row.household_id, row.notes, row.sheet, row.sheet_line]  # fmt: skip
            line = orjson.dumps(fields)
            position = target.tell()
            offsets["all"].append(position)
            offsets.setdefault(row.status.value, array("q")).append(position)
            target.write(line + b"\n")
    for status in ("all", *(s.value for s in RowStatus)):
        _preview_path(record, f".idx-{status}").write_bytes(
            offsets.get(status, array("q")).tobytes()
        )
    _save_header(record, analysis, analysis.counts)


def _save_header(record: HouseholdImport, analysis, counts: dict[str, int]) -> None:
    data = {
        "format": 2,
        "headers": analysis.headers,
        "unknown_columns": analysis.unknown_columns,
        "problems": analysis.problems,
        "resolutions": analysis.resolutions,
        "notices": analysis.notices,
        "counts": counts,
    }
    _preview_path(record, ".json").write_bytes(orjson.dumps(data))


def _row(values: list) -> ImportRow:
    # previews saved before rows knew their sheet have fewer fields
    row = ImportRow(**dict(zip(PREVIEW_FIELDS, values, strict=False)))
    row.status = RowStatus(row.status)
    if row.values.get("informed_on"):
        row.values["informed_on"] = date.fromisoformat(row.values["informed_on"])
    return row


def load_preview(record: HouseholdImport) -> ImportAnalysis:
    """The whole analysis (the commit, the rejected rows): every row read back."""
    data = orjson.loads(_preview_path(record, ".json").read_bytes())
    data.pop("format", None)
    data.pop("counts", None)
    if "rows" in data:  # a preview saved whole, before the rows had a file of their own
        return ImportAnalysis(**data, rows=[_row(values) for values in data.pop("rows")])
    with _preview_path(record, ".rows").open("rb") as source:
        rows = [_row(orjson.loads(line)) for line in source]
    return ImportAnalysis(**data, rows=rows)


@dataclass
class PreviewSummary:
    """What a preview page shows of the whole import: its header and its counts."""

    headers: list[str]
    unknown_columns: list[str]
    problems: list[str]
    resolutions: dict[str, dict[str, Any]]
    notices: list[str]
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def can_commit(self) -> bool:
        return not self.problems and self.total > self.counts.get("error", 0)


def preview_page(
    record: HouseholdImport, status: str, number: int, per_page: int
) -> tuple[PreviewSummary, list[ImportRow], int]:
    """One page of the preview (the rows of one status, or all): the summary, the page's
    rows and how many rows the status has; reads the header and those rows only."""
    data = orjson.loads(_preview_path(record, ".json").read_bytes())
    if "rows" in data:  # saved whole (before format 2): kept again as rows, once
        _save_preview(record, load_preview(record))
        return preview_page(record, status, number, per_page)
    data.pop("format", None)
    summary = PreviewSummary(**data)
    index = _preview_path(record, f".idx-{status or 'all'}")
    if not index.exists():
        return summary, [], 0
    offsets = array("q")
    with index.open("rb") as source:
        total = index.stat().st_size // offsets.itemsize
        source.seek((number - 1) * per_page * offsets.itemsize)
        offsets.frombytes(source.read(per_page * offsets.itemsize))
    rows = []
    with _preview_path(record, ".rows").open("rb") as source:
        for offset in offsets:
            source.seek(offset)
            rows.append(_row(orjson.loads(source.readline())))
    return summary, rows, total


def commit_import(
    actor: User | None, record: HouseholdImport, progress: Callable[[int], None] | None = None
) -> ImportAnalysis:
    """Write every new and updated row of an import in one transaction.

    Rule: an import is committed once, whatever the number of clicks or tabs: the import
    row is claimed first by a guarded UPDATE, which a second commit finds already done.
    The previewed rows are matched again against the registry (it may have changed since
    the preview); a conflict is written only when a person took the file's values for that
    same household, and is held back otherwise; a file with a problem writes nothing. Every
    change to a registered household is audited with its values before and after.
    """
    _claim(record)
    analysis = load_preview(record)
    for row in analysis.rows:
        if row.status is not RowStatus.ERROR:
            row.status, row.household_id, row.messages = (
                RowStatus.NEW,
                None,
                row.messages[: row.notes],
            )
    _match(analysis.rows, actor)
    _apply_resolutions(analysis)
    if progress:
        progress(len(analysis.rows))
    if not analysis.can_commit:
        db.session.rollback()
        raise RuleViolation(_l("Nothing can be imported from this file."))
    try:
        created = _insert_new(actor, analysis.rows)
        _apply_updates(actor, analysis.rows)
        _insert_outreach(actor, analysis.rows, created)
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise RuleViolation(
            _l(
                "The registry changed while importing. "
                "Nothing was written: please preview the file again."
            )
        ) from error
    record.summary = {**analysis.counts, "problems": 0}
    record_event(
        actor, "household.import", record, after={"file": record.filename, **analysis.counts}
    )
    db.session.commit()
    return analysis


def _claim(record: HouseholdImport) -> None:
    """Mark the import committed in the transaction that writes it, or refuse: one UPDATE
    that only an uncommitted import passes, so of two commits at once one waits for the
    other and then finds nothing to claim."""
    claimed = db.session.execute(
        update(HouseholdImport)
        .where(HouseholdImport.id == record.id, HouseholdImport.committed_at.is_(None))
        .values(committed_at=utcnow())
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise RuleViolation(_l("This import has already been committed."))


def _apply_resolutions(analysis: ImportAnalysis) -> None:
    """A conflict whose file values a person took for the household it still matches is
    an update; one they kept, or one that now matches another household, is held back."""
    for row in analysis.rows:
        resolution = analysis.resolutions.get(str(row.line))
        if row.status is not RowStatus.CONFLICT or not resolution:
            continue
        if row.household_id is None or resolution["household_id"] != row.household_id:
            continue
        if resolution["choice"] == "take":
            row.status = RowStatus.UPDATE
            row.messages.append(_("The file's values were taken."))
        else:
            row.messages.append(_("The registry's values were kept."))


def resolve_conflict(
    actor: User | None, record: HouseholdImport, line: int, choice: str
) -> ImportRow:
    """Decide one conflict of an import's preview: keep the registry's values (the row is
    skipped) or take the file's (the row updates that household at commit).

    Rule: only an uncommitted import's conflicts; the file's values can be taken only for a
    row matching one household, in the actor's scope (a row matching two is kept apart).
    The import is locked while its preview is read and written again, so that two choices
    made at once (two officials, two tabs) are both kept and none lands after the commit.
    """
    if choice not in ("keep", "take"):
        raise RuleViolation(_l("Please choose which values to keep."))
    locked = db.session.execute(  # a write that takes the row (PostgreSQL) or the database
        update(HouseholdImport)
        .where(HouseholdImport.id == record.id, HouseholdImport.committed_at.is_(None))
        .values(summary=HouseholdImport.summary)
    )
    if locked.rowcount != 1:
        db.session.rollback()
        raise RuleViolation(_l("This import has already been committed."))
    analysis, conflicts, _count = preview_page(record, RowStatus.CONFLICT.value, 1, 10**9)
    row = next((r for r in conflicts if r.line == line), None)
    if row is None or row.status is not RowStatus.CONFLICT:
        raise RuleViolation(_l("This row has nothing to resolve."))
    if choice == "take":
        matched = _registry_matches(actor, row)
        if len(matched) != 1 or matched[0].id != row.household_id:
            raise RuleViolation(
                _l("The file's values can only be taken for a row that matches one household.")
            )
    analysis.resolutions[str(line)] = {"choice": choice, "household_id": row.household_id}
    _save_header(record, analysis, analysis.counts)
    record_event(
        actor,
        "household.import_resolve",
        record,
        after={"line": line, "choice": choice, "household_id": row.household_id},
    )
    db.session.commit()
    return row


def commune_names(rows: list[ImportRow]) -> dict[int, str]:
    """The names of the communes the rows were matched to, by area id."""
    ids = {row.values["area_id"] for row in rows if row.values.get("area_id")}
    if not ids:
        return {}
    return dict(db.session.execute(select(Area.id, Area.name).where(Area.id.in_(ids))).all())


def changed_values(rows: list[ImportRow]) -> dict[int, list[tuple[str, str, str]]]:
    """For each update row, by line: (field, registry's value, file's value) of every field
    the row changes, as a person reads them (names of communes and classes, CCCDs masked)."""
    updates = [row for row in rows if row.status is RowStatus.UPDATE and row.household_id]
    if not updates:
        return {}
    households = {
        h.id: h
        for h in db.session.scalars(
            select(Household).where(Household.id.in_({row.household_id for row in updates}))
        )
    }
    result = {}
    for row in updates:
        household = households.get(row.household_id)
        if household is None:
            continue
        existing = {name: getattr(household, name) for name in UPDATABLE}
        result[row.line] = [
            (field_label(name), _shown(name, existing[name]), _shown(name, value))
            for name, value in _changes(existing, row.values).items()
        ]
    return result


def _shown(name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    models = {"area_id": Area, "scale_class_id": ScaleClass, "product_group_id": ProductGroup}
    if name in models:
        record = db.session.get(models[name], value)
        return record.name if record else "—"
    if name == "national_id":
        return mask_national_id(value)
    return str(value)


def _area(area_id: int | None) -> Area | None:
    return db.session.get(Area, area_id) if area_id else None


def _registry_matches(actor: User | None, row: ImportRow) -> list[Household]:
    """The registered households, in scope, that a row's phone or CCCD matches."""
    keys = [
        getattr(Household, key) == row.values[key]
        for key in ("phone", "national_id")
        if row.values.get(key)
    ]
    if not keys:
        return []
    statement = select(Household).where(or_(*keys)).order_by(Household.id)
    if actor is not None:
        statement = statement.where(visible_households(actor))
    return list(db.session.scalars(statement))


@dataclass
class Conflict:
    """A conflict row beside the registered households it matches, for a person to judge."""

    row: ImportRow
    households: list[Household]
    certificates: dict[int, Any]
    activations: dict[int, list[Any]]
    listings: dict[int, int]
    resolution: dict[str, Any] | None
    #: the commune the file gives
    commune_name: str = ""

    @property
    def can_take(self) -> bool:
        return len(self.households) == 1 and self.households[0].id == self.row.household_id

    @property
    def renames_certified(self) -> bool:
        """Taking the file's name for a certified household: its certificate must be
        re-issued with the new name."""
        return any(
            (h.certified_on is not None or self.certificates.get(h.id) is not None)
            and self.row.values.get("head_name") != h.head_name
            for h in self.households
        )


def conflicts(
    actor: User | None, analysis: ImportAnalysis, rows: list[ImportRow]
) -> list[Conflict]:
    """The conflicts among ``rows`` with what hangs on each household they match: its valid
    certificate, its activation requests (shops, payment accounts) and its listings."""
    from lms.activation.models import ActivationRequest  # activation builds on households
    from lms.certificates.services import valid_certificate  # certificates build on households
    from lms.products.models import Listing, Product

    found = []
    for row in rows:
        if row.status is not RowStatus.CONFLICT:
            continue
        households = _registry_matches(actor, row)
        ids = [h.id for h in households]
        activations: dict[int, list[Any]] = {}
        for request in db.session.scalars(
            select(ActivationRequest)
            .where(ActivationRequest.household_id.in_(ids))
            .order_by(ActivationRequest.id)
        ):
            activations.setdefault(request.household_id, []).append(request)
        listings = dict(
            db.session.execute(
                select(Product.household_id, func.count(Listing.id))
                .join(Listing, Listing.product_id == Product.id)
                .where(Product.household_id.in_(ids), Listing.delisted_on.is_(None))
                .group_by(Product.household_id)
            ).all()
        )
        found.append(
            Conflict(
                row=row,
                households=households,
                certificates={h.id: valid_certificate(h.id) for h in households},
                activations=activations,
                listings=listings,
                resolution=analysis.resolutions.get(str(row.line)),
                commune_name=area.name if (area := _area(row.values.get("area_id"))) else "",
            )
        )
    return found


def _household_values(values: dict[str, Any]) -> dict[str, Any]:
    household = {name: values.get(name) for name in UPDATABLE}
    household["village"] = household["village"] or ""
    household["address"] = household["address"] or ""
    household["name_key"] = fold(household["head_name"])
    now = utcnow()
    return {**household, "created_at": now, "updated_at": now}


def _insert_new(actor: User | None, rows: list[ImportRow]) -> dict[int, int]:
    """Insert the new households, each with its audit event; returns the new id by line.

    Multi-row INSERTs … RETURNING (``insert_returning``), whose rows come back in no
    promised order: each is known again by what makes a new row unique in its file — its
    phone, else its CCCD, else its name, commune and village (``_match_keyless``).
    """
    new = [row for row in rows if row.status is RowStatus.NEW]
    created: dict[int, int] = {}
    keys = ("phone", "national_id", "name_key", "area_id", "village")
    events = []
    for chunk in _chunks(new, 5000):
        values = [_household_values(row.values) for row in chunk]
        line_of = {_new_key(written): row.line for row, written in zip(chunk, values, strict=True)}
        written_of = {row.line: written for row, written in zip(chunk, values, strict=True)}
        for household_id, *returned in insert_returning(Household.__table__, values, ("id", *keys)):
            line = line_of[_new_key(dict(zip(keys, returned, strict=True)))]
            created[line] = household_id
            events.append((household_id, None, _audited(written_of[line])))
    record_events(actor, "household.import_create", Household, events)
    return created


def _new_key(values: dict[str, Any]) -> tuple:
    if values["phone"]:
        return "phone", values["phone"]
    if values["national_id"]:
        return "national_id", values["national_id"]
    return _person_key(values["name_key"], values["area_id"], values["village"])


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    """What an audit event keeps of a household's values: the identity and the place."""
    return {name: values[name] for name in UPDATABLE if values.get(name) not in (None, "")}


def _apply_updates(actor: User | None, rows: list[ImportRow]) -> None:
    """Write the updated rows, each an audit event on its household with the values it
    changed, before and after (the folded name too, so the trail finds an earlier name)."""
    updates = [row for row in rows if row.status is RowStatus.UPDATE]
    registered = _snapshots({row.household_id for row in updates})
    by_fields: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    events = []
    now = utcnow()
    for row in updates:
        existing = registered[row.household_id]
        change = _changes(existing, row.values)
        if not change:
            continue
        before = {name: existing[name] for name in change}
        after = dict(change)
        if "head_name" in change:
            change["name_key"] = after["name_key"] = fold(change["head_name"])
            before["name_key"] = fold(existing["head_name"])
        by_fields.setdefault(tuple(sorted(change)), []).append(
            {**change, "_id": row.household_id, "_now": now}
        )
        events.append((row.household_id, before, after))
    table = Household.__table__
    for fields, values in by_fields.items():  # one executemany per set of fields changed
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({**{name: bindparam(name) for name in fields}, "updated_at": bindparam("_now")})
        )
        db.session.connection().execute(statement, values)
    record_events(actor, "household.import_update", Household, events)


def _snapshots(ids: set[int]) -> dict[int, dict[str, Any]]:
    columns = [getattr(Household, name) for name in ("id", *UPDATABLE)]
    found = {}
    for among in one_of(Household.id, ids):
        for record in db.session.execute(select(*columns).where(among)).mappings():
            found[record["id"]] = dict(record)
    return found


def _insert_outreach(actor: User | None, rows: list[ImportRow], created: dict[int, int]) -> None:
    events = [
        {
            "household_id": created.get(row.line) or row.household_id,
            "informed_on": row.values["informed_on"],
            "channel": row.values["informed_channel"],
            "recorded_by_id": actor.id if actor else None,
            "created_at": utcnow(),
        }
        for row in rows
        if row.status in (RowStatus.NEW, RowStatus.UPDATE, RowStatus.DUPLICATE)
        and row.values.get("informed_on")
        and (created.get(row.line) or row.household_id)
    ]
    known = set()
    for among in one_of(OutreachEvent.household_id, {e["household_id"] for e in events}):
        known.update(
            tuple(row)
            for row in db.session.execute(
                select(
                    OutreachEvent.household_id, OutreachEvent.informed_on, OutreachEvent.channel
                ).where(among)
            )
        )
    events = [e for e in events if (e["household_id"], e["informed_on"], e["channel"]) not in known]
    for chunk in _chunks(events, 5000):
        db.session.execute(insert(OutreachEvent), chunk)
    refresh_informed(event["household_id"] for event in events)


def rejected_rows(analysis: ImportAnalysis) -> Iterable[list[str]]:
    """The header, then every refused row as typed, with the reasons in a last column; from
    a workbook of several sheets, each row's sheet and line in a first one. Both columns
    are left out when the file is imported again."""
    several = any(row.sheet for row in analysis.rows)
    width = len(analysis.headers)
    where = [_("Sheet")] if several else []
    yield [*where, *analysis.headers, _("Errors")]
    for row in analysis.rows:
        if row.status is RowStatus.ERROR:
            cells = [*row.cells, *[""] * (width - len(row.cells))][:width]
            place = [f"{row.sheet} · {row.sheet_line}"] if several else []
            yield [*place, *cells, " ".join(row.messages)]
