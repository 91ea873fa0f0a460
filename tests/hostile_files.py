"""Uploads built to hurt the reader: sheets whose grid calamine would allocate whole, and a
CSV field over the csv module's limit. Real files, made as an attacker would make them."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook

#: what the far cell of the hostile sheet is: 16,384 columns × 200,000 rows from A1
FAR_CELL = "XFD200000"


def far_apart_xlsx() -> bytes:
    """A 5 KB workbook holding only A1 and XFD200000 (openpyxl writes the dimension)."""
    workbook = Workbook()
    workbook.active["A1"] = "Họ và tên"
    workbook.active[FAR_CELL] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def lying_dimension_xlsx() -> bytes:
    """The same cells, with the sheet's dimension rewritten to claim just ``A1``."""
    return _rewrite_sheets(far_apart_xlsx(), b'<dimension ref="A1" />')


def no_dimension_xlsx() -> bytes:
    """The same cells, with no dimension at all."""
    return _rewrite_sheets(far_apart_xlsx(), b"")


def _rewrite_sheets(data: bytes, dimension: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for part in source.infolist():
            content = source.read(part.filename)
            if part.filename.startswith("xl/worksheets/"):
                content = re.sub(rb"<dimension [^>]*/>", dimension, content)
            target.writestr(part.filename, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def unplaced_cells_xlsx(cells: int = 20_000) -> bytes:
    """A sheet whose one row holds ``cells`` cells written without r="…" (each placed after
    the one before it), so its width shows in no reference."""
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1">'
        + b'<c t="inlineStr"><is><t>x</t></is></c>' * cells
        + b"</row></sheetData></worksheet>"
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(far_apart_xlsx())) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for part in source.infolist():
            is_sheet = part.filename == "xl/worksheets/sheet1.xml"
            content = sheet if is_sheet else source.read(part.filename)
            target.writestr(part.filename, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def long_field_csv() -> bytes:
    """A CSV whose second cell is 200 KB, over csv.field_size_limit() (128 KB)."""
    return ("Họ và tên,SĐT,Xã\n" + '"' + "a" * 200_000 + '",0912000001,Diễn Châu\n').encode()


def far_apart_xls() -> bytes:
    """A 6 KB .xls holding only A1 and IV65536, the far corner of an .xls grid: calamine
    builds 16.7 million cells (a gigabyte) for it."""
    from tests.spreadsheet_files import xls_bytes  # xlwt is a test dependency

    return xls_bytes(
        {"Sheet1": [["Họ và tên"], *[[] for _ in range(65_534)], [*[None] * 255, "x"]]}
    )


def repeated_cells_ods(rows: int = 20_000, columns: int = 1_000) -> bytes:
    """A 1.5 KB .ods whose one row, repeated, fills ``rows`` × ``columns`` cells with text:
    ten million take calamine over a gigabyte, twenty million more than its reader may use
    (``IMPORT_READER_MEMORY``), which ends the reading process."""
    from tests.spreadsheet_files import ods_archive

    return ods_archive(
        '<table:table table:name="S"><table:table-row><table:table-cell '
        'office:value-type="string"><text:p>Họ và tên</text:p></table:table-cell>'
        f'</table:table-row><table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell table:number-columns-repeated="{columns}" '
        'office:value-type="string"><text:p>x</text:p></table:table-cell>'
        "</table:table-row></table:table>"
    )
