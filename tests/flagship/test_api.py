"""The read-only API for marketplaces: this year's public flagship products and one of them,
with the registry's facts (current ratings only, linked shops only when eligible)."""

from __future__ import annotations

from lms.api import services as keys
from lms.extensions import db
from tests.builders import marketplace
from tests.flagship.helpers import choose_all, load_shipped, make_registry


def test_list_and_detail(world, client):
    stories = load_shipped()
    make_registry(world)
    choose_all(stories)
    _key, secret = keys.create_key(world.admin, world.org_x, marketplace(), "Postmart")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    items = client.get("/api/v1/flagship-products", headers=headers).get_json()["items"]
    assert [item["slug"] for item in items] == [
        "che-xanh-dien-chau", "mat-ong-rung-yen-thanh", "tuong-nam-dan",
    ]  # fmt: skip
    tea = client.get("/api/v1/flagship-products/che-xanh-dien-chau", headers=headers).get_json()
    assert tea["ocop"] == [{"stars": 3, "year": tea["year"] - 1}]  # the expired 4 stars left out
    assert tea["households_by_commune"] == {"Xã Diễn Châu": 2}
    assert "Nguyễn Thị Hương" not in str(tea)
    sauce = client.get("/api/v1/flagship-products/tuong-nam-dan", headers=headers).get_json()
    assert sauce["shops"] == [] and [c["valid"] for c in sauce["certifications"]] == [False]
    missing = client.get("/api/v1/flagship-products/khong-co", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/flagship-products").status_code == 401
