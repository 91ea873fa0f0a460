"""Product screens, in the scope of the household they belong to."""

from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from lms.products.models import Certification, Listing, Product
from tests.builders import marketplace


def test_staff_add_a_product_with_a_certification_and_a_listing(world, client_for):
    client = client_for(world.official_1)
    response = client.post(
        f"/households/{world.household_a.id}/products/new",
        data={
            "name": "Nhút Thanh Chương",
            "category": "đặc sản",
            "ocop_stars": "3",
            "ocop_year": "2024",
        },
    )
    product = db.session.scalar(select(Product).where(Product.name == "Nhút Thanh Chương"))
    assert response.headers["Location"] == f"/products/{product.id}"
    client.post(
        f"/products/{product.id}/certifications",
        data={"kind": "vietgap", "number": "VG-9", "expires_on": "2030-01-01"},
    )
    client.post(
        f"/products/{product.id}/listings",
        data={
            "marketplace_id": str(marketplace("voso").id),
            "url": "https://voso.vn/shop/7",
            "listed_on": "2026-01-02",
        },
    )
    page = client.get(f"/products/{product.id}").get_data(as_text=True)
    assert (
        "VG-9" in page and "https://voso.vn/shop/7" in page and "Đủ điều kiện đưa lên sàn" in page
    )


def test_a_bad_certification_is_explained(world, client_for):
    client = client_for(world.official_2)
    response = client.post(
        f"/products/{world.product_b.id}/certifications", data={"kind": "vietgap", "number": ""}
    )
    assert response.status_code == 302
    assert "Vui lòng nhập số giấy chứng nhận." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_removing_certification_and_ending_listing(world, client_for):
    client = client_for(world.official_2)
    client.post(f"/certifications/{world.certification_b.id}/delete", data={"confirmed": "1"})
    client.post(f"/listings/{world.listing_b.id}/end", data={"confirmed": "1"})
    assert db.session.get(Certification, world.certification_b.id) is None
    db.session.expire_all()
    assert db.session.get(Listing, world.listing_b.id).delisted_on is not None


def test_deleting_a_product_or_a_certification_asks_first_and_says_what_happens(world, client_for):
    client = client_for(world.trainer_y)  # it registered household B
    page = client.post(f"/certifications/{world.certification_b.id}/delete").text
    assert "Xóa chứng nhận VietGAP số" in page and "không còn đủ điều kiện đưa lên sàn" in page
    assert 'name="confirmed" value="1"' in page
    page = client.post(f"/products/{world.product_b.id}/delete").text
    assert "Xóa “Mật ong Yên Thành” của hộ Trần Văn Đức?" in page
    assert "xóa sản phẩm cùng 1 chứng nhận và 1 bản ghi lên sàn" in page
    assert "không thể hoàn tác" in page
    db.session.expire_all()
    assert db.session.get(Certification, world.certification_b.id) is not None
    response = client.post(f"/products/{world.product_b.id}/delete", data={"confirmed": "1"})
    assert response.status_code == 302
    assert db.session.get(Product, world.product_b.id) is None


def test_ending_a_listing_asks_first_and_says_what_happens(world, client_for):
    client = client_for(world.trainer_y)
    path = f"/listings/{world.listing_b.id}/end"
    first = client.post(path)
    page = first.text
    assert first.status_code == 200 and "Vui lòng xác nhận" in page
    assert "Ghi nhận “Mật ong Yên Thành” rời sàn Postmart?" in page
    assert "không tự gỡ sản phẩm khỏi sàn Postmart" in page and "có thể hoàn tác" in page
    for bad in ({"confirmed": "0"}, {"confirmed": "true"}):
        assert client.post(path, data=bad).status_code == 200
    db.session.expire_all()
    assert db.session.get(Listing, world.listing_b.id).is_listed
    assert client.post(path, data={"confirmed": "1"}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(Listing, world.listing_b.id).is_listed


def test_an_official_cannot_touch_another_communes_products(world, client_for):
    client = client_for(world.official_1)
    assert client.post(f"/products/{world.product_b.id}/delete").status_code == 404
    assert db.session.get(Product, world.product_b.id) is not None


def test_a_household_sees_its_products_but_cannot_edit_them(world, client_for):
    client = client_for(world.member_b)
    page = client.get(f"/households/{world.household_b.id}").get_data(as_text=True)
    assert "Mật ong Yên Thành" in page and f"/products/{world.product_b.id}" not in page
    assert client.get(f"/products/{world.product_b.id}").status_code == 403


def test_the_ocop_decision_date_is_refused_in_vietnamese_when_it_cannot_be(world, client_for):
    client = client_for(world.official_1)
    url = f"/households/{world.household_a.id}/products/new"
    base = {"name": "Nhút mít", "ocop_stars": "3", "ocop_year": "2024"}
    future = client.post(url, data={**base, "ocop_decided_on": "2099-01-01"})
    assert future.status_code == 400 and "Ngày không thể ở tương lai." in future.text
    other_year = client.post(url, data={**base, "ocop_decided_on": "2023-06-01"})
    assert other_year.status_code == 400
    assert "Ngày quyết định công nhận OCOP phải thuộc năm công nhận OCOP." in other_year.text
    assert db.session.scalar(select(Product).where(Product.name == "Nhút mít")) is None
    client.post(url, data={**base, "ocop_decided_on": "2024-06-01"})
    product = db.session.scalar(select(Product).where(Product.name == "Nhút mít"))
    assert product.ocop_decided_on.isoformat() == "2024-06-01"
    page = client.get(f"/products/{product.id}").text
    assert "Xếp hạng OCOP có hiệu lực đến 31/05/2027" in page
