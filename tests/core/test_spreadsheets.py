"""The one spreadsheet writer: every export's .xlsx and .csv, safe to open in Excel."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from lms.core.spreadsheets import write_csv, write_xlsx
from lms.extensions import db
from tests.builders import make_household

FORMULA = '=HYPERLINK("http://x","y")'
#: Excel has no time zones: an export writes local times, naive
EIGHT_AM = datetime(2025, 3, 1, 8)  # noqa: DTZ001
DANGEROUS = [FORMULA, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"]


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_a_household_named_like_a_formula_is_exported_as_text(world, client_for):
    make_household(head_name=FORMULA, area=world.commune_2, village="@Thôn 1")
    db.session.commit()
    client = client_for(world.official_2)

    rows = _csv_rows(client.get("/households/export.csv").data)
    names = {row[1]: row for row in rows[1:]}
    assert "'" + FORMULA in names
    assert names["'" + FORMULA][6] == "'@Thôn 1"

    sheet = _sheet(client.get("/households/export.xlsx").data)
    cells = {row[1].value: row for row in sheet.iter_rows(min_row=3)}  # caption, header
    assert cells[FORMULA][1].data_type != "f"
    assert cells[FORMULA][6].value == "@Thôn 1"


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_excel_would_evaluate_is_defused_in_both_formats(app, text):
    rows = [["Name"], [text]]
    assert _csv_rows(write_csv(rows))[1] == ["'" + text]
    cell = _sheet(write_xlsx(iter(rows), "Sheet"))["A2"]
    assert cell.value == text  # a carriage return is written as &#13;, read back as typed
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_a_header_that_looks_like_a_formula_is_text_too(app):
    cell = _sheet(write_xlsx([["=1+1"], []], "Sheet"))["A1"]
    assert cell.value == "=1+1" and cell.data_type == "s" and cell.font.bold


def test_numbers_stay_numbers_and_dates_stay_dates(app):
    rows = [
        ["n", "x", "day", "at", "text"],
        [-5, 2.5, date(2025, 3, 1), EIGHT_AM, "a-b"],
    ]
    sheet = _sheet(write_xlsx(rows, "Sheet"))
    values = [cell.value for cell in sheet[2]]
    assert values == [-5, 2.5, EIGHT_AM.replace(hour=0), EIGHT_AM, "a-b"]
    assert [cell.data_type for cell in sheet[2]] == ["n", "n", "d", "d", "s"]
    assert _csv_rows(write_csv(rows))[1] == [  # as Vietnamese Excel reads them
        "-5",
        "2.5",
        "01/03/2025",
        "01/03/2025 08:00",
        "a-b",
    ]


def test_phones_keep_their_leading_zero(app):
    sheet = _sheet(write_xlsx([["Phone"], ["0912345678"]], "Sheet"))
    assert sheet["A2"].value == "0912345678"


def test_xlsx_caption_comes_before_a_bold_header(app):
    sheet = _sheet(write_xlsx([["Commune", "Households"], ["Xã A", 3]], "Tổng quan", "Caption"))
    assert sheet.title == "Tổng quan"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Caption", None],
        ["Commune", "Households"],
        ["Xã A", 3],
    ]
    assert sheet["A1"].font.bold and sheet["A1"].font.size == 12
    assert sheet["A2"].font.bold and not sheet["A3"].font.bold


def test_sheet_title_is_cut_to_excels_31_characters(app):
    assert _sheet(write_xlsx([["a"]], "x" * 40)).title == "x" * 31


def test_csv_has_a_bom_for_excel(app):
    assert write_csv([["Họ và tên"]]).startswith(b"\xef\xbb\xbf")
