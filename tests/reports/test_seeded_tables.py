"""Every test starts from the same database: what a test adds to the tables the migrations
seed (the marketplaces), or changes in them, is undone after it, as the other tables are
emptied."""

from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from lms.products.models import Marketplace, PartnerKind
from tests.builders import marketplace

#: what migrations 0002 (the marketplaces) and 0027 (the payment services) seed, written out
#: by hand
SEEDED = [
    (1, "postmart", "Postmart", "VNPost", "https://postmart.vn", PartnerKind.MARKETPLACE, True),
    (2, "voso", "Voso", "ViettelPost", "https://voso.vn", PartnerKind.MARKETPLACE, True),
    (3, "postpay", "PostPay", "VNPost", "https://postpay.vn", PartnerKind.PAYMENT_PROVIDER, True),
    (
        4,
        "viettelmoney",
        "Viettel Money",
        "Viettel",
        "https://viettelmoney.vn",
        PartnerKind.PAYMENT_PROVIDER,
        True,
    ),
]


def marketplaces() -> list[tuple]:
    rows = db.session.scalars(select(Marketplace).order_by(Marketplace.id))
    return [(m.id, m.code, m.name, m.operator, m.url, m.kind, m.is_active) for m in rows]


def change_the_marketplaces() -> None:
    """A test adds a payment provider and changes the seeded rows."""
    marketplace("voso").is_active = False
    marketplace("postmart").name = "Postmart (đổi tên)"
    db.session.add(Marketplace(code="wallet", name="Ví", kind=PartnerKind.PAYMENT_PROVIDER))
    db.session.commit()


def test_a_test_adds_a_payment_provider_and_changes_the_seeded_rows(province):
    change_the_marketplaces()
    assert [row[1] for row in marketplaces()] == [
        "postmart",
        "voso",
        "postpay",
        "viettelmoney",
        "wallet",
    ]
    assert marketplaces()[:2] != SEEDED[:2]


def test_the_next_test_starts_from_the_seeded_marketplaces_alone(app):
    """Runs after the test above (pytest keeps a file's order)."""
    assert marketplaces() == SEEDED
    added = Marketplace(code="ví-2", name="Ví 2", kind=PartnerKind.PAYMENT_PROVIDER)
    db.session.add(added)
    db.session.commit()
    assert added.id == 5  # ids go on from the seeded rows, on SQLite and PostgreSQL alike


def test_the_cleanup_after_a_test_puts_the_seeded_rows_back(province, app):
    from tests.conftest import _empty_database

    change_the_marketplaces()
    _empty_database(app)
    db.session.remove()
    assert marketplaces() == SEEDED
