"""Household-list imports: the files commune staff really type, previewed then committed."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from lms.areas.models import AreaLevel
from lms.auth.models import Role
from lms.core.audit import AuditEvent
from lms.core.errors import RuleViolation
from lms.core.spreadsheets import read_table
from lms.extensions import db
from lms.households import importing
from lms.households.models import (
    Household,
    OutreachChannel,
    OutreachEvent,
    ProductGroup,
    ScaleClass,
)
from lms.households.reading import RowStatus
from tests.builders import make_area, make_classification, make_household, make_user


@pytest.fixture
def nghe_an(app):
    """The province, three communes, and a ward merged into one of them."""
    province = make_area(code="40", name="Tỉnh Nghệ An", level=AreaLevel.PROVINCE)
    communes = {
        "dien_chau": make_area(code="17464", name="Xã Diễn Châu", parent=province),
        "yen_thanh": make_area(code="17506", name="Xã Yên Thành", parent=province),
        "truong_vinh": make_area(code="16690", name="Phường Trường Vinh", parent=province),
    }
    make_area(
        code="16693",
        name="Phường Bến Thủy",
        parent=province,
        merged_into_id=communes["truong_vinh"].id,
    )
    make_classification(ScaleClass, code="nho", name="Hộ nhỏ")
    make_classification(ProductGroup, code="che", name="Chè")
    db.session.commit()
    return province, communes


def xlsx(rows: list[list]) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    return stream


def run(rows_or_bytes, filename="ds.xlsx", actor=None):
    stream = xlsx(rows_or_bytes) if isinstance(rows_or_bytes, list) else io.BytesIO(rows_or_bytes)
    return importing.analyse(actor, *read_table(stream, filename))


def statuses(analysis) -> list[tuple[int, str]]:
    return [(row.line, row.status.value) for row in analysis.rows]


def households() -> int:
    return db.session.scalar(select(func.count()).select_from(Household))


HEADER = ["STT", "Họ và tên", "Số điện thoại", "CCCD", "Xã/Phường", "Thôn/Xóm"]


def test_a_clean_file_previews_every_row_as_new(nghe_an):
    analysis = run(
        [
            HEADER,
            [1, "Nguyễn Thị Hương", "0912 345 678", "040186001234", "Xã Diễn Châu", "Xóm 3"],
            [2, "Trần Văn Đức", "+84 987 654 321", "", "Yên Thành", "Xóm 5"],
        ]
    )
    assert statuses(analysis) == [(2, "new"), (3, "new")]
    assert analysis.rows[1].values["phone"] == "0987654321"
    assert analysis.unknown_columns == [] and households() == 0


@pytest.mark.parametrize(
    "headers",
    [
        ["Ho ten", "SĐT", "Xa/Phuong"],
        ["HỌ VÀ TÊN CHỦ HỘ", "Điện thoại", "Xã / Phường"],
        ["Full name", "Phone number", "Commune"],
        ["Tên chủ hộ", "SDT", "Mã xã"],
    ],
)
def test_headers_in_vietnamese_or_english_with_or_without_diacritics(nghe_an, headers):
    commune = "17464" if headers[2] == "Mã xã" else "Xã Diễn Châu"
    analysis = run([headers, ["Nguyễn Thị Hương", "0912345678", commune]])
    assert analysis.problems == [] and statuses(analysis) == [(2, "new")]


def test_title_rows_above_the_header_are_skipped_and_unknown_columns_reported(nghe_an):
    analysis = run(
        [
            ["DANH SÁCH HỘ SẢN XUẤT NÔNG NGHIỆP XÃ DIỄN CHÂU"],
            [],
            ["Họ và tên", "SĐT", "Xã", "Ghi chú", "Diện tích"],
            ["Nguyễn Thị Hương", "0912345678", "Diễn Châu", "hộ nghèo", "2 sào"],
        ]
    )
    assert statuses(analysis) == [(4, "new")]
    assert analysis.unknown_columns == ["Ghi chú", "Diện tích"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("912.345.678", "0912345678"),
        (912345678, "0912345678"),
        ("09１２ ３４５ ６７８", "0912345678"),
        ("0912\u200b345678", "0912345678"),
        ("0162 123 4567", "0321234567"),
    ],
)
def test_every_phone_form_becomes_one(nghe_an, raw, expected):
    analysis = run([HEADER, [1, "Nguyễn Thị Hương", raw, "", "Xã Diễn Châu", ""]])
    assert analysis.rows[0].values["phone"] == expected


def test_a_second_phone_in_the_cell_is_shown_beside_the_first(nghe_an):
    analysis = run(
        [HEADER, [1, "Nguyễn Thị Hương", "0912 345 678 / 0987 654 321", "", "Xã Diễn Châu", ""]]
    )
    row = analysis.rows[0]
    assert row.status is RowStatus.NEW and row.values["phone"] == "0912345678"
    assert "SĐT khác: 0987654321" in row.messages


@pytest.mark.parametrize(
    ("phone", "national_id", "message"),
    [
        ("0912 34", "", "Số điện thoại “0912 34” không hợp lệ."),
        ("0112345678", "", "không hợp lệ"),
        ("", "04018600123", "phải gồm đúng 12 chữ số"),
        ("", "0401860012AB", "phải gồm đúng 12 chữ số"),
    ],
)
def test_impossible_numbers_are_errors(nghe_an, phone, national_id, message):
    analysis = run([HEADER, [1, "Nguyễn Thị Hương", phone, national_id, "Xã Diễn Châu", ""]])
    assert analysis.rows[0].status is RowStatus.ERROR
    assert any(message in m for m in analysis.rows[0].messages)


def test_a_name_with_an_emoji_is_refused_saying_which_character(nghe_an):
    analysis = run(
        [
            HEADER,
            [1, "Nguyễn Thị Hương 🌾", "0912345678", "", "Xã Diễn Châu", ""],
            [2, "H'Hen Niê", "0987654321", "", "Xã Diễn Châu", ""],
        ]
    )
    assert statuses(analysis) == [(2, "error"), (3, "new")]
    assert any("Tên không được chứa “🌾”" in m for m in analysis.rows[0].messages)


def test_a_cccd_typed_as_a_number_gets_its_leading_zero_back(nghe_an):
    analysis = run([HEADER, [1, "Nguyễn Thị Hương", "", 40186001234, "Xã Diễn Châu", ""]])
    assert analysis.rows[0].values["national_id"] == "040186001234"


def test_communes_by_code_by_name_and_merged(nghe_an):
    _, communes = nghe_an
    analysis = run(
        [
            ["Họ và tên", "SĐT", "Xã/Phường"],
            ["A", "0912000001", "17506"],
            ["B", "0912000002", "xa dien chau"],
            ["C", "0912000003", "Trường Vinh"],
            ["D", "0912000004", "Phường Bến Thủy"],
            ["E", "0912000005", "Xã Không Có"],
        ]
    )
    areas = [row.values.get("area_id") for row in analysis.rows]
    assert areas[:4] == [
        communes["yen_thanh"].id,
        communes["dien_chau"].id,
        communes["truong_vinh"].id,
        communes["truong_vinh"].id,
    ]
    assert "Phường Bến Thủy đã sáp nhập vào Phường Trường Vinh." in analysis.rows[3].messages
    assert analysis.rows[3].status is RowStatus.NEW
    assert analysis.rows[4].status is RowStatus.ERROR
    assert "Không tìm thấy xã, phường “Xã Không Có”." in analysis.rows[4].messages


def test_an_official_imports_only_into_its_own_communes(nghe_an):
    _, communes = nghe_an
    official = make_user(Role.OFFICIAL, area=communes["dien_chau"])
    analysis = run(
        [
            HEADER,
            [1, "A", "0912000001", "", "Xã Diễn Châu", ""],
            [2, "B", "0912000002", "", "Xã Yên Thành", ""],
        ],
        actor=official,
    )
    assert statuses(analysis) == [(2, "new"), (3, "error")]
    assert "Xã Yên Thành không thuộc địa bàn của bạn." in analysis.rows[1].messages


def test_duplicates_in_the_file_and_matches_in_the_registry(nghe_an):
    _, communes = nghe_an
    make_household(
        head_name="Nguyễn Thị Hương",
        phone="0912345678",
        national_id=None,
        area=communes["dien_chau"],
    )
    make_household(
        head_name="Lê Văn Ba",
        phone="0911111111",
        national_id="040111111111",
        area=communes["dien_chau"],
    )
    make_household(head_name="Hồ Thị Tư", phone="0922222222", area=communes["dien_chau"])
    db.session.commit()
    analysis = run(
        [
            HEADER,
            [1, "Nguyễn Thị Hương", "0912345678", "", "Xã Diễn Châu", ""],  # same as registered
            [
                2,
                "Nguyễn Thị Hương",
                "0912345678",
                "",
                "Xã Diễn Châu",
                "Xóm 9",
            ],  # changes the village
            [3, "Trần Văn Mới", "0933333333", "", "Xã Diễn Châu", ""],  # new
            [4, "Trần Văn Mới", "0933 333 333", "", "Xã Diễn Châu", ""],  # repeats line 4
            [5, "Lê Văn Ba", "0922222222", "040111111111", "Xã Diễn Châu", ""],
        ]
    )  # two households
    assert statuses(analysis) == [
        (2, "duplicate"),
        (3, "duplicate"),
        (4, "new"),
        (5, "duplicate"),
        (6, "conflict"),
    ]
    assert "Đã có trong danh sách, không có gì mới." in analysis.rows[0].messages
    assert "Trùng số điện thoại với dòng 2." in analysis.rows[1].messages
    assert "Trùng số điện thoại với dòng 4." in analysis.rows[3].messages


def test_a_changed_row_updates_the_registered_household(nghe_an):
    _, communes = nghe_an
    registered = make_household(
        head_name="Nguyễn Thị Hương", phone="0912345678", area=communes["dien_chau"]
    )
    db.session.commit()
    analysis = run(
        [HEADER, [1, "Nguyễn Thị Hương", "0912345678", "040186001234", "Xã Diễn Châu", "Xóm 3"]]
    )
    assert statuses(analysis) == [(2, "update")]
    assert analysis.rows[0].household_id == registered.id
    assert "Cập nhật: CCCD, thôn, xóm." in analysis.rows[0].messages


def test_a_household_outside_the_area_is_never_revealed(nghe_an):
    _, communes = nghe_an
    make_household(head_name="Hộ Yên Thành", phone="0912345678", area=communes["yen_thanh"])
    official = make_user(Role.OFFICIAL, area=communes["dien_chau"])
    db.session.commit()
    analysis = run([HEADER, [1, "Ai Đó", "0912345678", "", "Xã Diễn Châu", ""]], actor=official)
    assert analysis.rows[0].status is RowStatus.ERROR
    assert "Hộ Yên Thành" not in " ".join(analysis.rows[0].messages)


def windows_1258(text: str) -> bytes:
    """Text as Vietnamese Windows writes it: precomposed vowels, tones as combining marks."""
    import unicodedata

    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


CSV_TEXT = "Họ và tên,Số điện thoại,Xã/Phường,Thôn/Xóm\nNguyễn Thị Hương,0912345678,Xã Diễn Châu,Xóm Đông\nĐặng Văn Ánh,0987654321,Yên Thành,Thôn Bắc Sơn\n"


@pytest.mark.parametrize(
    "encoded",
    [
        CSV_TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + CSV_TEXT.encode("utf-8"),
        CSV_TEXT.encode("utf-16"),
        windows_1258(CSV_TEXT),
        CSV_TEXT.replace(",", ";").encode("utf-8"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16", "windows-1258", "semicolons"],
)
def test_csv_in_every_encoding_reads_the_same(nghe_an, encoded):
    analysis = run(encoded, filename="ds.csv")
    assert [(row.values["head_name"], row.values["village"]) for row in analysis.rows] == [
        ("Nguyễn Thị Hương", "Xóm Đông"),
        ("Đặng Văn Ánh", "Thôn Bắc Sơn"),
    ]


def test_tcvn3_text_is_converted_and_said_so(nghe_an):
    analysis = run(
        [HEADER, [1, "NguyÔn ThÞ H\u00ad¬ng", "0912345678", "", "X· DiÔn Ch©u", "Xãm §«ng"]]
    )
    row = analysis.rows[0]
    assert (row.values["head_name"], row.values["village"], row.status) == (
        "Nguyễn Thị Hương",
        "Xóm Đông",
        RowStatus.NEW,
    )
    assert "Đã chuyển từ mã TCVN3 sang Unicode." in row.messages


def test_a_tcvn3_csv_file_with_short_words_is_converted(nghe_an):
    data = "Hä vµ tªn,Sè ®iÖn tho¹i,X·,Th«n\nNguyÔn ThÞ H\u00ad¬ng,0912345678,DiÔn Ch©u,Hé\nTrÇn V¨n §øc,0987654321,Yªn Thµnh,Xãm §«ng\n"
    analysis = run(data.encode("cp1252"), filename="ds.csv")
    assert [
        (r.values["head_name"], r.values["village"], r.status.value) for r in analysis.rows
    ] == [("Nguyễn Thị Hương", "Hộ", "new"), ("Trần Văn Đức", "Xóm Đông", "new")]


def test_vni_text_is_converted_and_said_so(nghe_an):
    analysis = run(
        "Hoï vaø teân,Soá ñieän thoaïi,Xaõ\nNguyeãn Thò Höông,0912345678,Dieãn Chaâu\n".encode(
            "cp1252"
        ),
        filename="ds.csv",
    )
    row = analysis.rows[0]
    assert row.values["head_name"] == "Nguyễn Thị Hương" and row.status is RowStatus.NEW
    assert "Đã chuyển từ mã VNI sang Unicode." in row.messages


def test_names_are_nfc_and_all_caps_names_are_standardised(nghe_an):
    import unicodedata

    analysis = run(
        [
            HEADER,
            [
                1,
                unicodedata.normalize("NFD", "  NGUYỄN   THỊ HƯƠNG "),
                "0912345678",
                "",
                "Xã Diễn Châu",
                "",
            ],
        ]
    )
    assert analysis.rows[0].values["head_name"] == unicodedata.normalize("NFC", "Nguyễn Thị Hương")


def test_classification_and_outreach_columns(nghe_an):
    analysis = run(
        [
            [
                "Họ và tên",
                "SĐT",
                "Xã",
                "Quy mô",
                "Nhóm sản phẩm",
                "Ngày tuyên truyền",
                "Hình thức tuyên truyền",
            ],
            ["A", "0912000001", "Diễn Châu", "hộ nhỏ", "CHÈ", "15/03/2026", "Loa truyền thanh"],
            ["B", "0912000002", "Diễn Châu", "Hộ khổng lồ", "", "", ""],
            ["C", "0912000003", "Diễn Châu", "", "", "31/02/2026", ""],
        ]
    )
    first = analysis.rows[0].values
    assert first["scale_class_id"] and first["product_group_id"]
    assert (first["informed_on"], first["informed_channel"]) == (date(2026, 3, 15), "loudspeaker")
    assert statuses(analysis)[1:] == [(3, "error"), (4, "error")]


@pytest.mark.parametrize(
    ("content", "filename", "problem"),
    [
        ([["Tên hàng", "Số lượng"], ["Chè", 3]], "ds.xlsx", "Không tìm thấy dòng tiêu đề"),
        ([["Họ và tên", "SĐT"], ["A", "0912000001"]], "ds.xlsx", "cần có cột xã, phường"),
        ([["Họ và tên", "SĐT", "Xã"]], "ds.xlsx", "không có dòng hộ nào"),
        ([], "ds.xlsx", "Trang tính không có dữ liệu."),
        (b"PK\x03\x04 this is not a workbook", "ds.xlsx", "Tệp Excel bị hỏng"),
        (b"\x00\x01binary", "ds.xlsx", "Tệp Excel bị hỏng"),
        (b"", "ds.csv", "Tệp không có dữ liệu."),
        (b"name\n", "ds.pdf", "Chỉ nhập được tệp .xlsx, .xls, .ods và .csv."),
    ],
    ids=[
        "wrong-columns",
        "no-commune-column",
        "header-only",
        "empty-sheet",
        "corrupt-zip",
        "not-a-zip",
        "empty-csv",
        "pdf",
    ],
)
def test_broken_files_are_refused_whole(nghe_an, content, filename, problem):
    analysis = run(content, filename=filename)
    assert any(problem in p for p in analysis.problems), analysis.problems
    assert not analysis.can_commit


def test_a_file_over_the_limit_is_refused_before_parsing(nghe_an, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1024 * 1024)
    rows, problems = read_table(io.BytesIO(b"x" * (50 * 1024 * 1024)), "big.xlsx")
    assert rows == [] and problems == ["Tệp quá lớn: tối đa 1 MB."]


def _start(rows, actor=None, filename="ds.xlsx"):
    stream = xlsx(rows) if isinstance(rows, list) else io.BytesIO(rows)
    return importing.start_import(actor, stream, filename)


def test_commit_writes_exactly_the_accepted_rows(nghe_an):
    _, communes = nghe_an
    registered = make_household(
        head_name="Nguyễn Thị Hương", phone="0912345678", area=communes["dien_chau"]
    )
    db.session.commit()
    record, preview = _start(
        [
            [*HEADER, "Ngày tuyên truyền"],
            [
                1,
                "Nguyễn Thị Hương",
                "0912345678",
                "040186001234",
                "Xã Diễn Châu",
                "Xóm 3",
                "01/02/2026",
            ],
            [2, "Trần Văn Mới", "0933333333", "", "Xã Yên Thành", "", ""],
            [3, "Trần Văn Mới", "0933333333", "", "Xã Yên Thành", "", ""],
            [4, "Lỗi Số", "12345", "", "Xã Yên Thành", "", ""],
        ]
    )
    assert preview.counts == {"new": 1, "update": 1, "duplicate": 1, "conflict": 0, "error": 1}
    assert households() == 1
    result = importing.commit_import(None, record)
    assert result.counts == preview.counts
    assert households() == 2
    db.session.expire_all()
    updated = db.session.get(Household, registered.id)
    assert (updated.national_id, updated.village) == ("040186001234", "Xóm 3")
    new = db.session.scalar(select(Household).where(Household.phone == "0933333333"))
    assert (new.head_name, new.name_key, new.area_id) == (
        "Trần Văn Mới",
        "tran van moi",
        communes["yen_thanh"].id,
    )
    event = db.session.scalar(select(OutreachEvent))
    assert (event.household_id, event.informed_on, event.channel) == (
        registered.id,
        date(2026, 2, 1),
        OutreachChannel.OTHER,
    )
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "household.import"))
    assert audit.after["new"] == 1 and audit.after["update"] == 1
    with pytest.raises(RuleViolation):
        importing.commit_import(None, record)
    assert households() == 2


def test_a_failure_while_writing_writes_nothing(nghe_an, monkeypatch):
    record, _ = _start(
        [
            HEADER,
            [1, "A", "0912000001", "", "Xã Diễn Châu", ""],
            [2, "B", "0912000002", "", "Xã Diễn Châu", ""],
        ]
    )

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "_insert_outreach", fail)
    with pytest.raises(RuntimeError):
        importing.commit_import(None, record)
    db.session.rollback()
    assert households() == 0
    assert db.session.get(type(record), record.id).committed_at is None


def test_a_household_registered_after_the_preview_is_not_duplicated(nghe_an):
    _, communes = nghe_an
    record, preview = _start([HEADER, [1, "Trần Văn Mới", "0933333333", "", "Xã Diễn Châu", ""]])
    assert preview.counts["new"] == 1
    make_household(head_name="Trần Văn Mới", phone="0933333333", area=communes["dien_chau"])
    db.session.commit()
    result = importing.commit_import(None, record)
    assert result.counts["duplicate"] == 1 and households() == 1


def test_re_importing_the_same_file_changes_nothing(nghe_an):
    rows = [
        [*HEADER, "Ngày tuyên truyền"],
        [1, "A", "0912000001", "", "Xã Diễn Châu", "", "01/02/2026"],
    ]
    importing.commit_import(None, _start(rows)[0])
    result = importing.commit_import(None, _start(rows)[0])
    assert result.counts == {"new": 0, "update": 0, "duplicate": 1, "conflict": 0, "error": 0}
    assert households() == 1
    assert db.session.scalar(select(func.count()).select_from(OutreachEvent)) == 1


def test_the_rejected_rows_file_holds_the_rows_with_their_reasons(nghe_an):
    record, _ = _start(
        [
            HEADER,
            [1, "A", "0912000001", "", "Xã Diễn Châu", ""],
            [2, "B", "12", "", "Xã Diễn Châu", ""],
        ]
    )
    rows = list(importing.rejected_rows(importing.load_preview(record)))
    assert rows[0] == [*HEADER, "Lỗi"]
    assert rows[1][:3] == ["2", "B", "12"] and "không hợp lệ" in rows[1][-1]
    assert len(rows) == 2


def test_the_rejected_rows_file_can_be_corrected_and_imported_again(nghe_an):
    from lms.core.spreadsheets import write_xlsx

    record, _ = _start([HEADER, [1, "B", "12", "", "Xã Diễn Châu", ""]])
    corrected = list(importing.rejected_rows(importing.load_preview(record)))
    corrected[1][2] = "0912000002"
    analysis = run(write_xlsx(iter(corrected), "Lỗi"))
    assert statuses(analysis) == [(2, "new")] and analysis.unknown_columns == []


def test_cli_previews_then_commits(nghe_an, app, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text(CSV_TEXT + "Sai Số,99,Xã Diễn Châu,\n", encoding="utf-8")
    runner = app.test_cli_runner()
    preview = runner.invoke(args=["households", "import", str(path)])
    assert preview.exit_code == 0, preview.output
    assert (
        "2 new, 0 update, 0 duplicate, 1 error" in preview.output
        and "line 4: error" in preview.output
    )
    assert households() == 0
    result = runner.invoke(args=["households", "import", str(path), "--commit"])
    assert result.exit_code == 0, result.output
    assert "Written: 2 new, 0 updated." in result.output and households() == 2


def test_cli_refuses_a_broken_file(nghe_an, app, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(b"not a workbook")
    result = app.test_cli_runner().invoke(args=["households", "import", str(path), "--commit"])
    assert result.exit_code == 1 and "Tệp Excel bị hỏng" in result.output


def test_cli_prints_updates_writes_rejected_rows_and_records_the_user(nghe_an, app, tmp_path):
    from openpyxl import load_workbook

    from lms.households.models import HouseholdImport

    _province, communes = nghe_an
    make_household(head_name="Nguyễn Thị Hương", phone="0912345678", area=communes["dien_chau"])
    official = make_user(Role.OFFICIAL, email="xa.dc@example.vn", area=communes["dien_chau"])
    db.session.commit()
    path = tmp_path / "ds.csv"
    path.write_text(CSV_TEXT + "Sai Số,99,Xã Diễn Châu,\n", encoding="utf-8")
    rejected = tmp_path / "loi.xlsx"
    result = app.test_cli_runner().invoke(
        args=[
            "households",
            "import",
            str(path),
            "--rejected",
            str(rejected),
            "--as",
            "XA.DC@example.vn",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "line 2: update: " in result.output and "— → Xóm Đông" in result.output
    assert "line 3: error" in result.output  # Yên Thành is outside the official's commune
    assert "line 4: error" in result.output
    names = [row[0].value for row in load_workbook(rejected).active.iter_rows(min_row=2)]
    assert names == ["Đặng Văn Ánh", "Sai Số"]
    record = db.session.scalar(select(HouseholdImport).order_by(HouseholdImport.id.desc()))
    assert record.created_by_id == official.id


def test_cli_refuses_an_unknown_user_and_prints_no_counts_for_a_broken_file(nghe_an, app, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["households", "import", str(path), "--as", "ai@example.vn"])
    assert unknown.exit_code == 1 and "ai@example.vn" in unknown.output
    assert "new" not in unknown.output
    path.write_text("Tên,Ghi chú\nA,B\n", encoding="utf-8")
    broken = runner.invoke(args=["households", "import", str(path)])
    assert broken.exit_code == 1 and "file:" in broken.output
    assert " new, " not in broken.output
