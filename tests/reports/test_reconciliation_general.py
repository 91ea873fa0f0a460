"""Seller exports as marketplaces really write them: a supplier list with its own headers,
one row per product, a member's phone, a shop name for a person's name, closed shops,
legacy communes and former districts in addresses, sellers of another area."""

from __future__ import annotations

import io

from lms.auth.models import Role
from lms.extensions import db
from lms.reports import reconciliation
from lms.reports.reconciliation import MatchMethod, MatchState
from tests.builders import make_household, make_user, marketplace
from tests.reports.test_reconciliation import xlsx

#: the columns of a supplier export: an id, a business name, a contact, the address in parts
SUPPLIER_HEADER = [
    "STT", "Mã nhà cung cấp", "Tên nhà cung cấp", "Người liên hệ", "Số điện thoại", "Email",
    "Tỉnh/Thành phố", "Quận/Huyện", "Phường/Xã", "Tên sản phẩm", "Ngày tạo", "Trạng thái",
]  # fmt: skip


def _rows(province, body: bytes, actor=None):
    actor = actor or province.official
    token = reconciliation.upload(actor, marketplace("postmart"), io.BytesIO(body), "ncc.xlsx")
    return {row.line: row for row in reconciliation.load(actor, token).rows}, token


def test_a_supplier_export_one_row_per_product(province):
    """One shop on three rows is one seller: sure, its three products listed together."""
    dung = province.households["nothing"]
    body = xlsx(
        [
            ["DANH SÁCH NHÀ CUNG CẤP"],
            SUPPLIER_HEADER,
            [1, "NCC-7", "HKD Dũng Yên Thành", "Dũng", dung.phone, "", "Nghệ An", "",
             "Xã Yên Thành", "Mật ong rừng", "20/11/2026", "Đang hoạt động"],
            [2, "NCC-7", "HKD Dũng Yên Thành", "Dũng", dung.phone, "", "Nghệ An", "",
             "Xã Yên Thành", "Nhút Thanh Chương", "20/11/2026", "Đang hoạt động"],
            [3, "NCC-7", "HKD Dũng Yên Thành", "Dũng", dung.phone, "", "Nghệ An", "",
             "Xã Yên Thành", "Cam Vinh", "20/11/2026", "Đang hoạt động"],
        ]
    )  # fmt: skip
    rows, token = _rows(province, body)
    assert {row.state for row in rows.values()} == {MatchState.SURE}
    assert {row.shop_name for row in rows.values()} == {"HKD Dũng Yên Thành"}
    result = reconciliation.load(province.official, token)
    summary = reconciliation.commit(province.official, result)
    assert (summary["households"], summary["listings"], summary["products_created"]) == (1, 3, 3)
    listed = sorted((p.name, p.listings[0].listed_on.isoformat()) for p in dung.products)
    assert listed == [
        ("Cam Vinh", "2026-11-20"),
        ("Mật ong rừng", "2026-11-20"),
        ("Nhút Thanh Chương", "2026-11-20"),
    ]


def test_a_member_s_phone_finds_the_household(province):
    giang = province.households["unlisted"]
    make_user(Role.HOUSEHOLD, household=giang, phone="0988123456", full_name="Phạm Văn Tú")
    db.session.commit()
    body = xlsx(
        [
            ["Họ tên", "SĐT", "Xã"],
            ["Phạm Văn Tú", "0988 123 456", "Yên Thành"],  # the member himself
            ["Lạ Hoắc", "0988123456", "Yên Thành"],  # someone else with that phone
        ]
    )
    rows, _token = _rows(province, body)
    assert rows[2].method is MatchMethod.MEMBER_PHONE and rows[2].household.id == giang.id
    assert rows[2].state is MatchState.TO_CONFIRM  # a second seller on the household…
    assert not any("họ tên" in doubt for doubt in rows[2].doubts)  # …but the name agrees
    assert any(doubt.endswith(": họ tên.") for doubt in rows[3].doubts)


def test_a_shop_name_holding_the_household_s_name_agrees(province):
    household = make_household(head_name="Nguyễn Văn Dũng", area=province.commune_2)
    db.session.commit()
    body = xlsx(
        [
            ["Tên gian hàng", "SĐT", "Địa chỉ"],
            ["Hộ kinh doanh Nguyễn Văn Dũng - Mật ong Pù Mát", household.phone, "Yên Thành"],
        ]
    )
    rows, _token = _rows(province, body)
    assert rows[2].state is MatchState.SURE
    # a brand as shop name is no disagreement either: the phone decides
    body = xlsx([["Tên gian hàng", "SĐT"], ["Mật ong Pù Mát", household.phone]])
    rows, _token = _rows(province, body)
    assert rows[2].state is MatchState.SURE


def test_a_closed_shop_needs_confirmation(province):
    dung = province.households["nothing"]
    body = xlsx([["Người bán", "SĐT", "Trạng thái"], ["Dũng", dung.phone, "Đã khóa"]])
    rows, _token = _rows(province, body)
    assert rows[2].state is MatchState.TO_CONFIRM
    assert "“Đã khóa”" in rows[2].doubts[0]


