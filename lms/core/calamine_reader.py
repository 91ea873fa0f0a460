"""Workbook sheets read by calamine, in this process or in a child process of its own.

calamine builds the whole rectangle of a sheet from A1 to its farthest cell before Python
sees a row, and aborts the process when that allocation fails. An .xlsx is measured from its
zip before calamine opens it (``spreadsheets.measure_xlsx``); the older formats (.xls, a
binary OLE file, and .ods, whose repeated rows and cells let 1.5 KB describe ten million
cells) are read here run as a script, in a child process with a memory limit, so a hostile
file ends that child and nothing else.

This module imports neither Flask nor the application: the child starts in a fraction of a
second. It answers in pickle on stdout, to the parent that started it and trusts it.
"""

from __future__ import annotations

import io
import pickle
import resource
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

#: why a workbook was not read (the parent words the message)
CORRUPT = "corrupt"
TOO_LARGE = "too_large"
TOO_MANY_ROWS = "too_many_rows"


@dataclass
class Limits:
    max_rows: int
    max_columns: int
    max_cells: int


@dataclass
class Workbook:
    """The visible sheets (name, rows from A1), the hidden sheets' names, or a refusal."""

    sheets: list[tuple[str, list[list[Any]], list]] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    refusal: str | None = None


def read_sheets(stream: IO[bytes], limits: Limits) -> Workbook:
    """Every sheet's rows as typed, counted from A1 so that a row's index is its line in
    Excel less one, with its merged ranges; refused whole when a sheet is too large."""
    workbook = Workbook()
    height = 0
    try:
        calamine = CalamineWorkbook.from_filelike(stream)
        for index, metadata in enumerate(calamine.sheets_metadata):
            if metadata.visible != SheetVisibleEnum.Visible:
                workbook.hidden.append(metadata.name)
                continue
            sheet = calamine.get_sheet_by_index(index)
            rows, columns = sheet.end if sheet.end else (-1, -1)
            rows, columns = rows + 1, columns + 1
            height += rows
            if height > limits.max_rows:
                return Workbook(refusal=TOO_MANY_ROWS)
            if columns > limits.max_columns or rows * columns > limits.max_cells:
                return Workbook(refusal=TOO_LARGE)
            merged = list(sheet.merged_cell_ranges or [])
            workbook.sheets.append((metadata.name, sheet.to_python(skip_empty_area=False), merged))
    except (CalamineError, ValueError, KeyError, OSError):
        return Workbook(refusal=CORRUPT)
    return workbook


def _main() -> None:
    max_rows, max_columns, max_cells, memory = (int(arg) for arg in sys.argv[1:5])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    data = io.BytesIO(sys.stdin.buffer.read())
    workbook = read_sheets(data, Limits(max_rows, max_columns, max_cells))
    # plain values: a class pickled from a script would be ``__main__``'s
    answer = (workbook.sheets, workbook.hidden, workbook.refusal)
    pickle.dump(answer, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    _main()
