"""Reading a household list: its header row recognised and every row standardised.

What commune staff type, whatever the headers (Vietnamese or English, with or without
diacritics, title rows above them), the legacy encodings (TCVN3, VNI) and the ways of writing
phones, CCCDs, communes and dates, becomes one ``ImportRow`` per household with clean values,
or with the reasons it is refused. Reading writes nothing and does not look at the registered
households: matching against the registry and committing are ``importing.py``'s; the file
formats themselves are ``lms.core.spreadsheets``'s.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.areas.models import Area, AreaLevel
from lms.auth.models import User
from lms.core.legacy_text import (
    detect_legacy_encoding,
    fix_legacy_text,
    tcvn3_to_unicode,
    vni_to_unicode,
)
from lms.core.models import today
from lms.core.scope import visible_areas
from lms.core.spreadsheets import HEADER_SEARCH_ROWS, Sheet, cell_text, header_key
from lms.core.text import clean, fold, normalize_national_id, normalize_phones
from lms.extensions import db
from lms.households.models import OutreachChannel, ProductGroup, ScaleClass
from lms.households.services import find_classification, name_problem

# fmt: off
#: column headers people type, folded (no diacritics, lower case, punctuation as spaces)
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "number": ("stt", "tt", "so tt", "so thu tu", "no"),
    "head_name": ("ho va ten", "ho ten", "ho ten chu ho", "ho va ten chu ho", "ten chu ho",
                  "chu ho", "full name", "name", "head of household", "head name"),
    "phone": ("so dien thoai", "sdt", "so dt", "dien thoai", "dt", "dtdd", "phone",
              "phone number", "mobile", "so dien thoai lien he"),
    "national_id": ("cccd", "so cccd", "can cuoc", "can cuoc cong dan", "so can cuoc",
                    "cmnd cccd", "so cmnd cccd", "cmnd", "so cmnd", "national id", "id number",
                    "national id cccd"),
    "commune": ("xa phuong", "xa", "phuong", "ten xa", "ten xa phuong", "xa phuong thi tran",
                "commune", "ward", "commune ward"),
    "commune_code": ("ma xa", "ma xa phuong", "ma dvhc", "ma don vi hanh chinh", "commune code"),
    "village": ("thon xom", "thon", "xom", "ban", "thon ban", "thon xom ban", "to dan pho",
                "village"),
    "address": ("dia chi", "address"),
    "scale_class": ("quy mo", "quy mo ho", "phan loai quy mo", "scale", "scale class"),
    "product_group": ("nhom san pham", "nhom sp", "san pham chinh", "product group"),
    "informed_on": ("ngay tuyen truyen", "ngay duoc tuyen truyen", "informed on"),
    "informed_channel": ("hinh thuc tuyen truyen", "kenh tuyen truyen", "channel",
                         "outreach channel"),
}
#: columns that carry nothing to import (row numbers, our exports' own columns): not reported
IGNORED_HEADERS = {"", "loi", "ly do", "error", "errors", "trang tinh", "sheet",
                   "da chuan hoa", "van de", "standardised", "problems"}
#: the words officials use for outreach channels, folded
CHANNEL_WORDS = {
    **dict.fromkeys(("loa truyen thanh", "loa truyen thanh xa", "loa", "loudspeaker",
                     "commune loudspeaker"), OutreachChannel.LOUDSPEAKER),
    **dict.fromkeys(("hoi nghi", "hop", "meeting"), OutreachChannel.MEETING),
    **dict.fromkeys(("lop tap huan", "tap huan", "class", "training class"), OutreachChannel.CLASS),
    **dict.fromkeys(("den tan ho", "tan ho", "door to door"), OutreachChannel.DOOR_TO_DOOR),
    **dict.fromkeys(("zalo", "nhom zalo", "zalo group"), OutreachChannel.ZALO),
    **dict.fromkeys(("khac", "other"), OutreachChannel.OTHER),
}
# fmt: on
HEADERS = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
COMMUNE_PREFIXES = ("xa ", "phuong ", "thi tran ", "dac khu ")
#: how people shorten "Xã", "Phường", "Thị trấn" (folded, punctuation as spaces)
COMMUNE_ABBREVIATIONS = {"x ": "xa ", "p ": "phuong ", "tt ": "thi tran "}
#: what a footer row starts with (folded): totals, who drew up the list, signatures
FOOTER_STARTS = (
    "tong cong", "tong so", "nguoi lap", "ky ghi ro", "ky va ghi ro", "ky ten",
    "xac nhan", "chu tich", "can bo", "truong thon", "truong ban", "ghi chu",
)  # fmt: skip
#: how a heading row inside a list begins, as typed (not folded: "Tô" is a family name,
#: "Tổ" a street group): the village or the commune of the households below it
VILLAGE_WORDS = ("thôn", "xóm", "bản", "làng", "ấp", "khối", "tổ dân phố")
#: "Tổ 5": a street group is "tổ" followed by its number
STREET_GROUP = re.compile(r"tổ \d")
COMMUNE_WORDS = ("xã", "phường", "thị trấn")
COMMUNE_COLUMNS = ("commune", "commune_code")
#: the numbering beside such a heading: I, II, … or A, B, … or 1, 2.
ROW_NUMBER = re.compile(r"(?i)[ivxlc]+\.?|[a-z]\.?|\d+[.)]?")
#: a place-and-date line above the signatures: "Nghệ An, ngày … tháng … năm …"
FOOTER_DATE_LINE = re.compile(r"\bngay\b.*\bthang\b.*\bnam\b")
TEXT_FIELDS = (
    "head_name",
    "commune",
    "village",
    "address",
    "scale_class",
    "product_group",
    "informed_channel",
)
LEGACY_DECODERS = {"tcvn3": tcvn3_to_unicode, "vni": vni_to_unicode}
#: how many rows of a sheet decide the legacy encoding of its columns
ENCODING_SAMPLE_ROWS = 500


class RowStatus(StrEnum):
    NEW = "new"
    UPDATE = "update"
    DUPLICATE = "duplicate"
    #: matches a household by phone or CCCD but disagrees on who it is: a person decides
    CONFLICT = "conflict"
    ERROR = "error"


@dataclass
class ImportRow:
    #: the row's number in the file, as Excel shows it
    line: int
    #: the cells as typed, kept for refused rows only (the rejected-rows file)
    cells: list[Any]
    values: dict[str, Any] = field(default_factory=dict)
    status: RowStatus = RowStatus.NEW
    #: reasons and notes, already in the user's language
    messages: list[str] = field(default_factory=list)
    #: the registered household this row matches (update / duplicate)
    household_id: int | None = None
    #: how many of ``messages`` come from standardising (the rest from matching)
    notes: int = 0
    #: the sheet the row is on, when the workbook has several, and its row number there
    #: (``line`` then counts on through the sheets, so that it names one row of the file)
    sheet: str | None = None
    sheet_line: int | None = None

    @property
    def place(self) -> str:
        """Where the row is, for the CLI: "line 3", or "sheet Thôn 1 line 3"."""
        if self.sheet:
            return f"sheet {self.sheet} line {self.sheet_line}"
        return f"line {self.line}"

    def refuse(self, message: str) -> None:
        self.status = RowStatus.ERROR
        self.messages.append(message)


@dataclass
class ImportAnalysis:
    headers: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)
    #: problems with the whole file: when there is one, nothing can be imported
    problems: list[str] = field(default_factory=list)
    #: how a person resolved each conflict, by line (as text, JSON's keys):
    #: {"choice": "keep" | "take", "household_id": the household it was decided against}
    resolutions: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: what was left out of the file and why (footer rows…), in the user's language
    notices: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(RowStatus, 0)
        for row in self.rows:
            counts[row.status] += 1
        return {status.value: n for status, n in counts.items()}

    @property
    def can_commit(self) -> bool:
        """A file without problems commits, even when every row is a duplicate: that still
        records its outreach dates and closes the import."""
        return not self.problems and any(row.status is not RowStatus.ERROR for row in self.rows)


def standardise(
    actor: User | None,
    rows: list[list[Any]] | list[Sheet],
    problems: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
    notices: list[str] | None = None,
) -> ImportAnalysis:
    """Find the header row of each sheet (``rows``: one sheet's rows, or the sheets of a
    workbook), then standardise every row below it: each is new, or refused with its
    reasons. With several sheets, one without a header or a commune column is skipped with
    a notice naming it (a summary sheet). Problems with the whole file (``problems``: those
    found reading it) leave no rows; ``notices`` (what reading left out) are kept.

    ``actor`` None is the system (the CLI), whose scope is everything: a row whose commune is
    outside the actor's scope is refused.
    """
    analysis = ImportAnalysis(problems=list(problems or []), notices=list(notices or []))
    if analysis.problems:
        return analysis
    sheets = rows if rows and isinstance(rows[0], Sheet) else [Sheet("", rows)]  # type: ignore[list-item]
    several = len(sheets) > 1
    context: _Context | None = None
    base, footers, headings, read = 0, [], [], 0
    for sheet in sheets:
        sheet_rows: list[list[Any]] = sheet.rows  # type: ignore[union-attr]
        sheet_name = sheet.name if several else None  # type: ignore[union-attr]
        found = _read_header(analysis, sheet_rows, sheet_name)
        if found is None:
            base += len(sheet_rows)
            continue
        header_index, columns, layout = found
        read += 1
        context = context or _Context(actor)
        context.column_encodings = _column_encodings(sheet_rows[header_index + 1 :], columns)
        group: dict[str, str] = {}  # the village and commune of the last heading rows
        informed_column = next((i for i, name in columns.items() if name == "informed_on"), -1)
        for offset, cells in enumerate(sheet_rows[header_index + 1 :], start=header_index + 2):
            if progress:
                progress(1)
            texts = [cell_text(value) for value in cells]
            if not any(texts):
                continue
            place = f"{sheet_name} {offset}" if sheet_name else str(offset)
            if is_footer(texts):
                footers.append(place)
                continue
            if heading := _heading(texts, columns, context):
                kind, text = heading
                group[kind] = text
                if kind == "commune":
                    group.pop("village", None)  # a new commune's villages are its own
                headings.append(place)
                continue
            typed = cells if layout is None else _in_layout(cells, layout, len(analysis.headers))
            row = ImportRow(base + offset, typed, sheet=sheet_name, sheet_line=offset)
            # each field's text, but a date as Excel holds it
            record = {name: texts[i] for i, name in columns.items() if name and i < len(texts)}
            if record.get("informed_on"):
                record["informed_on"] = cells[informed_column]
            if group.get("village") and not record.get("village"):
                record["village"] = group["village"]
            if group.get("commune") and not (record.get("commune") or record.get("commune_code")):
                record["commune"] = group["commune"]
            _standardise(row, record, context)
            analysis.rows.append(row)
        base += len(sheet_rows)
    if not read:
        if not analysis.problems:
            analysis.problems.append(no_header_message())
        return analysis
    if footers:
        analysis.notices.append(
            _(
                "Lines %(lines)s are totals or signatures, not households: they were skipped.",
                lines=", ".join(footers),
            )
        )
    if headings:
        analysis.notices.append(
            _(
                "Lines %(lines)s name a village or commune, not a household: the rows below "
                "them that leave it empty take it.",
                lines=", ".join(headings),
            )
        )
    if not analysis.rows:
        analysis.problems.append(_("The sheet has a header but no household rows."))
    return analysis


def no_header_message() -> str:
    return _(
        "No header row found. The first rows must name the columns, e.g. "
        "“Họ và tên”, “Số điện thoại”, “CCCD”, “Xã/Phường”, “Thôn/Xóm”."
    )


def _read_header(
    analysis: ImportAnalysis, rows: list[list[Any]], sheet: str | None
) -> tuple[int, dict[int, str | None], dict[int, int] | None] | None:
    """The header row of a sheet, the field of each column and, when its columns are not
    the first sheet's, where each goes among ``analysis.headers`` (to which its own are
    added): the rows refused from every sheet then make one table. None when the sheet has
    no usable header: then a problem (one sheet) or a notice naming it (several)."""
    header_index = _find_header(rows)
    if header_index is None:
        if sheet is None:
            analysis.problems.append(no_header_message())
        else:
            analysis.notices.append(
                _("The sheet “%(name)s” has no header row: it was skipped.", name=sheet)
            )
        return None
    headers = [cell_text(value) for value in rows[header_index]]
    columns = {i: HEADERS.get(header_key(h)) for i, h in enumerate(headers)}
    if not {"commune", "commune_code"} & set(columns.values()):
        message = _("The file needs a commune column (“Xã/Phường” or “Mã xã”).")
        if sheet is None:
            analysis.problems.append(message)
        else:
            analysis.notices.append(
                _("The sheet “%(name)s” has no commune column: it was skipped.", name=sheet)
            )
        return None
    layout = None
    if not analysis.headers:
        analysis.headers = headers
    elif headers != analysis.headers[: len(headers)]:
        keys = [header_key(h) for h in analysis.headers]
        layout = {}
        for i, h in enumerate(headers):
            if header_key(h) not in keys:
                analysis.headers.append(h)
                keys.append(header_key(h))
            layout[i] = keys.index(header_key(h))
    for i, h in enumerate(headers):
        unknown = columns[i] is None and header_key(h) not in IGNORED_HEADERS
        if unknown and h not in analysis.unknown_columns:
            analysis.unknown_columns.append(h)
    return header_index, columns, layout


def _in_layout(cells: list[Any], layout: dict[int, int], width: int) -> list[Any]:
    """A row's cells moved under the first sheet's headers."""
    placed: list[Any] = [None] * width
    for i, value in enumerate(cells):
        if i in layout:
            placed[layout[i]] = value
    return placed


def is_footer(texts: list[str]) -> bool:
    """A row below the households that is not one: "Tổng cộng: 12 hộ", "Người lập biểu",
    "(Ký, ghi rõ họ tên)", "Nghệ An, ngày 5 tháng 3 năm 2025". Such a row fills at most
    three cells, and one of them starts with a footer word or is a place-and-date line.
    ``texts``: the row's cells as text (``cell_text``)."""
    texts = [text for text in texts if text]
    if not texts or len(texts) > 3 or any(normalize_phones(text) for text in texts):
        return False
    for text in texts:
        key = header_key(text)
        if FOOTER_DATE_LINE.search(key):
            return True
        if any(key == start or key.startswith(start + " ") for start in FOOTER_STARTS):
            return True
    return False