def test_legacy_communes_and_former_districts_in_addresses(province):
    """The commune merged away by the 2025 reform is the commune that took it over; a
    former district's name after "huyện" is not taken for a commune of that name."""
    an, dung = province.households["listed_trained"], province.households["nothing"]
    body = xlsx(
        [
            ["Họ tên", "SĐT", "Địa chỉ"],
            ["An", an.phone, "Xóm 1, xã Diễn Cũ, Nghệ An"],  # legacy name of Diễn Châu
            ["Dũng", dung.phone, "xã Diễn Kỷ, huyện Diễn Châu"],  # an old commune, unknown
        ]
    )
    rows, _token = _rows(province, body)
    assert rows[2].state is MatchState.SURE
    assert rows[3].state is MatchState.SURE  # Dũng lives in Yên Thành: no commune claimed


def test_a_seller_of_another_area_is_explained(province):
    dung = province.households["nothing"]  # Yên Thành, outside official_1's Diễn Châu
    body = xlsx([["Họ tên", "SĐT"], ["Dũng", dung.phone]])
    rows, _token = _rows(province, body, actor=province.official_1)
    assert rows[2].state is MatchState.UNMATCHED
    assert "ngoài địa bàn" in rows[2].note


def test_a_csv_with_semicolons_and_a_title_line(province):
    dung = province.households["nothing"]
    body = (
        "Danh sách người bán Voso;;\n"
        "Tên chủ shop;Điện thoại;Sản phẩm\n"
        f"Dũng;+84 {dung.phone[1:]};Bưởi Phúc Trạch\n"
    ).encode()
    token = reconciliation.upload(province.official, marketplace("voso"), io.BytesIO(body), "a.csv")
    rows = reconciliation.load(province.official, token).rows
    assert [(row.state, row.products) for row in rows] == [(MatchState.SURE, ["Bưởi Phúc Trạch"])]


def test_namesakes_in_one_commune_are_told_apart_by_their_village(province):
    first = make_household(head_name="Lê Văn Ba", area=province.commune_2, village="Xóm 3")
    make_household(head_name="Lê Văn Ba", area=province.commune_2, village="Xóm 5")
    db.session.commit()
    body = xlsx(
        [
            ["Họ tên", "Địa chỉ"],
            ["Lê Văn Ba", "Xóm 3, xã Yên Thành"],
            ["Lê Văn Ba", "xã Yên Thành"],
        ]
    )
    rows, _token = _rows(province, body)
    assert rows[2].household.id == first.id and rows[2].state is MatchState.TO_CONFIRM
    assert rows[3].household is None and "2 hộ" in rows[3].note


def test_every_sheet_of_a_workbook_is_read_past_a_cover_sheet(province):
    from openpyxl import Workbook

    h = province.households
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Hướng dẫn"
    cover.append(["Danh sách người bán gửi Sở Công Thương, mỗi xã một trang."])
    for title, household in (("Yên Thành", h["nothing"]), ("Diễn Châu", h["listed_trained"])):
        sheet = workbook.create_sheet(title)
        sheet.append(["Họ tên", "SĐT", "CCCD"])
        sheet.append([household.head_name, household.phone, None])
    workbook["Yên Thành"].append(["Hà", "", 40186009999])  # a CCCD typed as a number
    h["active"].national_id = "040186009999"
    db.session.commit()
    buffer = io.BytesIO()
    workbook.save(buffer)
    _rows_by_line, token = _rows(province, buffer.getvalue())
    result = reconciliation.load(province.official, token)
    assert [(row.number, row.where, row.state) for row in result.rows] == [
        (1, "Yên Thành 2", MatchState.SURE),
        (2, "Yên Thành 3", MatchState.SURE),
        (3, "Diễn Châu 2", MatchState.SURE),
    ]
    assert result.rows[1].method is MatchMethod.NATIONAL_ID
    assert any("“Hướng dẫn”" in notice for notice in result.notices)


def test_a_commune_column_is_read_whole_before_the_address(province):
    """The address names a commune the registry does not know ("xã Diễn Kỷ", merged away
    and not registered); the commune column says Yên Thành, which Dũng's record agrees with,
    and Diễn Châu, which Giang's does not."""
    dung, giang = province.households["nothing"], province.households["unlisted"]
    body = xlsx(
        [
            ["Họ tên", "SĐT", "Địa chỉ", "Phường/Xã"],
            ["Dũng", dung.phone, "Thôn 3, xã Diễn Kỷ", "Yên Thành"],
            ["Giang", giang.phone, "Thôn 3, xã Diễn Kỷ", "Xã Diễn Châu"],
        ]
    )
    rows, _token = _rows(province, body)
    assert rows[2].state is MatchState.SURE
    assert rows[3].state is MatchState.TO_CONFIRM and rows[3].doubts[0].endswith(": xã, phường.")


def test_longer_headers_are_read_by_the_usual_wording_they_begin_with(province):
    dung = province.households["nothing"]
    body = xlsx(
        [
            ["Họ và tên người bán", "Địa chỉ email", "SĐT người bán (*)", "Tên sản phẩm chính",
             "Trạng thái duyệt"],
            ["Dũng", "dung@example.vn", dung.phone, "Mật ong rừng", "Chờ duyệt"],
        ]
    )  # fmt: skip
    rows, _token = _rows(province, body)
    seller = rows[2]
    assert (seller.seller_name, seller.address, seller.products) == ("Dũng", "", ["Mật ong rừng"])
    assert seller.household.id == dung.id and seller.state is MatchState.TO_CONFIRM
    assert "“Chờ duyệt”" in seller.doubts[0]
