"""Public flagship pages (no login, light, nothing personal, expired facts shown as expired,
only eligible listings linked) and the officials' screens."""

from __future__ import annotations

import gzip
import re

from sqlalchemy import select

from lms.core.audit import AuditEvent
from lms.extensions import db
from lms.flagship.models import FlagshipProduct
from tests.flagship.helpers import choose_all, load_shipped, make_registry

PERSONAL = (
    "Nguyễn Thị Hương", "0912345678", "040186001234", "Trần Văn Đức", "0987654321",
    "040084002345", "Lê Văn Hàng Xóm", "0911222333", "Phan Văn Tương", "0933444555",
)  # fmt: skip
#: the plan's page budget, transferred: page, stylesheet, pictures and QR code
BUDGET = 30 * 1024


def published(world):
    stories, registry = load_shipped(), make_registry(world)
    return choose_all(stories, world.admin), registry


def test_the_public_list_and_pages_open_without_login_and_name_no_one(world, client):
    published(world)
    listing = client.get("/flagship/")
    assert listing.status_code == 200
    body = listing.get_data(as_text=True)
    assert "Sản phẩm tiêu biểu" in body and "Tương Nam Đàn" in body
    for slug in ("che-xanh-dien-chau", "mat-ong-rung-yen-thanh", "tuong-nam-dan"):
        page = client.get(f"/flagship/{slug}").get_data(as_text=True)
        assert not [marker for marker in PERSONAL if marker in page], slug
        assert "Xã Diễn Châu" in page or "Xã Yên Thành" in page
        assert not re.search(r"(?<!\d)0\d{9}(?!\d)", page), "a phone number"


def test_expired_facts_are_shown_expired_and_ineligible_listings_not_linked(world, client):
    published(world)
    tea = client.get("/flagship/che-xanh-dien-chau").get_data(as_text=True)
    assert "OCOP 3 sao" in tea and "Xếp hạng OCOP đã hết hạn" in tea
    assert "<s>OCOP 4 sao</s>" in tea
    assert 'href="https://postmart.vn/shop/che-xanh-dien-chau"' in tea
    sauce = client.get("/flagship/tuong-nam-dan").get_data(as_text=True)
    assert "Đã hết hạn" in sauce and "còn hiệu lực" not in sauce
    assert "postmart.vn/shop/tuong-het-han" not in sauce
    assert "Hiện chưa có gian hàng nào của sản phẩm này trên sàn." in sauce
    honey = client.get("/flagship/mat-ong-rung-yen-thanh").get_data(as_text=True)
    assert "VietGAP" in honey and "còn hiệu lực đến" in honey
    assert "Mua trên Voso" in honey


def test_a_page_is_within_budget_and_loads_from_this_site_only(world, client):
    published(world)
    for slug in ("che-xanh-dien-chau", "mat-ong-rung-yen-thanh", "tuong-nam-dan"):
        page = client.get(f"/flagship/{slug}")
        body = page.get_data(as_text=True)
        loaded = re.findall(r'<(?:img|script)[^>]+src="([^"]+)"', body)
        loaded += re.findall(r'<link[^>]+href="([^"]+)"', body)
        assert loaded and all(url.startswith("/") for url in loaded), loaded
        # with the service worker the page registers, and the page the worker keeps (#21)
        loaded += ["/sw.js", "/offline"]
        # transferred compressed, as the lesson page's budget counts (DESIGN §6)
        total = sum(
            len(gzip.compress(body)) for body in [page.data, *(client.get(u).data for u in loaded)]
        )
        assert total <= BUDGET, f"{slug}: {total} bytes"


def test_the_qr_code_opens_the_page(world, client):
    published(world)
    svg = client.get("/flagship/tuong-nam-dan/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert client.get("/flagship/khong-co/qr.svg").status_code == 404


def test_a_list_below_the_minimum_is_not_public(world, client):
    flagships, _registry = published(world)
    db.session.delete(db.session.get(FlagshipProduct, flagships[0].id))
    db.session.commit()
    assert client.get("/flagship/tuong-nam-dan").status_code == 404
    assert "Tương Nam Đàn" not in client.get("/flagship/").get_data(as_text=True)


def test_the_province_official_chooses_and_withdraws_on_the_screen(world, client_for, csrf):
    load_shipped(), make_registry(world)
    official = client_for(world.official_province)
    page = official.get("/flagship/manage/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = official.post(
        "/flagship/manage/choose", data={"story": "tuong-nam-dan", "csrf_token": token}
    )
    assert answer.status_code == 302
    flagship = db.session.scalar(select(FlagshipProduct))
    assert flagship.chosen_by_id == world.official_province.id
    page = official.get("/flagship/manage/").get_data(as_text=True)
    assert "Tương Nam Đàn là sản phẩm tiêu biểu năm" in page
    assert "Chưa công khai cho đến khi chọn đủ 3" in page
    refused = official.post(f"/flagship/manage/{flagship.id}/withdraw")
    assert refused.status_code == 400  # without its CSRF token: nothing changes
    assert db.session.scalar(select(FlagshipProduct)) is not None
    official.post(f"/flagship/manage/{flagship.id}/withdraw", data={"csrf_token": token})
    assert db.session.scalar(select(FlagshipProduct)) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "flagship.withdraw"))


def test_a_commune_official_reads_but_may_not_choose(world, client_for):
    (tea, *_), _registry = published(world)
    official = client_for(world.official_1)
    page = official.get("/flagship/manage/").get_data(as_text=True)
    assert "Chè xanh Diễn Châu" in page and "Bỏ chọn" not in page
    assert official.post(f"/flagship/manage/{tea.id}/withdraw").status_code == 403
    producers = official.get(f"/flagship/manage/{tea.id}").get_data(as_text=True)
    assert "Nguyễn Thị Hương" in producers and "Chưa được đào tạo" in producers
    other = client_for(world.official_2).get(f"/flagship/manage/{tea.id}").get_data(as_text=True)
    assert "Nguyễn Thị Hương" not in other and "Lê Văn Hàng Xóm" not in other


def test_the_overview_counts_the_flagship_products_listed(world, client_for):
    published(world)
    body = client_for(world.official_province).get("/overview/").get_data(as_text=True)
    assert "Sản phẩm tiêu biểu đã lên sàn: 2 trên 3" in body  # the sauce is not eligible
    menu = client_for(world.official_1).get("/flagship/manage/").get_data(as_text=True)
    assert 'href="/flagship/manage/" aria-current="page">Sản phẩm tiêu biểu' in menu


def test_the_page_reads_in_english_second(world, client):
    published(world)
    client.get("/language/en")
    body = client.get("/flagship/che-xanh-dien-chau").get_data(as_text=True)
    assert "Diễn Châu green tea" in body and "Where the tea grows" in body
    assert "Where to buy it" in body and "Nơi chè lớn lên" not in body
