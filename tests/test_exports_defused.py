"""Every spreadsheet the product hands out, opened in Excel, shows text as typed and never
runs it: a household name kept from before names were checked, a product, a village and a
seller file whose cells are formulas go through every export (DESIGN §4 rule 5)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from lms.activation.services import request_activation
from lms.attendance.models import EnrolmentSource
from lms.attendance.services import enrol
from lms.extensions import db
from tests.builders import make_household, make_import, make_listing, make_product, marketplace

FORMULA = '=HYPERLINK("http://x","y")'
#: what Excel evaluates when a cell starts with it
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def poisoned(world):
    """A household whose name, village and product are formulas, in every list an export
    reads: the registry, the activation queue, a roster, the officials' exception lists."""
    household = make_household(
        head_name=FORMULA, area=world.commune_2, village="@SUM(A1:A9)", phone="0977555111"
    )
    product = make_product(household=household, name="+cmd|' /C calc'!A0")
    make_listing(product=product)  # listed, not eligible, not trained
    enrol(world.admin, world.session_y, [household], EnrolmentSource.SEARCH)
    db.session.commit()
    request = request_activation(world.admin, household, marketplace())
    # the gate answered this early ask, and such answers wait in no queue: kept there as a
    # refusal the staff decided, so the queue's exports carry the household
    request.answered_by_gate = False
    world.import_poisoned = make_import(
        world.admin,
        f"Họ và tên,Số điện thoại,Xã/Phường\n{FORMULA.replace(',', ';')},09,Xã Yên Thành\n",
    )
    return world


def _seller_file() -> bytes:
    workbook = Workbook()
    workbook.active.append(["ID Shop", "Chủ gian hàng", "SĐT liên hệ", "Danh sách sản phẩm"])
    workbook.active.append(["@SUM(1+1)", FORMULA, "0977555111", "-2+3+cmd|' /C calc'!A0"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _reconciliation_report(client) -> str:
    postmart = marketplace()
    response = client.post(
        "/overview/reconcile",
        data={"marketplace_id": str(postmart.id), "file": (io.BytesIO(_seller_file()), "s.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    token = re.search(r"/overview/reconcile/([0-9a-f]{32})", response.headers["Location"])[1]
    return f"/overview/reconcile/{token}/report.xlsx?marketplace_id={postmart.id}"


EXPORTS = [
    lambda w: "/households/export.csv",
    lambda w: "/households/export.xlsx",
    lambda w: f"/households/import/{w.import_poisoned.id}/rejected.xlsx",
    lambda w: "/activation/requests.csv",
    lambda w: "/activation/requests.xlsx",
    lambda w: f"/sessions/{w.session_y.id}/attendance.xlsx",
    lambda w: "/sessions/attendance.xlsx?first=2000-01-01&last=2100-12-31",
    lambda w: "/overview/households/listed_not_trained.csv",
    lambda w: "/overview/households/listed_not_trained.xlsx",
    lambda w: "/overview/listings/ineligible.xlsx",
    None,  # the reconciliation report of a seller file: built in the test
]


def _cells(response) -> list[tuple[str, str]]:
    """(text, type) of every cell; "f" is a formula Excel would evaluate."""
    if response.mimetype == "text/csv":
        rows = csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")))
        return [(cell, "csv") for row in rows for cell in row]
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [
        (str(cell.value), cell.data_type)
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


@pytest.mark.parametrize(
    "path",
    EXPORTS,
    ids=[
        "households.csv", "households.xlsx", "rejected-rows", "activation.csv",
        "activation.xlsx", "session-attendance", "attendance-range", "listed-not-trained.csv",
        "listed-not-trained.xlsx", "ineligible-listings", "reconciliation-report",
    ],
)  # fmt: skip
def test_every_export_writes_formulas_as_text(poisoned, client_for, path):
    client = client_for(poisoned.admin)
    url = _reconciliation_report(client) if path is None else path(poisoned)
    response = client.get(url)
    assert response.status_code == 200, url
    cells = _cells(response)
    assert any("HYPERLINK" in text or "cmd|" in text for text, _type in cells), url
    live = [
        text
        for text, kind in cells
        if kind == "f" or (kind == "csv" and text.startswith(TRIGGERS) and not _number(text))
    ]
    assert live == [], url


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
