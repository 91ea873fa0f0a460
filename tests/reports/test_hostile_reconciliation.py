"""Seller files built to hurt the reconciliation: refused at upload, no file kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.builders import marketplace
from tests.hostile_files import far_apart_xlsx, long_field_csv, lying_dimension_xlsx
from tests.reports.test_reconciliation import messy_seller_file

TOO_LARGE = "Trang tính quá lớn: tối đa 200000 dòng, 1000 cột và tổng cộng 6000000 ô."
CSV_REFUSED = "Không đọc được tệp CSV: có ô quá dài hoặc tệp không phải văn bản."


def _post(client, market, data: bytes, filename: str):
    return client.post(
        "/overview/reconcile",
        data={"marketplace_id": str(market.id), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def _kept(app) -> set[str]:
    folder = Path(app.instance_path) / "reconciliations"
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


@pytest.mark.parametrize(
    ("build", "filename", "message"),
    [
        (far_apart_xlsx, "nguoi-ban.xlsx", TOO_LARGE),
        (lying_dimension_xlsx, "nguoi-ban.xlsx", TOO_LARGE),
        (long_field_csv, "nguoi-ban.csv", CSV_REFUSED),
    ],
    ids=["far-apart-cells", "lying-dimension", "csv-field-over-128kb"],
)
def test_a_hostile_seller_file_is_refused_and_not_kept(
    province, client_for, app, build, filename, message
):
    client, postmart = client_for(province.official), marketplace("postmart")
    kept = _kept(app)
    response = _post(client, postmart, build(), filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _kept(app) == kept
    assert client.get("/overview/reconcile").status_code == 200  # the worker still answers


def test_two_uploads_of_the_same_name_are_kept_apart(province, client_for, app):
    client, postmart = client_for(province.official), marketplace("postmart")
    kept = _kept(app)
    locations = [
        _post(client, postmart, messy_seller_file(province), "nguoi-ban.xlsx").headers["Location"]
        for _ in range(2)
    ]
    assert locations[0] != locations[1]
    new = _kept(app) - kept
    assert len(new) == 2 and not any("nguoi-ban" in name for name in new)
