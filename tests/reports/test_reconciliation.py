"""Reconciliation with a marketplace's seller export: a messy file, matched and reported."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from lms.extensions import db
from lms.products.models import Listing
from tests.builders import marketplace


def messy_seller_file(province) -> bytes:
    """Postmart's export as people forward it: a title line, headers of their own, phones
    written every way, a CCCD with spaces, a seller nobody knows, one known by name only."""
    an = province.households["listed_trained"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH NGƯỜI BÁN POSTMART — THÁNG 11/2026"])
    sheet.append([])
    sheet.append(
        ["STT", "ID Shop", "Chủ gian hàng", "SĐT liên hệ", "Số CMND/CCCD", "Địa chỉ kho",
         "Danh sách sản phẩm"]
    )  # fmt: skip
    phone = an.phone
    sheet.append(
        [1, "PM-001", "AN", f"(+84) {phone[1:4]} {phone[4:7]} {phone[7:]}", None,
         "Xã Diễn Châu", "Chè xanh Thanh Chương; Mật ong rừng"]
    )  # fmt: skip
    sheet.append([2, "PM-002", "Hà", "", "040 186 009 999", "Yên Thành", ""])
    sheet.append([3, "PM-003", "bình", "", "", "Xóm 2, xã Diễn Châu, Nghệ An",
                  "chè xanh thanh chương"])  # fmt: skip
    sheet.append([4, "PM-004", "Trần Thị Không Có", "0899.888.777", "", "Xã Khác", "Nấm"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, province, market):
    province.households["active"].national_id = "040186009999"
    db.session.commit()
    response = client.post(
        "/overview/reconcile",
        data={
            "marketplace_id": str(market.id),
            "file": (io.BytesIO(messy_seller_file(province)), "nguoi-ban-postmart.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_a_messy_seller_file_gives_the_right_report(province, client_for):
    client, postmart = client_for(province.official), marketplace("postmart")
    preview = _upload(client, province, postmart)
    listings = db.session.scalar(select(func.count()).select_from(Listing))
    body = client.get(preview).get_data(as_text=True)
    assert "Khớp: <strong>3</strong>" in body
    assert "Không khớp: <strong>1</strong>" in body
    assert db.session.scalar(select(func.count()).select_from(Listing)) == listings  # a preview

    token = re.search(r"/overview/reconcile/([0-9a-f]{32})", preview).group(1)
    report = client.get(f"/overview/reconcile/{token}/report.xlsx?marketplace_id={postmart.id}")
    rows = list(load_workbook(io.BytesIO(report.data)).active.iter_rows(values_only=True))
    assert "3 khớp, 1 không khớp, 1 khớp nhưng chưa có giấy chứng nhận" in rows[0][0]
    by_shop = {row[1]: row for row in rows[2:]}
    assert by_shop["PM-001"][4:10] == (
        "Số điện thoại", "100%", "An", "Xã Diễn Châu", "Có", "Chè xanh Thanh Chương",
    )  # fmt: skip
    assert by_shop["PM-001"][10] == "Mật ong rừng"  # not in the registry
    assert by_shop["PM-002"][4:9] == ("Số CCCD", "100%", "Hà", "Xã Yên Thành", "Có")
    # Bình has no phone: found by name in its commune, with less confidence, and its
    # certificate was revoked: matched without a certificate
    assert by_shop["PM-003"][4:9] == ("Họ tên và xã", "70%", "Bình", "Xã Diễn Châu", "Không")
    assert by_shop["PM-004"][4] == "Không khớp" and by_shop["PM-004"][6] is None


def test_committing_records_the_listings_in_one_go(province, client_for):
    client, postmart = client_for(province.official), marketplace("postmart")
    preview = _upload(client, province, postmart)
    response = client.post(preview, data={"marketplace_id": str(postmart.id)})
    assert response.status_code == 302
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã ghi nhận 1 sản phẩm lên sàn Postmart." in follow
    binh = province.households["revoked"]
    listed = db.session.scalars(select(Listing).where(Listing.marketplace_id == postmart.id)).all()
    assert binh.id in {listing.product.household_id for listing in listed}


def test_someone_else_s_upload_is_not_found(province, client_for):
    postmart = marketplace("postmart")
    preview = _upload(client_for(province.official), province, postmart)
    assert client_for(province.official_1).get(preview).status_code == 404


def test_a_file_without_headers_is_explained(province, client_for):
    client, postmart = client_for(province.official), marketplace("postmart")
    response = client.post(
        "/overview/reconcile",
        data={
            "marketplace_id": str(postmart.id),
            "file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv"),
        },
        content_type="multipart/form-data",
    )
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Không tìm thấy dòng tiêu đề" in body
