"""Household imports of files built to hurt: refused with a message, nothing left behind."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from lms.extensions import db
from lms.households import importing
from lms.households.models import HouseholdImport
from tests.hostile_files import (
    far_apart_xls,
    far_apart_xlsx,
    long_field_csv,
    lying_dimension_xlsx,
    repeated_cells_ods,
)

TOO_LARGE = "Trang tính quá lớn: tối đa 200000 dòng, 1000 cột và tổng cộng 6000000 ô."
CSV_REFUSED = "Không đọc được tệp CSV: có ô quá dài hoặc tệp không phải văn bản."


def _post(client, data: bytes, filename: str):
    return client.post(
        "/households/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def _stored(app) -> set[str]:
    with app.app_context():
        return {path.name for path in importing.import_folder().iterdir()}


@pytest.mark.parametrize(
    ("build", "filename", "message"),
    [
        (far_apart_xlsx, "ds.xlsx", TOO_LARGE),
        (lying_dimension_xlsx, "ds.xlsx", TOO_LARGE),
        (long_field_csv, "ds.csv", CSV_REFUSED),
        (far_apart_xls, "ds.xls", TOO_LARGE),
        (lambda: repeated_cells_ods(10_000, 1_000), "ds.ods", TOO_LARGE),
        (repeated_cells_ods, "ds.ods", TOO_LARGE),
        (lambda: b"PK\x03\x04 not a workbook", "ds.xlsx", "Tệp Excel bị hỏng"),
    ],
    ids=[
        "far-apart-cells",
        "lying-dimension",
        "csv-field-over-128kb",
        "xls-far-corner",
        "ods-ten-million-cells",
        "ods-beyond-the-memory-limit",
        "corrupt",
    ],
)
def test_a_hostile_file_is_refused_and_leaves_nothing(
    world, client_for, app, build, filename, message
):
    client = client_for(world.official_1)
    imports = db.session.scalar(select(func.count()).select_from(HouseholdImport))
    files = _stored(app)
    response = _post(client, build(), filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(HouseholdImport)) == imports
    assert _stored(app) == files
    assert client.get("/households/import").status_code == 200  # the worker still answers


def test_stored_names_are_unique_whatever_the_uploaded_name(world, client_for, app):
    workbook = Workbook()
    for row in [["Họ và tên", "SĐT", "Xã/Phường"], ["Hồ Sỹ Quang", "0971234567", "Diễn Châu"]]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = client_for(world.official_1)
    for name in ("ds.xlsx", "ds.xlsx", "../../ds.xlsx"):
        assert _post(client, buffer.getvalue(), name).status_code == 302
    records = db.session.scalars(
        select(HouseholdImport).where(HouseholdImport.filename == "ds.xlsx")
    ).all()
    names = [record.stored_name for record in records]
    assert len(names) == 3 and len(set(names)) == 3
    assert all(re.fullmatch(r"[0-9a-f]{32}\.xlsx", name) for name in names)
    assert set(names) <= _stored(app)
