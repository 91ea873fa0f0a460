"""Spreadsheets in and out: .xlsx and .csv files as typed in Excel, read into rows of cells,
and the one writer every export uses.

Reading serves every import (households, marketplace seller lists): the size and row limits
are checked before parsing, CSV encodings are recognised, headers are compared folded.
Writing serves every export: text that Excel would evaluate as a formula stays text.
"""

from __future__ import annotations

import csv
import io
import pickle
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _

from lms.core import calamine_reader
from lms.core.legacy_text import detect_legacy_encoding, fix_legacy_text
from lms.core.text import clean, fold

#: how many rows may precede the header row (titles, dates, blank lines)
HEADER_SEARCH_ROWS = 15

# calamine allocates the whole rectangle from A1 to the farthest cell before it returns a
# row, and aborts the process (SIGABRT, not an exception) when that allocation fails: a
# 1.5 KB file holding A1 and XFD200000 asks for 100 GB. So the sheets are measured first.
#: the widest sheet read: a household or seller list has a few dozen columns
XLSX_MAX_COLUMNS = 1_000
#: the largest rectangle read (200,000 households × 30 columns)
XLSX_MAX_CELLS = 6_000_000
#: the most an .xlsx may unpack to, all its parts together (zip bombs)
XLSX_MAX_UNPACKED_BYTES = 300 * 2**20
#: how much of a sheet's start is searched for its ``<dimension ref="…"/>``
DIMENSION_SEARCH_BYTES = 4096
CELL_REFERENCE = re.compile(rb"""\sr=["']([A-Za-z]*)([0-9]+)["']""")
CELL_OR_ROW = re.compile(rb"<(?:\w+:)?(c|row)(?=[\s/>])[^>]*")
DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\s+ref=["']([A-Za-z0-9:$]+)["']""")


@dataclass
class Sheet:
    """One sheet of a workbook (a CSV is one sheet without a name), its rows as typed."""

    name: str
    rows: list[list[Any]]


def read_table(stream: IO[bytes], filename: str) -> tuple[list[list[Any]], list[str]]:
    """The rows of the first sheet that has data (or of a CSV), and problems with the file."""
    sheets, problems, _notices = read_workbook(stream, filename)
    return (sheets[0].rows if sheets else []), problems


def read_workbook(stream: IO[bytes], filename: str) -> tuple[list[Sheet], list[str], list[str]]:
    """Every visible sheet that has data (one per village is common), the problems with the
    file, and notices of what was left out (hidden sheets, by name).

    The size limit is checked before anything is parsed.
    """
    limit = current_app.config["IMPORT_MAX_BYTES"]
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size > limit:
        return [], [_("The file is too large: at most %(mb)d MB.", mb=limit // 2**20)], []
    if size == 0:
        return [], [_("The file is empty.")], []
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(stream)
    if suffix in (".xls", ".ods"):
        return read_in_child(stream.read())
    if suffix == ".csv":
        rows, problems = read_csv(stream.read())
        return ([Sheet("", rows)] if rows else []), problems, []
    return [], [_("Only .xlsx, .xls, .ods and .csv files can be imported.")], []


def read_xlsx(stream: IO[bytes]) -> tuple[list[Sheet], list[str], list[str]]:
    """The visible sheets with data, read by calamine (Rust: ~10x openpyxl's speed) once the
    zip has shown that they fit."""
    if not zipfile.is_zipfile(stream):
        return [], [_corrupt()], []
    stream.seek(0)
    limits = _limits()
    try:
        refusal = measure_xlsx(stream, limits.max_rows)
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, EOFError):
        return [], [_corrupt()], []
    if refusal is not None:
        return [], [_corrupt() if refusal == "corrupt" else refusal], []
    stream.seek(0)
    return _sheets(calamine_reader.read_sheets(stream, limits))


def read_in_child(data: bytes) -> tuple[list[Sheet], list[str], list[str]]:
    """An .xls or .ods file, read by calamine in a child process whose memory is limited
    (``IMPORT_READER_MEMORY``): a file that describes more cells than that ends the child,
    never the web worker, and is refused."""
    limits = _limits()
    command = [
        sys.executable,
        calamine_reader.__file__,
        *map(str, (limits.max_rows, limits.max_columns, limits.max_cells)),
        str(current_app.config["IMPORT_READER_MEMORY"]),
    ]
    try:
        child = subprocess.run(  # noqa: S603 - our own script, with numbers for arguments
            command, input=data, capture_output=True, timeout=120, check=False
        )
    except subprocess.TimeoutExpired:
        return [], [_too_large(limits)], []
    if child.returncode != 0:  # killed on its memory limit, or aborted by calamine
        return [], [_too_large(limits)], []
    sheets, hidden, refusal = pickle.loads(child.stdout)  # noqa: S301 - our child's answer
    return _sheets(calamine_reader.Workbook(sheets, hidden, refusal))


def _sheets(workbook: calamine_reader.Workbook) -> tuple[list[Sheet], list[str], list[str]]:
    """A workbook calamine read as Sheets, with merged cells filled down, or its refusal."""
    limits = _limits()
    refusals = {
        calamine_reader.CORRUPT: _corrupt,
        calamine_reader.TOO_LARGE: lambda: _too_large(limits),
        calamine_reader.TOO_MANY_ROWS: lambda: _(
            "Too many rows: at most %(n)d.", n=limits.max_rows - HEADER_SEARCH_ROWS
        ),
    }
    if workbook.refusal:
        return [], [refusals[workbook.refusal]()], []
    sheets = []
    for name, rows, merged in workbook.sheets:
        fill_merged_down(rows, (0, 0), merged)
        if any(has_data(row) for row in rows):
            sheets.append(Sheet(name, rows))
    if not sheets:
        return [], [_("The sheet is empty.")], []
    notices = []
    if workbook.hidden:
        names = ", ".join(f"“{n}”" for n in workbook.hidden)
        notices.append(_("Hidden sheets were not read: %(names)s.", names=names))
    return sheets, [], notices


def _limits() -> calamine_reader.Limits:
    return calamine_reader.Limits(
        max_rows=current_app.config["IMPORT_MAX_ROWS"] + HEADER_SEARCH_ROWS,
        max_columns=XLSX_MAX_COLUMNS,
        max_cells=XLSX_MAX_CELLS,
    )


def _corrupt() -> str:
    return _(
        "The Excel file is damaged or is not a spreadsheet (.xlsx, .xls, .ods). "
        "Open it in Excel and save it again as .xlsx."
    )


def _too_large(limits: calamine_reader.Limits) -> str:
    return _(
        "The sheet is too large: at most %(rows)d rows, %(columns)d columns "
        "and %(cells)d cells in all.",
        rows=limits.max_rows - HEADER_SEARCH_ROWS,
        columns=limits.max_columns,
        cells=limits.max_cells,
    )


def fill_merged_down(
    rows: list[list[Any]],
    start: tuple[int, int] | None,
    merged: list[tuple[tuple[int, int], tuple[int, int]]],
) -> None:
    """Give every row of a vertically merged cell its value: a commune or village typed once
    and merged down a block of households belongs to each of them.

    Ranges are where Excel puts them; ``rows`` begin at ``start``, the sheet's first cell.
    Only cells inside the rows read are filled, at most ``XLSX_MAX_CELLS`` in all.
    """
    top, left = start or (0, 0)
    budget = XLSX_MAX_CELLS
    for (first_row, column), (last_row, _last_column) in merged:
        row, column = first_row - top, column - left
        if row < 0 or column < 0 or row >= len(rows) or column >= len(rows[row]):
            continue
        value = rows[row][column]
        for below in rows[row + 1 : min(last_row - top + 1, len(rows))]:
            budget -= 1
            if budget < 0:
                return
            if column < len(below) and below[column] in ("", None):
                below[column] = value


def measure_xlsx(stream: IO[bytes], max_rows: int) -> str | None:
    """Why calamine must not read this workbook (a message, or "corrupt"), or None.

    Checked from the zip alone, before calamine sees it: the unpacked size of every part,
    then each sheet's declared dimension and the cells it really holds (a dimension may be
    missing or lie), so calamine never allocates more than ``max_rows`` rows ×
    ``XLSX_MAX_COLUMNS`` columns, nor a rectangle over ``XLSX_MAX_CELLS``.
    """
    too_large = _too_large(_limits())
    with zipfile.ZipFile(stream) as archive:
        parts = archive.infolist()
        names = {part.filename for part in parts}
        if "xl/workbook.xml" not in names:  # calamine would read .xlsb or .ods inside as well
            return "corrupt"
        if sum(part.file_size for part in parts) > XLSX_MAX_UNPACKED_BYTES:
            return too_large
        unpacked = 0
        for part in parts:
            if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
                continue
            with archive.open(part) as sheet:
                head = sheet.read(DIMENSION_SEARCH_BYTES)
                match = DIMENSION.search(head)
                if match and not _fits(*_extent(match.group(1).split(b":")), max_rows):
                    return too_large
                rows = columns = cells = 0
                # rows and cells written without r="…" are placed after the one before
                # them, so each may push the grid one further: the rows without one, and
                # the most cells without one in a row, are added to the farthest reference
                unplaced_rows = unplaced_cells = in_row = 0
                chunk, tail = head, b""
                while chunk:
                    unpacked += len(chunk)
                    if unpacked > XLSX_MAX_UNPACKED_BYTES:  # the sizes declared may lie
                        return too_large
                    # only whole tags are read; the rest waits for the next chunk
                    text = tail + chunk
                    end = text.rfind(b">") + 1
                    text, tail = text[:end], text[end:]
                    if len(tail) > 2**20:  # a megabyte with no tag ending: not a sheet
                        return "corrupt"
                    # every r="…" in the text bounds the grid, inside a tag or not: a tag
                    # cut by a ">" in an attribute cannot hide its reference
                    if references := CELL_REFERENCE.findall(text):
                        rows = max(rows, *(int(number) for _letters, number in references))
                        # columns sort as (length, letters): only the widest is converted
                        widest = max((r[0].upper() for r in references), key=lambda c: (len(c), c))
                        columns = max(columns, _column_number(widest) if widest else 1)
                    for tag in CELL_OR_ROW.finditer(text):
                        is_cell = tag.group(1) == b"c"
                        cells += is_cell
                        if not is_cell:
                            in_row = 0
                        if CELL_REFERENCE.search(tag.group(0)) is None:
                            in_row += is_cell
                            unplaced_rows += not is_cell
                            unplaced_cells = max(unplaced_cells, in_row)
                    width, height = columns + unplaced_cells, rows + unplaced_rows
                    if not _fits(height, width, max_rows) or cells > XLSX_MAX_CELLS:
                        return too_large
                    chunk = sheet.read(2**20)
    return None


def _extent(references: list[bytes]) -> tuple[int, int]:
    """The rows and columns a dimension such as ``A1:XFD200000`` spans from A1."""
    last = re.fullmatch(rb"\$?([A-Za-z]{0,4})\$?([0-9]{0,10})", references[-1])
    if last is None:
        raise ValueError("dimension")
    letters, number = last.groups()
    return int(number or 1), _column_number(letters) if letters else 1


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number


def _fits(rows: int, columns: int, max_rows: int) -> bool:
    return (
        rows <= max_rows
        and columns <= XLSX_MAX_COLUMNS
        and max(rows, 1) * max(columns, 1) <= XLSX_MAX_CELLS
    )


def read_csv(data: bytes) -> tuple[list[list[Any]], list[str]]:
    text = decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error:  # a field over csv.field_size_limit() (128 KB), a NUL byte
        return [], [
            _(
                "The CSV file cannot be read: a cell is too long or the file is not text. "
                "Open it in Excel and save it again as .csv or .xlsx."
            )
        ]
    max_rows = current_app.config["IMPORT_MAX_ROWS"]
    if len(rows) > max_rows + HEADER_SEARCH_ROWS:
        return [], [_("Too many rows: at most %(n)d.", n=max_rows)]
    if not any(has_data(row) for row in rows):
        return [], [_("The sheet is empty.")]
    return rows, []


def decode_csv(data: bytes) -> str:
    """Text of a CSV saved by Excel or another program: UTF-8 (with or without BOM),
    UTF-16 (Excel's "Unicode text"), or Windows-1258 (Vietnamese Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Not UTF-8: Windows-1258, or text typed with a TCVN3 / VNI font, whose bytes only make
    # sense read as Windows-1252 (Windows-1258 reads some of them as other letters).
    western = data.decode("cp1252", errors="replace")
    if detect_legacy_encoding(re.sub(r"[,;\t\"]+", " ", western[:20000])):
        return western
    return data.decode("cp1258", errors="replace")


def has_data(row: Sequence[Any]) -> bool:
    return any(cell_text(value) for value in row)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return clean(str(value))


def header_key(header: str) -> str:
    """Headers compare folded, punctuation as spaces, legacy-encoded text converted."""
    text, _encoding = fix_legacy_text(header)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


#: how a cell Excel evaluates as a formula starts ("CSV injection"): such text is defused
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    """Text (never a number or a date) that Excel would run if it opened it as typed."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


class Percent(float):
    """A share in percent (``Percent(45.3)`` is 45,3 %): written as a number, which Excel
    shows as a percentage (never as text such as "45,3%")."""


#: the rows read before a sheet is written, to size its columns (the rest stream through)
XLSX_SIZING_ROWS = 200
XLSX_MAX_WIDTH = 50
#: characters Excel refuses in a sheet name, and its length limit
SHEET_NAME_REFUSED = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
#: an export's file name, before its date, at most this long (cut between words)
FILE_NAME_MAX = 60


def sheet_title(title: str) -> str:
    """A sheet name Excel accepts: without ``[]:*?/\\``, at most 31 characters, shortened
    between words (never inside one), "Sheet" when nothing is left."""
    words = SHEET_NAME_REFUSED.sub(" ", clean(title)).replace("'", " ").split()
    name = ""
    for word in words:
        longer = f"{name} {word}".strip()
        if len(longer) > SHEET_NAME_MAX:
            break
        name = longer
    name = name.rstrip(" -—–,;.")
    return name or (words[0][:SHEET_NAME_MAX] if words else "Sheet")


def export_filename(name: str, kind: str, day: date | None = None) -> str:
    """The file name of every export: its Vietnamese name folded to ASCII words joined by
    hyphens (cut between words), then the date: ``da-len-san-chua-dao-tao-2026-12-01.xlsx``."""
    from lms.core.models import today

    slug = ""
    for word in re.sub(r"[^a-z0-9]+", " ", fold(name)).split():
        if len(slug) + len(word) + 1 > FILE_NAME_MAX:
            break
        slug = f"{slug}-{word}" if slug else word
    return f"{slug or 'export'}-{(day or today()).isoformat()}.{kind}"


def _local(value: datetime) -> datetime:
    """A timestamp as the programme's clock shows it, without a zone (Excel has none)."""
    from lms.core.models import PROGRAMME_TIMEZONE

    if value.tzinfo is None:
        return value
    return value.astimezone(PROGRAMME_TIMEZONE).replace(tzinfo=None)


def _csv_value(value: Any) -> Any:
    if looks_like_formula(value):
        return "'" + value
    if isinstance(value, Percent):
        return round(float(value), 1)
    if isinstance(value, datetime):
        return _local(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value


def stream_csv(rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """A .csv in UTF-8 with a BOM (what Excel opens without garbling Vietnamese), produced
    a few hundred rows at a time, so a long export is never whole in memory.

    Text that looks like a formula is written behind a ``'``, which Excel does not evaluate;
    dates are written dd/mm/yyyy, percentages as numbers.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff".encode()
    for number, row in enumerate(rows, start=1):
        writer.writerow([_csv_value(value) for value in row])
        if number % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    """The whole .csv of ``stream_csv`` (for small files: reports, rejected rows)."""
    return b"".join(stream_csv(rows))


def write_xlsx(rows: Iterable[Sequence[Any]], title: str, caption: str | None = None) -> bytes:
    """The whole .xlsx of ``save_xlsx`` (for small files)."""
    buffer = io.BytesIO()
    save_xlsx(rows, buffer, title, caption)
    return buffer.getvalue()


def save_xlsx(
    rows: Iterable[Sequence[Any]], target: IO[bytes], title: str, caption: str | None = None
) -> None:
    """Write an .xlsx of one sheet to ``target``, streaming (openpyxl's write-only mode: each
    row goes to a temporary file as it comes, so 500,000 rows are never whole in memory).

    The sheet is named from ``title`` (``sheet_title``); ``caption`` (what the table is: the
    filters and the date) is a first row in a larger bold; the first row of ``rows`` is the
    header, in bold, frozen and with an autofilter; columns are as wide as their first
    rows need. Numbers keep their type, dates are Excel dates (dd/mm/yyyy), ``Percent``
    values are numbers shown as percentages; phones and CCCDs are strings, so Excel keeps
    their leading zeros; text that looks like a formula is stored as text with a quote
    prefix, so Excel neither evaluates it nor turns it into a formula when edited.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    rows = iter(rows)
    header = list(next(rows, []))
    first = [list(row) for row in islice(rows, XLSX_SIZING_ROWS)]
    columns = max(len(header), *(len(row) for row in first), 1)
    for index in range(columns):
        width = max(
            (_display_width(row[index]) for row in [header, *first] if index < len(row)),
            default=8,
        )
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(
            max(width + 2, 8), XLSX_MAX_WIDTH
        )
    header_row = 2 if caption is not None else 1
    sheet.freeze_panes = f"A{header_row + 1}"
    if caption is not None:
        sheet.append([_xlsx_cell(sheet, caption, Font(bold=True, size=12))])
    bold = Font(bold=True)
    sheet.append([_xlsx_cell(sheet, value, bold) for value in header])
    written = header_row
    for row in chain(first, rows):
        sheet.append([_xlsx_value(sheet, value) for value in row])
        written += 1
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{max(written, header_row)}"
    workbook.save(target)


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, Percent):
        return 7
    return max((len(line) for line in str(value).splitlines()), default=0)


def _xlsx_value(sheet: Any, value: Any) -> Any:
    """A plain value where openpyxl writes it right; a styled cell for the rest."""
    if isinstance(value, Percent | date) or looks_like_formula(value):
        return _xlsx_cell(sheet, value)
    return value


def _dated_cell(sheet: Any, value: Any, number_format: str) -> Any:
    """A cell with a number format, its style copied from the sheet's first such cell
    (registering the format again for every cell of a long export doubles its time)."""
    from copy import copy

    from openpyxl.cell import WriteOnlyCell

    styles = sheet.__dict__.setdefault("_lms_styles", {})
    cell = WriteOnlyCell(sheet, value=value)
    if number_format in styles:
        cell._style = copy(styles[number_format])
    else:
        cell.number_format = number_format
        styles[number_format] = copy(cell._style)
    return cell


def _xlsx_cell(sheet: Any, value: Any, font: Any = None) -> Any:
    from openpyxl.cell import WriteOnlyCell

    number_format = None
    if isinstance(value, Percent):
        value, number_format = float(value) / 100, "0.0%"
    elif isinstance(value, datetime):
        value, number_format = _local(value), "dd/mm/yyyy hh:mm"
    elif isinstance(value, date):
        number_format = "dd/mm/yyyy"
    if number_format and font is None:
        return _dated_cell(sheet, value, number_format)
    cell = WriteOnlyCell(sheet, value=value)
    if number_format:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    if looks_like_formula(value):
        cell.data_type = "s"  # openpyxl made it a formula ("f") for its leading "="
        cell.quotePrefix = True
    return cell


def export_response(
    rows: Iterable[Sequence[Any]], kind: str, name: str, title: str, caption: str | None = None
) -> Any:
    """An export to download, never whole in memory: the .csv written row by row and the
    .xlsx streamed by openpyxl, both into a temporary file (spilled to disk past a few
    megabytes) that the response is sent from. The rows are read while the request is
    still open (its database session, its language). Named by ``export_filename``."""
    import tempfile

    from flask import send_file

    spool = tempfile.SpooledTemporaryFile(max_size=8 * 2**20)  # noqa: SIM115 (send_file closes it)
    if kind == "csv":
        for chunk in stream_csv(rows):
            spool.write(chunk)
        mimetype = "text/csv"
    else:
        save_xlsx(rows, spool, title, caption)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    spool.seek(0)
    return send_file(
        spool, mimetype=mimetype, as_attachment=True, download_name=export_filename(name, kind)
    )