def _heading(
    texts: list[str], columns: dict[int, str | None], context: _Context
) -> tuple[str, str] | None:
    """A row inside the list that heads a group of households rather than being one:
    "II | Xóm 2", "Tổ 5" or "Xã Quỳnh Lưu", with a roman numeral or a letter at most beside
    it (households are numbered 1, 2, 3…), and a commune filled down beside a village.
    ``texts``: the row's cells as text. Returns ("village" | "commune", the text as typed,
    which the rows below are read with as if they had it in their own cell)."""
    if sum(map(bool, texts)) > 3:
        return None
    numbers = [texts[i] for i, name in columns.items() if name == "number" and i < len(texts)]
    if any(number.isdigit() for number in numbers):  # households are numbered 1, 2, 3…
        return None
    filled = [
        (index, text)
        for index, text in enumerate(texts)
        if text
        and columns.get(index) != "number"
        # numbering in a column of its own; in a named one ("D", "0912…") it is data
        and not (columns.get(index) is None and ROW_NUMBER.fullmatch(text))
    ]
    if len(filled) == 2:  # a commune merged down the block, beside a village heading
        filled = [(i, text) for i, text in filled if columns.get(i) not in COMMUNE_COLUMNS]
    if len(filled) != 1:
        return None
    words = [filled[0][1]]
    text, _encoding = _fix_text(words[0], context.column_encodings.get("head_name"))
    lowered = clean(text).lower()
    if STREET_GROUP.match(lowered):
        return "village", words[0]
    for kind, starts in (("village", VILLAGE_WORDS), ("commune", COMMUNE_WORDS)):
        if any(lowered.startswith(start + " ") for start in starts):
            return kind, words[0]
    return None


