"""``flask reports reconcile``: the same matching and recording as the screen."""

from __future__ import annotations

from openpyxl import load_workbook
from sqlalchemy import func, select

from lms.extensions import db
from lms.products.models import Listing, Product, ProductSource
from tests.reports.test_reconciliation import messy_seller_file, xlsx


def test_the_command_prints_each_match_and_writes_the_report(app, province, tmp_path):
    province.households["active"].national_id = "040186009999"
    db.session.commit()
    seller_file = tmp_path / "nguoi-ban.xlsx"
    seller_file.write_bytes(messy_seller_file(province))
    report = tmp_path / "report.xlsx"
    listings = db.session.scalar(select(func.count()).select_from(Listing))
    result = app.test_cli_runner().invoke(
        args=["reports", "reconcile", str(seller_file), "--marketplace", "postmart",
              "--report", str(report), "--as", province.official.email]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "line 4: AN" in result.output and "Khớp chắc chắn → An, Xã Diễn Châu" in result.output
    assert "line 6: bình" in result.output and "Cần xác nhận → Bình" in result.output
    assert "line 7: Trần Thị Không Có (0899.888.777) — Không khớp" in result.output
    assert "4 sellers: 2 sure, 1 need confirmation, 1 not matched" in result.output
    assert "Preview only" in result.output
    rows = list(load_workbook(report).active.iter_rows(values_only=True))
    assert len(rows) == 2 + 4
    assert db.session.scalar(select(func.count()).select_from(Listing)) == listings


def test_commit_records_the_sure_matches_and_leaves_the_doubtful_ones(app, province, tmp_path):
    h = province.households
    seller_file = tmp_path / "voso.csv"
    seller_file.write_bytes(
        "Họ tên,SĐT,Xã,Sản phẩm\n"
        f"{h['nothing'].head_name},{h['nothing'].phone},Yên Thành,Bưởi Phúc Trạch\n"
        f"Người Khác,{h['unlisted'].phone},Yên Thành,Cam\n".encode()
    )
    result = app.test_cli_runner().invoke(
        args=["reports", "reconcile", str(seller_file), "--marketplace", "voso", "--commit"]
    )
    assert result.exit_code == 0, result.output
    assert "1 doubtful matches were not recorded" in result.output
    assert "Recorded: 1 sellers, 1 listings on Voso, 1 products created" in result.output
    assert [p.name for p in tmp_path.glob("voso-doi-soat-*.xlsx")]
    created = db.session.scalars(
        select(Product).where(Product.source == ProductSource.RECONCILIATION)
    ).all()
    assert [(p.household_id, p.name) for p in created] == [(h["nothing"].id, "Bưởi Phúc Trạch")]


def test_an_unknown_marketplace_or_user_is_refused(app, province, tmp_path):
    seller_file = tmp_path / "a.xlsx"
    seller_file.write_bytes(xlsx([["Họ tên", "SĐT"], ["An", "0912345678"]]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "reconcile", str(seller_file), "--marketplace", "x"])
    assert result.exit_code != 0 and "no marketplace has the code 'x'" in result.output
    result = runner.invoke(
        args=["reports", "reconcile", str(seller_file), "--marketplace", "postmart",
              "--as", "nobody@example.org"]
    )  # fmt: skip
    assert result.exit_code != 0 and "no user has the e-mail" in result.output
