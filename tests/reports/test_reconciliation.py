"""Reconciliation with a marketplace's seller export: a messy file, matched honestly,
confirmed row by row, recorded once."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from lms.core.errors import RuleViolation
from lms.extensions import db
from lms.products.models import Listing, Product, ProductSource
from lms.reports import reconciliation, targets
from lms.reports.reconciliation import MatchState
from lms.reports.targets import TargetFilter
from tests.builders import make_household, marketplace


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def messy_seller_file(province) -> bytes:
    """Postmart's export as people forward it: a title line, headers of their own, phones
    written every way, a CCCD with spaces, a seller nobody knows, one known by name only."""
    an = province.households["listed_trained"]
    phone = an.phone
    return xlsx(
        [
            ["DANH SÁCH NGƯỜI BÁN POSTMART — THÁNG 11/2026"],
            [],
            ["STT", "ID Shop", "Chủ gian hàng", "SĐT liên hệ", "Số CMND/CCCD", "Địa chỉ kho",
             "Danh sách sản phẩm"],
            [1, "PM-001", "AN", f"(+84) {phone[1:4]} {phone[4:7]} {phone[7:]}", None,
             "Xã Diễn Châu", "Chè xanh Thanh Chương; Mật ong rừng"],
            [2, "PM-002", "Hà", "", "040 186 009 999", "Yên Thành", ""],
            [3, "PM-003", "bình", "", "", "Xóm 2, xã Diễn Châu, Nghệ An", "chè xanh thanh chương"],
            [4, "PM-004", "Trần Thị Không Có", "0899.888.777", "", "Xã Khác", "Nấm"],
        ]
    )  # fmt: skip


def _post(client, market, body: bytes, name: str = "nguoi-ban-postmart.xlsx"):
    return client.post(
        "/overview/reconcile",
        data={"marketplace_id": str(market.id), "file": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )


def _upload(client, province, market, body: bytes | None = None) -> str:
    province.households["active"].national_id = "040186009999"
    db.session.commit()
    response = _post(client, market, body or messy_seller_file(province))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _token(preview: str) -> str:
    return re.search(r"/overview/reconcile/([0-9a-f]{32})", preview).group(1)


def _listings() -> int:
    return db.session.scalar(select(func.count()).select_from(Listing))


def _listed_not_trained(user) -> set[str]:
    clause = targets.listed_not_trained()
    statement = targets.households_query(user, TargetFilter(), clause)
    return {h.head_name for h in db.session.scalars(statement)}


def test_a_messy_seller_file_gives_the_right_report(province, client_for):
    client, postmart = client_for(province.official), marketplace("postmart")
    preview = _upload(client, province, postmart)
    listings = _listings()
    body = client.get(preview).get_data(as_text=True)
    assert "Khớp chắc chắn: <strong>2</strong>" in body
    assert 'Cần xác nhận: <strong class="tag warn">1</strong>' in body
    assert "Không khớp: <strong>1</strong>" in body
    assert _listings() == listings  # a preview

    report = client.get(f"/overview/reconcile/{_token(preview)}/report.xlsx")
    rows = list(load_workbook(io.BytesIO(report.data)).active.iter_rows(values_only=True))
    assert "2 khớp chắc chắn, 1 cần xác nhận, 1 không khớp" in rows[0][0]
    by_shop = {row[1]: row for row in rows[2:]}
    assert by_shop["PM-001"][4:10] == (
        "Số điện thoại", "Khớp chắc chắn", "An", "Xã Diễn Châu", "Có", "Chè xanh Thanh Chương",
    )  # fmt: skip
    assert by_shop["PM-001"][10] == "Mật ong rừng"  # not in the registry: created when recorded
    assert by_shop["PM-002"][4:9] == ("Số CCCD", "Khớp chắc chắn", "Hà", "Xã Yên Thành", "Có")
    # Bình has no phone: found by name in its commune, which a person must confirm
    assert by_shop["PM-003"][4:9] == (
        "Họ tên và xã",
        "Cần xác nhận",
        "Bình",
        "Xã Diễn Châu",
        "Không",
    )
    assert "Chỉ khớp theo họ tên và xã" in by_shop["PM-003"][11]
    assert by_shop["PM-004"][5] == "Không khớp" and by_shop["PM-004"][6] is None


def test_untrained_sellers_whose_products_are_not_registered_become_listed_not_trained(
    province, client_for
):
    """The normal case: three untrained sellers, none of their products in the registry."""
    client, postmart = client_for(province.official), marketplace("postmart")
    h = province.households
    dung, giang, em = h["nothing"], h["unlisted"], h["shop_only"]
    body = xlsx(
        [
            ["Tên người bán", "Số điện thoại", "Địa chỉ", "Sản phẩm", "Ngày tham gia"],
            [dung.head_name, dung.phone, "Xã Yên Thành", "Mật ong rừng Pù Mát", "15/11/2026"],
            [giang.head_name, giang.phone, "", "Cam Vinh; Nhút Thanh Chương", ""],
            [em.head_name, em.phone, "xã Yên Thành", "", ""],
        ]
    )
    preview = _upload(client, province, postmart, body)
    assert {"Dũng", "Giang"}.isdisjoint(_listed_not_trained(province.official))

    response = client.post(preview)
    assert response.status_code == 302
    page = client.get(preview).get_data(as_text=True)
    assert "Người bán đã ghi nhận: 3 (3 hộ)" in page
    assert "Sản phẩm ghi nhận lên sàn Postmart: 4" in page
    assert "Sản phẩm mới tạo từ tệp: 4" in page
    assert "Ghi nhận lên sàn</button>" not in page  # no second commit is offered
    assert {"Dũng", "Giang", "Em"} <= _listed_not_trained(province.official)
    created = db.session.scalars(select(Product).where(Product.household_id == dung.id)).all()
    assert [(p.name, p.source, p.ocop_stars, p.certifications) for p in created] == [
        ("Mật ong rừng Pù Mát", ProductSource.RECONCILIATION, 0, [])
    ]
    assert created[0].listings[0].listed_on.isoformat() == "2026-11-15"
    placeholder = db.session.scalars(select(Product).where(Product.household_id == em.id)).one()
    assert placeholder.name == "Sản phẩm trên Postmart"  # a seller naming no product
    detail = client.get(f"/households/{dung.id}").get_data(as_text=True)
    assert "Ghi nhận từ danh sách người bán của sàn: cần bổ sung xếp hạng OCOP" in detail

    # a second post (another tab, a double click) records nothing more
    listings = _listings()
    client.post(preview)
    assert _listings() == listings
    assert "Danh sách người bán này đã được ghi nhận." in client.get(preview).get_data(as_text=True)


def test_a_second_commit_of_the_same_list_is_refused(province, app):
    h = province.households
    body = xlsx([["Họ tên", "SĐT"], [h["nothing"].head_name, h["nothing"].phone]])
    official, postmart = province.official, marketplace("postmart")
    token = reconciliation.upload(official, postmart, io.BytesIO(body), "a.xlsx")
    products = db.session.scalar(select(func.count()).select_from(Product))
    first, second = reconciliation.load(official, token), reconciliation.load(official, token)
    assert reconciliation.commit(official, first)["listings"] == 1
    with pytest.raises(RuleViolation, match="đã được ghi nhận"):
        reconciliation.commit(official, second)
    assert db.session.scalar(select(func.count()).select_from(Product)) == products + 1


def test_a_phone_match_whose_name_or_commune_disagrees_needs_confirmation(province):
    h = province.households
    other = make_household(head_name="Lê Văn Khác", area=province.commune_2)
    db.session.commit()
    body = xlsx(
        [
            ["Họ tên", "SĐT", "Xã", "CCCD"],
            ["Phạm Thị Mới", h["nothing"].phone, "Yên Thành", ""],  # another name
            [h["unlisted"].head_name, h["unlisted"].phone, "Xã Diễn Châu", ""],  # other commune
            ["Nguyen Van Thu", other.phone, "", "040186001111"],  # the CCCD is someone else's?
            ["dũng", h["nothing"].phone + " / 0912000111", "Yên Thành", ""],
        ]
    )
    other.national_id = None
    h["active"].national_id = "040186001111"
    db.session.commit()
    official = province.official
    token = reconciliation.upload(official, marketplace("postmart"), io.BytesIO(body), "b.xlsx")
    rows = {row.line: row for row in reconciliation.load(official, token).rows}
    assert rows[2].state is MatchState.TO_CONFIRM and rows[2].confidence is None
    assert rows[2].doubts[0].endswith(": họ tên.")
    assert rows[3].state is MatchState.TO_CONFIRM and rows[3].doubts[0].endswith(": xã, phường.")
    # the phone and the CCCD name two households: matched to neither
    assert rows[4].household is None and "hai hộ khác nhau" in rows[4].note
    # two sellers on Dũng: both asked about, whatever else agrees
    assert rows[5].household.id == h["nothing"].id
    assert any(
        "2 người bán trong tệp cùng khớp với hộ này (dòng 2, 5)" in d for d in rows[5].doubts
    )


def test_doubtful_matches_are_confirmed_or_rejected_before_the_commit(province, client_for):
    client, postmart = client_for(province.official), marketplace("postmart")
    preview = _upload(client, province, postmart)
    token = _token(preview)
    client.post(preview)
    assert "Còn 1 người bán cần xác nhận" in client.get(preview).get_data(as_text=True)
    assert reconciliation.find(province.official, token).committed_at is None

    doubtful = client.get(f"{preview}?show=to_confirm").get_data(as_text=True)
    assert 'id="seller-3"' in doubtful and 'id="seller-1"' not in doubtful
    response = client.post(
        f"/overview/reconcile/{token}/sellers/3?show=to_confirm", data={"choice": "confirm"}
    )
    assert response.status_code == 302 and "show=to_confirm" in response.headers["Location"]
    assert "Không có người bán nào trong mục này." in client.get(
        f"{preview}?show=to_confirm"
    ).get_data(as_text=True)
    page = client.get(preview).get_data(as_text=True)
    assert "Đã xác nhận" in page and 'Cần xác nhận: <strong class="tag ok">0</strong>' in page
    # a sure match needs nothing
    client.post(f"/overview/reconcile/{token}/sellers/1", data={"choice": "reject"})
    assert "Người bán này không cần xác nhận." in client.get(preview).get_data(as_text=True)

    client.post(preview)
    binh = province.households["revoked"]
    listed = db.session.scalars(select(Listing).where(Listing.marketplace_id == postmart.id)).all()
    assert binh.id in {listing.product.household_id for listing in listed}
    assert "Bình" in _listed_not_trained(province.official)


def test_a_rejected_match_records_nothing_for_that_seller(province):
    official, postmart = province.official, marketplace("postmart")
    province.households["active"].national_id = "040186009999"
    db.session.commit()
    token = reconciliation.upload(
        official, postmart, io.BytesIO(messy_seller_file(province)), "c.xlsx"
    )
    reconciliation.decide(official, reconciliation.load(official, token), 3, "reject")
    summary = reconciliation.commit(official, reconciliation.load(official, token))
    assert summary["recorded"] == 2 and summary["rejected"] == 1
    binh = province.households["revoked"]
    postmart_products = db.session.scalars(
        select(Listing.product_id).where(Listing.marketplace_id == postmart.id)
    ).all()
    assert not {p.id for p in binh.products} & set(postmart_products)


def test_someone_else_s_upload_is_not_found(province, client_for):
    postmart = marketplace("postmart")
    preview = _upload(client_for(province.official), province, postmart)
    assert client_for(province.official_1).get(preview).status_code == 404
    token = _token(preview)
    response = client_for(province.official_1).post(
        f"/overview/reconcile/{token}/sellers/3", data={"choice": "confirm"}
    )
    assert response.status_code == 404


def test_a_file_without_headers_is_explained(province, client_for):
    client, postmart = client_for(province.official), marketplace("postmart")
    response = _post(client, postmart, b"a,b\n1,2\n", "x.csv")
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Không tìm thấy dòng tiêu đề" in body
    assert "Ghi nhận lên sàn</button>" not in body


def test_decisions_and_the_commit_need_the_page_s_csrf_token(province, client_for, csrf):
    official, postmart = province.official, marketplace("postmart")
    province.households["active"].national_id = "040186009999"
    db.session.commit()
    token = reconciliation.upload(
        official, postmart, io.BytesIO(messy_seller_file(province)), "d.xlsx"
    )
    client = client_for(official)
    preview = f"/overview/reconcile/{token}"
    refused = client.post(f"{preview}/sellers/3", data={"choice": "confirm"})
    assert refused.status_code == 400
    assert reconciliation.find(official, token).decisions == {}
    page = client.get(preview).get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(f"{preview}/sellers/3", data={"choice": "confirm", "csrf_token": csrf_token})
    assert client.post(preview).status_code == 400
    assert reconciliation.find(official, token).committed_at is None
    client.post(preview, data={"csrf_token": csrf_token})
    assert reconciliation.find(official, token).committed_at is not None