def _column_encodings(rows: list[list[Any]], columns: dict[int, str | None]) -> dict[str, str]:
    """The legacy encoding of each text column, judged on the column, and else on the
    sheet: a short cell alone ("Hé") can be read either way, a column of them cannot; and
    a column of "Nghi Léc" reads as Unicode until the names beside it show that the sheet
    was typed in TCVN3. The first ``ENCODING_SAMPLE_ROWS`` rows are judged."""
    encodings = {}
    sample = rows[:ENCODING_SAMPLE_ROWS]
    for index, name in columns.items():
        if name in TEXT_FIELDS:
            text = "\n".join(cell_text(row[index]) for row in sample if index < len(row))
            encoding = detect_legacy_encoding(text)
            if encoding:
                encodings[name] = encoding
    if len(set(encodings.values())) == 1:  # the sheet's, unless its columns disagree
        sheet_encoding = next(iter(encodings.values()))
        for name in set(columns.values()) & set(TEXT_FIELDS):
            encodings.setdefault(name, sheet_encoding)
    return encodings


@lru_cache(maxsize=200_000)
def _fix_text(text: str, column_encoding: str | None) -> tuple[str, str | None]:
    """A cell as Unicode, and the legacy encoding it was converted from. In a column of a
    known encoding, a cell it explains (Latin-1 letters only, some not ASCII) is converted
    without judging it alone; others are judged alone. Cached: the same village, commune
    and class names repeat on thousands of rows."""
    if column_encoding and not text.isascii() and all(ord(char) < 256 for char in text):
        return unicodedata.normalize("NFC", LEGACY_DECODERS[column_encoding](text)), column_encoding
    return fix_legacy_text(text)


