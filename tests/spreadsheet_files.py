"""Workbooks in the older formats communes still save: .xls (Excel 97–2003, written by
xlwt as Excel writes it) and .ods (OpenDocument, as LibreOffice writes it), built in tests."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

import xlwt

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def xls_bytes(
    sheets: dict[str, list[list]],
    hidden: tuple[str, ...] = (),
    merged: dict[str, list[tuple[int, int, int]]] | None = None,
) -> bytes:
    """An .xls file; ``merged`` gives per sheet (first row, last row, column), 0-based, of
    cells merged down (the first row's value is the one written)."""
    book = xlwt.Workbook(encoding="utf-8")
    for title, rows in sheets.items():
        sheet = book.add_sheet(title)
        downs = {(first, column): last for first, last, column in (merged or {}).get(title, [])}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if (r, c) in downs:
                    sheet.write_merge(r, downs[r, c], c, c, value)
                elif value is not None and not any(
                    first < r <= last and c == column for (first, column), last in downs.items()
                ):
                    sheet.write(r, c, value)
        if title in hidden:
            sheet.visibility = 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ods_bytes(sheets: dict[str, list[list]], repeat: dict[str, int] | None = None) -> bytes:
    """An .ods file. ``repeat`` appends to a sheet the row LibreOffice writes below the data
    (empty cells repeated to the edge of the grid), as ``{sheet: rows repeated}``."""
    tables = []
    for title, rows in sheets.items():
        body = []
        for row in rows:
            cells = "".join(_ods_cell(value) for value in row)
            body.append(f"<table:table-row>{cells}</table:table-row>")
        if repeat and title in repeat:
            body.append(
                f'<table:table-row table:number-rows-repeated="{repeat[title]}">'
                '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
            )
        tables.append(f"<table:table table:name={quoteattr(title)}>{''.join(body)}</table:table>")
    return ods_archive("".join(tables))


def ods_archive(tables: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {ODS_NAMESPACES} office:version="1.2"><office:body>'
        f"<office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return buffer.getvalue()


def _ods_cell(value) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'
