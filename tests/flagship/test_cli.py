"""``flask products flagship …``: the same services as the screens, from the command line."""

from __future__ import annotations

from sqlalchemy import select

from lms.core.audit import AuditEvent
from lms.extensions import db
from tests.flagship.helpers import SHIPPED, make_registry


def test_load_choose_list_and_withdraw(app, world):
    make_registry(world)
    runner = app.test_cli_runner()
    loaded = runner.invoke(args=["products", "flagship", "load", str(SHIPPED)])
    assert loaded.exit_code == 0 and "tuong-nam-dan: version 1 loaded" in loaded.output
    for slug in ("che-xanh-dien-chau", "mat-ong-rung-yen-thanh"):
        chosen = runner.invoke(
            args=["products", "flagship", "choose", slug, "--as", "tinh@example.vn"]
        )
        assert chosen.exit_code == 0, chosen.output
    listed = runner.invoke(args=["products", "flagship", "list"])
    assert "2 of 3-40, not public (fewer than 3)" in listed.output
    assert "che-xanh-dien-chau: Chè xanh Diễn Châu; 2 households; OCOP 3★" in listed.output
    refused = runner.invoke(
        args=["products", "flagship", "choose", "tuong-nam-dan", "--as", "xa1@example.vn"]
    )
    assert refused.exit_code != 0 and "cán bộ quản lý của tỉnh" in refused.output
    withdrawn = runner.invoke(args=["products", "flagship", "withdraw", "che-xanh-dien-chau"])
    assert withdrawn.exit_code == 0
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("flagship.%"))
    )
    assert sorted(events) == ["flagship.choose", "flagship.choose", "flagship.withdraw"]
