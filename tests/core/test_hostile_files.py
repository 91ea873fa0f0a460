"""Spreadsheets that attack the reader: no upload may crash the process reading it."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile

import pytest

from lms.core import spreadsheets
from lms.core.spreadsheets import read_table
from tests.hostile_files import (
    far_apart_xlsx,
    long_field_csv,
    lying_dimension_xlsx,
    no_dimension_xlsx,
    unplaced_cells_xlsx,
)

TOO_LARGE = "Trang tính quá lớn: tối đa 200000 dòng, 1000 cột và tổng cộng 6000000 ô."

#: calamine read in a child process whose address space is capped at 2 GB
CALAMINE_ALONE = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
from python_calamine import CalamineWorkbook
CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()
"""


def test_the_hostile_workbook_is_small_and_declares_the_whole_grid():
    data = far_apart_xlsx()
    assert len(data) < 10_000
    # openpyxl writes `<dimension ref="…" />`, or `<dimension ref="…"/>` when lxml is there
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
        assert re.search(rb'<dimension ref="A1:XFD200000" ?/>', sheet)
    with zipfile.ZipFile(io.BytesIO(lying_dimension_xlsx())) as archive:
        assert b'<dimension ref="A1" />' in archive.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("build", [far_apart_xlsx, lying_dimension_xlsx])
def test_calamine_alone_aborts_on_it_whatever_the_dimension_says(build, tmp_path):
    """Why the guard exists: calamine sizes the grid from the cells, not the dimension,
    and a failed allocation aborts the process (no Python exception to catch)."""
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(build())
    child = subprocess.run(
        [sys.executable, "-c", CALAMINE_ALONE, str(path)], capture_output=True, timeout=120
    )
    assert child.returncode != 0 and b"memory allocation" in child.stderr


@pytest.mark.parametrize("build", [far_apart_xlsx, lying_dimension_xlsx, no_dimension_xlsx])
def test_a_grid_too_large_is_refused_before_calamine_reads_it(app, build):
    with app.test_request_context():
        assert read_table(io.BytesIO(build()), "ds.xlsx") == ([], [TOO_LARGE])


def test_cells_without_references_count_towards_the_width(app):
    with app.test_request_context():
        assert read_table(io.BytesIO(unplaced_cells_xlsx()), "ds.xlsx") == ([], [TOO_LARGE])
        rows, problems = read_table(io.BytesIO(unplaced_cells_xlsx(cells=50)), "ds.xlsx")
    assert problems == [] and rows == [["x"] * 50]


def test_a_zip_bomb_is_refused_from_its_unpacked_size(app, monkeypatch):
    monkeypatch.setattr(spreadsheets, "XLSX_MAX_UNPACKED_BYTES", 1_000_000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + " " * 2_000_000)
    assert len(out.getvalue()) < 20_000
    with app.test_request_context():
        assert read_table(out, "ds.xlsx") == ([], [TOO_LARGE])


def test_a_sheet_at_the_limits_is_still_read(app):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "Họ và tên"
    workbook.active["ALL5"] = "x"  # column 1000
    buffer = io.BytesIO()
    workbook.save(buffer)
    with app.test_request_context():
        rows, problems = read_table(buffer, "ds.xlsx")
    assert problems == [] and len(rows) == 5 and len(rows[0]) == 1000


def test_a_csv_field_over_128_kb_is_refused_not_a_crash(app):
    with app.test_request_context():
        rows, problems = read_table(io.BytesIO(long_field_csv()), "ds.csv")
    assert rows == [] and problems == [
        "Không đọc được tệp CSV: có ô quá dài hoặc tệp không phải văn bản. "
        "Hãy mở tệp bằng Excel rồi lưu lại dưới dạng .csv hoặc .xlsx."
    ]