def _find_header(rows: list[list[Any]]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        fields = {HEADERS.get(header_key(cell_text(value))) for value in row}
        if "head_name" in fields and fields & {"phone", "national_id", "commune", "commune_code"}:
            return index
    return None


class _Context:
    """What every row is checked against, loaded once per analysis."""

    def __init__(self, actor: User | None) -> None:
        self.actor = actor
        self.column_encodings: dict[str, str] = {}
        every_area = list(db.session.scalars(select(Area)))
        in_scope = (
            set(db.session.scalars(select(Area.id).where(visible_areas(actor))))
            if actor is not None
            else {area.id for area in every_area}
        )
        self.in_scope = in_scope
        self.by_code = {area.code: area for area in every_area}
        self.by_name: dict[str, list[Area]] = {}
        for area in every_area:
            if area.level is not AreaLevel.COMMUNE:
                continue
            for key in _name_keys(area.name):
                self.by_name.setdefault(key, []).append(area)
        self.scale_classes = _class_index(ScaleClass)
        self.product_groups = _class_index(ProductGroup)
        self._converted: dict[str, str] = {}

    def converted_message(self, encodings: str) -> str:
        """ "Converted from TCVN3 to Unicode.", translated once per file, not per row."""
        if encodings not in self._converted:
            self._converted[encodings] = _(
                "Converted from %(encoding)s to Unicode.", encoding=encodings
            )
        return self._converted[encodings]


def _name_keys(name: str) -> set[str]:
    """The names a commune is looked up by: folded, with and without "Xã", "P.", "TT.", and
    without what follows a comma ("Xã Quỳnh Lưu, huyện Quỳnh Lưu")."""
    key = fold(name)
    keys = {key}
    short = header_key(key.split(",")[0])
    keys.add(short)
    expanded = _expanded(short)
    keys.add(expanded)
    for prefix in (*COMMUNE_PREFIXES, *COMMUNE_ABBREVIATIONS):
        for candidate in (key, short, expanded):
            if candidate.startswith(prefix):
                keys.add(candidate.removeprefix(prefix).strip())
    keys.discard("")
    return keys


def _expanded(key: str) -> str:
    """ "x quynh luu" as "xa quynh luu": the abbreviation written out."""
    for short, full in COMMUNE_ABBREVIATIONS.items():
        if key.startswith(short):
            return full + key.removeprefix(short)
    return key


def _class_index(model: type[ScaleClass] | type[ProductGroup]) -> dict[str, int]:
    index = {}
    for record in db.session.scalars(select(model).where(model.is_active)):
        index[fold(record.name)] = record.id
        index[fold(record.code)] = record.id
    return index


def _standardise(row: ImportRow, record: dict[str, Any], context: _Context) -> None:
    values: dict[str, Any] = {}
    converted = set()
    for name in TEXT_FIELDS:
        text, encoding = _fix_text(record.get(name, ""), context.column_encodings.get(name))
        if encoding:  # a converted text is cleaned again; a cell's text is clean already
            converted.add(encoding.upper())
            text = clean(text)
        values[name] = text
    if converted:
        row.messages.append(context.converted_message(", ".join(sorted(converted))))

    values["head_name"] = _name_case(values["head_name"])
    if not values["head_name"]:
        row.refuse(_("The name of the head of household is missing."))
    elif problem := _name_problem(values["head_name"]):
        row.refuse(str(problem))

    raw_phone = record.get("phone", "")
    phones = normalize_phones(raw_phone)
    values["phone"] = phones[0] if phones else None
    if raw_phone and values["phone"] is None:
        row.refuse(_("The phone number “%(phone)s” is not valid.", phone=raw_phone))
    if len(phones) > 1:  # the first is the household's phone; the others are kept in sight
        row.messages.append(_("Other phone: %(phones)s", phones=", ".join(phones[1:])))

    values["national_id"] = _national_id(row, record.get("national_id"))
    values["area_id"] = _commune(row, record, values["commune"], context)
    values["scale_class_id"] = _classification(
        row, values.pop("scale_class"), context.scale_classes, _l("scale class")
    )
    values["product_group_id"] = _classification(
        row, values.pop("product_group"), context.product_groups, _l("product group")
    )
    values["informed_on"], values["informed_channel"] = _outreach(
        row, record.get("informed_on"), values.pop("informed_channel")
    )
    values.pop("commune")
    values["number"] = record.get("number") or None  # the file's STT, shown back
    row.values = values
    row.notes = len(row.messages)


#: the same names recur over a province's lists: each is checked once
_name_problem = lru_cache(maxsize=100_000)(name_problem)


def _name_case(name: str) -> str:
    """NGUYỄN THỊ HƯƠNG or nguyễn thị hương becomes Nguyễn Thị Hương; mixed case is kept."""
    if name and (name.isupper() or name.islower()):
        return " ".join(word.capitalize() for word in name.split())
    return name


def _national_id(row: ImportRow, value: Any) -> str | None:
    raw = cell_text(value)
    if not raw or "*" in raw:  # empty, or masked by one of our own exports
        return None
    if re.fullmatch(r"[1-9]\d{10}", re.sub(r"[\s.]", "", raw)):
        # Excel drops the leading zero of a CCCD typed as a number, in the workbook and in
        # the CSV it saves (every CCCD starts with 0): both formats read it back the same
        raw = "0" + re.sub(r"[\s.]", "", raw)
    national_id = normalize_national_id(raw)
    if national_id is None:
        row.refuse(_("The national ID (CCCD) “%(value)s” must be exactly 12 digits.", value=raw))
    return national_id


def _commune(row: ImportRow, record: dict[str, Any], name: str, context: _Context) -> int | None:
    code = cell_text(record.get("commune_code"))
    if not code and name.isdigit():
        code, name = name, ""
    if code:
        area = context.by_code.get(code)
        if area is None or area.level is not AreaLevel.COMMUNE:
            row.refuse(_("No commune has the code %(code)s.", code=code))
            return None
    elif name:
        short = header_key(fold(name).split(",")[0])
        candidates = context.by_name.get(fold(name)) or context.by_name.get(_expanded(short)) or []
        if not candidates:
            candidates = [a for key in _name_keys(name) for a in context.by_name.get(key, [])]
        current = [a for a in dict.fromkeys(candidates) if a.merged_into_id is None]
        candidates = list(dict.fromkeys(candidates))
        if len(candidates) > 1 and len(current) == 1:
            candidates = current
        if not candidates:
            row.refuse(_("The commune “%(name)s” was not found.", name=name))
            return None
        if len(candidates) > 1:
            row.refuse(_("“%(name)s” matches several communes: use the commune code.", name=name))
            return None
        area = candidates[0]
    else:
        row.refuse(_("The commune is missing."))
        return None
    merged_from = area
    while area.merged_into is not None:
        area = area.merged_into
    if area is not merged_from:
        row.messages.append(
            _("%(old)s was merged into %(new)s.", old=merged_from.name, new=area.name)
        )
    if area.id not in context.in_scope:
        row.refuse(_("%(name)s is not in your area.", name=area.name))
        return None
    return area.id


def _classification(row: ImportRow, text: str, index: dict[str, int], what: Any) -> int | None:
    if not text:
        return None
    found = find_classification(index, text)
    if found is None:
        row.refuse(_("Unknown %(what)s “%(value)s”.", what=str(what), value=text))
    return found


def _outreach(row: ImportRow, when: Any, channel_text: str) -> tuple[date | None, str | None]:
    if when in (None, ""):
        return None, None
    informed_on = _parse_date(when)
    if informed_on is None or informed_on > today():
        row.refuse(
            _(
                "The outreach date “%(value)s” is not a valid past date (dd/mm/yyyy).",
                value=cell_text(when),
            )
        )
        return None, None
    channel = CHANNEL_WORDS.get(
        header_key(channel_text), OutreachChannel.OTHER if not channel_text else None
    )
    if channel is None:
        row.refuse(_("Unknown outreach channel “%(value)s”.", value=channel_text))
        return None, None
    return informed_on, channel.value


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None
