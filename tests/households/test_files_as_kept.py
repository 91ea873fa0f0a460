"""Files as communes really keep them: footers below the list, communes typed loosely,
workbooks of several sheets, .xls and .ods."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from lms.areas.models import AreaLevel
from lms.extensions import db
from lms.households import importing
from lms.households.reading import RowStatus
from tests.builders import make_area
from tests.households.test_importing import run
from tests.spreadsheet_files import ods_bytes, xls_bytes


@pytest.fixture
def quynh_luu(app):
    province = make_area(code="40", name="Tỉnh Nghệ An", level=AreaLevel.PROVINCE)
    commune = make_area(code="17170", name="Xã Quỳnh Lưu", parent=province)
    ward = make_area(code="17171", name="Phường Hoàng Mai", parent=province)
    town = make_area(code="17172", name="Thị trấn Cầu Giát", parent=province)
    db.session.commit()
    return commune, ward, town


def test_footer_rows_are_skipped_with_a_notice(quynh_luu):
    analysis = run(
        [
            ["Họ và tên", "Số điện thoại", "Xã/Phường"],
            ["Nguyễn Văn An", "0912000001", "Xã Quỳnh Lưu"],
            ["Tổng cộng: 12 hộ"],
            [None, "Nghệ An, ngày 5 tháng 3 năm 2025"],
            ["Người lập biểu", None, "Chủ tịch UBND xã"],
            ["(Ký, ghi rõ họ tên)"],
        ]
    )
    assert [(row.line, row.status) for row in analysis.rows] == [(2, RowStatus.NEW)]
    assert len(analysis.notices) == 1
    assert "3, 4, 5, 6" in analysis.notices[0]


def test_a_household_named_like_a_footer_word_is_still_a_household(quynh_luu):
    analysis = run(
        [
            ["Họ và tên", "Số điện thoại", "Xã/Phường"],
            ["Tống Văn Cộng", "0912000001", "Xã Quỳnh Lưu"],
            ["Tổng Cộng", "0912000002", "Xã Quỳnh Lưu"],
        ]
    )
    assert [row.status for row in analysis.rows] == [RowStatus.NEW, RowStatus.NEW]
    assert analysis.notices == []


@pytest.mark.parametrize(
    ("typed", "which"),
    [
        ("X. Quỳnh Lưu", 0),
        ("Xã Quỳnh Lưu, huyện Quỳnh Lưu", 0),
        ("xa quynh luu", 0),
        ("X.Quỳnh Lưu", 0),
        ("Quỳnh Lưu, Nghệ An", 0),
        ("P. Hoàng Mai", 1),
        ("p hoang mai, tx Hoàng Mai", 1),
        ("TT. Cầu Giát", 2),
        ("tt cau giat", 2),
    ],
)
def test_communes_as_people_type_them(quynh_luu, typed, which):
    analysis = run([["Họ và tên", "SĐT", "Xã/Phường"], ["Nguyễn Văn An", "0912000001", typed]])
    assert analysis.rows[0].values["area_id"] == quynh_luu[which].id


HEADER = ["Họ và tên", "Số điện thoại", "Xã/Phường"]


def workbook(sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def test_every_visible_sheet_is_read_and_each_row_knows_its_sheet(quynh_luu):
    stream = workbook(
        {
            "Thôn 1": [
                ["Danh sách hộ thôn 1"],
                HEADER,
                ["Nguyễn Văn An", "0912000001", "Quỳnh Lưu"],
            ],
            "Thôn 2": [HEADER, ["Trần Thị Bình", "0912000002", "Quỳnh Lưu"]],
            "Tổng hợp": [["Thôn", "Số hộ"], ["Thôn 1", 1], ["Thôn 2", 1]],
            "Cũ": [HEADER, ["Lê Văn Cũ", "0912000003", "Quỳnh Lưu"]],
        },
        hidden=("Cũ",),
    )
    record, analysis = importing.start_import(None, stream, "ds.xlsx")
    assert [(r.sheet, r.sheet_line, r.status) for r in analysis.rows] == [
        ("Thôn 1", 3, RowStatus.NEW),
        ("Thôn 2", 2, RowStatus.NEW),
    ]
    assert len({row.line for row in analysis.rows}) == 2  # one row of the file each
    assert "Không đọc các trang tính bị ẩn: “Cũ”." in analysis.notices
    assert "Trang tính “Tổng hợp” không có dòng tiêu đề: đã bỏ qua." in analysis.notices
    kept = importing.load_preview(record)
    assert [(r.sheet, r.sheet_line) for r in kept.rows] == [("Thôn 1", 3), ("Thôn 2", 2)]
    assert kept.notices == analysis.notices


def test_a_footer_on_one_of_several_sheets_is_named_by_its_sheet(quynh_luu):
    stream = workbook(
        {
            "Thôn 1": [HEADER, ["Nguyễn Văn An", "0912000001", "Quỳnh Lưu"], ["Tổng cộng: 1 hộ"]],
            "Thôn 2": [HEADER, ["Trần Thị Bình", "0912000002", "Quỳnh Lưu"]],
        }
    )
    record, _analysis = importing.start_import(None, stream, "ds.xlsx")
    assert [row.sheet for row in importing.load_preview(record).rows] == ["Thôn 1", "Thôn 2"]
    assert "Các dòng Thôn 1 3 là dòng tổng cộng hoặc chữ ký" in " ".join(_analysis.notices)


def test_a_commune_and_village_merged_down_a_block_fill_every_row(quynh_luu):
    book = Workbook()
    sheet = book.active
    for row in [
        ["Danh sách hộ"],
        ["Họ và tên", "Số điện thoại", "Xã/Phường", "Thôn/Xóm"],
        ["Nguyễn Văn An", "0912000001", "Xã Quỳnh Lưu", "Thôn 1"],
        ["Trần Thị Bình", "0912000002", None, None],
        ["Lê Văn Cường", "0912000003", None, "Thôn 2"],
    ]:
        sheet.append(row)
    sheet.merge_cells("A1:D1")  # a title across the columns stays one cell
    sheet.merge_cells("C3:C5")
    sheet.merge_cells("D3:D4")
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    _record, analysis = importing.start_import(None, stream, "ds.xlsx")
    assert [row.status for row in analysis.rows] == [RowStatus.NEW] * 3
    assert {row.values["area_id"] for row in analysis.rows} == {quynh_luu[0].id}
    assert [row.values["village"] for row in analysis.rows] == ["Thôn 1", "Thôn 1", "Thôn 2"]


def test_the_cli_names_the_sheet_of_a_row_and_prints_the_notices(quynh_luu, app, tmp_path):
    stream = workbook(
        {
            "Thôn 1": [HEADER, ["Nguyễn Văn An", "0912000001", "Quỳnh Lưu"]],
            "Thôn 2": [HEADER, ["Trần Thị Bình", "99", "Quỳnh Lưu"]],
            "Cũ": [HEADER],
        },
        hidden=("Cũ",),
    )
    path = tmp_path / "ds.xlsx"
    path.write_bytes(stream.getvalue())
    result = app.test_cli_runner().invoke(args=["households", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "sheet Thôn 2 line 2: error" in result.output
    assert "file: Không đọc các trang tính bị ẩn: “Cũ”." in result.output


def test_line_numbers_are_excels_when_the_sheet_starts_below_and_right_of_a1(quynh_luu):
    """calamine gives a sheet's rows from its first filled cell: the lines must still be the
    ones Excel shows, or an official looks for "line 2" and finds the title."""
    book = Workbook()
    sheet = book.active
    sheet["C4"], sheet["D4"], sheet["E4"] = HEADER
    sheet["C5"], sheet["D5"], sheet["E5"] = "Nguyễn Văn An", "0912000001", "Quỳnh Lưu"
    sheet["C7"], sheet["D7"], sheet["E7"] = "Trần Thị Bình", "99", "Quỳnh Lưu"
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    _record, analysis = importing.start_import(None, stream, "ds.xlsx")
    assert [(row.line, row.status) for row in analysis.rows] == [
        (5, RowStatus.NEW),
        (7, RowStatus.ERROR),
    ]


SHEETS = {
    "Thôn 1": [["Danh sách hộ thôn 1"], HEADER, ["Nguyễn Văn An", "0912000001", "Quỳnh Lưu"]],
    "Thôn 2": [HEADER, ["Trần Thị Bình", 912000002, "Xã Quỳnh Lưu"]],
    "Cũ": [HEADER, ["Lê Văn Cũ", "0912000003", "Quỳnh Lưu"]],
}


def test_an_xls_file_is_read_like_an_xlsx(quynh_luu):
    data = xls_bytes(SHEETS, hidden=("Cũ",))
    _record, from_xls = importing.start_import(None, io.BytesIO(data), "ds.xls")
    _record, from_xlsx = importing.start_import(None, workbook(SHEETS, hidden=("Cũ",)), "d.xlsx")
    seen = [(r.sheet, r.sheet_line, r.status, r.values["phone"]) for r in from_xls.rows]
    assert seen == [
        ("Thôn 1", 3, RowStatus.NEW, "0912000001"),
        ("Thôn 2", 2, RowStatus.NEW, "0912000002"),  # a number in Excel: its 0 restored
    ]
    assert seen == [(r.sheet, r.sheet_line, r.status, r.values["phone"]) for r in from_xlsx.rows]
    assert "Không đọc các trang tính bị ẩn: “Cũ”." in from_xls.notices


def test_an_xls_merged_commune_fills_down(quynh_luu):
    rows = [
        ["Họ và tên", "Số điện thoại", "Xã/Phường"],
        ["Nguyễn Văn An", "0912000001", "Xã Quỳnh Lưu"],
        ["Trần Thị Bình", "0912000002", None],
    ]
    data = xls_bytes({"DS": rows}, merged={"DS": [(1, 2, 2)]})
    _record, analysis = importing.start_import(None, io.BytesIO(data), "ds.xls")
    assert [row.values["area_id"] for row in analysis.rows] == [quynh_luu[0].id] * 2


def test_an_ods_file_is_read_with_libreoffices_trailing_rows(quynh_luu):
    data = ods_bytes(
        {name: rows for name, rows in SHEETS.items() if name != "Cũ"},
        repeat={"Thôn 2": 1_048_000},  # what LibreOffice writes below the data
    )
    record, analysis = importing.start_import(None, io.BytesIO(data), "ds.ods")
    assert [(r.sheet, r.sheet_line, r.status) for r in analysis.rows] == [
        ("Thôn 1", 3, RowStatus.NEW),
        ("Thôn 2", 2, RowStatus.NEW),
    ]
    importing.commit_import(None, record)
    assert {row.values["phone"] for row in analysis.rows} == {"0912000001", "0912000002"}


def test_village_and_commune_headings_inside_the_list_give_their_rows_a_place(quynh_luu):
    """ "I | Xóm 1" above its households, as many commune lists are laid out: a heading, not
    a household, and the village of the rows below it that leave theirs empty."""
    analysis = run(
        [
            ["STT", "Họ và tên", "Số điện thoại", "Xã/Phường", "Thôn/Xóm"],
            ["", "Xã Quỳnh Lưu"],
            ["I", "Xóm 1"],
            [1, "Nguyễn Văn An", "0912000001"],
            [2, "Trần Thị Bình", "0912000002", None, "Xóm 9"],  # its own village stays
            ["II", "Xóm 2", None, "Xã Quỳnh Lưu"],  # the commune beside: still a heading
            [3, "Tô Văn Hùng", "0912000003"],
            [4, "Xóm Văn Hùng"],  # numbered like a household: one, if oddly named
            ["", "Tổ 5"],
            [5, "Lê Thị Lan", "0912000005"],
        ]
    )
    assert [(r.line, r.status, r.values.get("village")) for r in analysis.rows] == [
        (4, RowStatus.NEW, "Xóm 1"),
        (5, RowStatus.NEW, "Xóm 9"),
        (7, RowStatus.NEW, "Xóm 2"),
        (8, RowStatus.NEW, "Xóm 2"),
        (10, RowStatus.NEW, "Tổ 5"),
    ]
    assert {r.values["area_id"] for r in analysis.rows} == {quynh_luu[0].id}
    assert any("Các dòng 2, 3, 6, 9 là tên thôn/xóm hoặc xã" in n for n in analysis.notices)
