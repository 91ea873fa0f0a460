"""``make run``'s demo shows three flagship products, each a product its households make."""

from __future__ import annotations

from lms.demo.data import load_demo_data
from lms.flagship import services


def test_the_demo_shows_three_flagship_products(app, client):
    assert load_demo_data()
    flagships = services.public_flagships()
    assert [f.product_name for f in flagships] == [
        "Chè xanh Diễn Châu", "Mật ong rừng Yên Thành", "Tương Nam Đàn",
    ]  # fmt: skip
    assert all(services.facts_of(f).households == 1 for f in flagships)
    page = client.get("/flagship/tuong-nam-dan").get_data(as_text=True)
    assert "Đã hết hạn" in page  # its food-safety certificate expired a month ago
    assert "Mua trên Postmart" in client.get("/flagship/che-xanh-dien-chau").get_data(as_text=True)
