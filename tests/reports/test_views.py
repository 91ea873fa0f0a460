"""Officials' screens: the dashboard, its lists, exports read back with openpyxl, drill-down,
scope, and the trail (the PDF report: test_report.py)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from lms.extensions import db
from lms.reports import targets
from lms.reports.targets import TargetFilter
from tests.builders import make_area


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


def test_the_dashboard_shows_every_target_in_vietnamese(province, client_for):
    body = client_for(province.official).get("/overview/").get_data(as_text=True)
    assert "Tổng quan: Tỉnh Nghệ An" in body
    assert "Hộ đã được tuyên truyền" in body
    assert "Đã lên sàn nhưng chưa được đào tạo" in body
    assert "Xã Diễn Cũ" not in body  # the legacy commune is counted in Xã Diễn Châu
    assert "<svg" in body and "100%" in body  # the chart, with its goal line


def test_the_dashboard_export_holds_the_same_numbers(province, client_for):
    rows = _sheet(client_for(province.official).get("/overview/export.xlsx"))
    assert rows[0][0].startswith("Tổng quan — Tỉnh Nghệ An")
    assert "Ngày xuất" in rows[0][0]
    header, lines = rows[1], {row[0]: row for row in rows[2:]}
    board = targets.dashboard(province.official, TargetFilter())
    trained = header.index("Hộ đã được đào tạo (có giấy chứng nhận)")
    households = header.index("Hộ")
    for row in board.rows:
        line = lines[row.area.name]
        assert line[households] == row.households
        assert line[trained : trained + 2] == (
            row.shares["trained"].part,
            row.shares["trained"].whole,
        )
    assert lines["Tổng cộng"][households] == 7
    assert lines["Tổng cộng"][header.index("Đã lên sàn nhưng chưa được đào tạo")] == 2


def test_a_commune_that_sent_no_list_says_so_in_the_export(province, client_for):
    make_area(name="Xã Chưa Gửi", parent=province.province)
    db.session.commit()
    rows = _sheet(client_for(province.official).get("/overview/export.xlsx"))
    header, lines = rows[1], {row[0]: row for row in rows[2:]}
    status = header.index("Danh sách hộ")
    assert lines["Xã Chưa Gửi"][status] == "Chưa nộp danh sách"
    assert lines["Xã Yên Thành"][status] in (None, "")


def test_the_export_names_its_filters(province, client_for):
    path = f"/overview/export.xlsx?area_id={province.commune_2.id}"
    rows = _sheet(client_for(province.official).get(path))
    assert "Xã Yên Thành" in rows[0][0]
    assert [row[0] for row in rows[2:]] == ["Xã Yên Thành", "Tổng cộng"]


def test_drilling_into_a_commune_and_back(province, client_for):
    client = client_for(province.official)
    body = client.get(f"/overview/?area_id={province.commune_1.id}").get_data(as_text=True)
    assert "Tổng quan: Xã Diễn Châu" in body
    assert 'href="/overview/"' in body  # back to the province
    assert "Xã Yên Thành</a>" not in body


def test_an_area_outside_the_scope_is_ignored(province, client_for):
    path = f"/overview/?area_id={province.commune_2.id}"
    body = client_for(province.official_1).get(path).get_data(as_text=True)
    assert "Tổng quan: Xã Diễn Châu" in body
    assert "Xã Yên Thành" not in body


def test_listed_but_not_trained_shows_phones_and_exports(province, client_for):
    client = client_for(province.official)
    body = client.get("/overview/households/listed_not_trained").get_data(as_text=True)
    revoked = province.households["revoked"]
    shop_only = province.households["shop_only"]
    assert "Bình" in body and "Em" in body and "An</a>" not in body
    assert shop_only.phone in body  # unmasked: officials call these households
    rows = _sheet(client.get("/overview/households/listed_not_trained.xlsx"))
    assert rows[0][0].startswith("Đã lên sàn nhưng chưa được đào tạo")
    assert {row[1] for row in rows[2:]} == {revoked.head_name, shop_only.head_name}
    text = client.get("/overview/households/listed_not_trained.csv").data
    assert text.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    lines = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert len(lines) == 3


def test_an_unknown_list_is_not_found(province, client_for):
    assert client_for(province.official).get("/overview/households/nope").status_code == 404


def test_the_trail_shows_a_household_s_whole_story(province, client_for):
    household = province.households["legacy"]
    client = client_for(province.official)
    body = client.get(f"/overview/trail/{household.id}").get_data(as_text=True)
    assert "Cúc" in body and "Có mặt" in body and "NA-2026-" in body
    found = client.get("/overview/trail?q=cuc").get_data(as_text=True)
    assert f"/overview/trail/{household.id}" in found


def test_a_certificate_serial_leads_to_its_household(province, client_for):
    from sqlalchemy import select

    from lms.certificates.models import Certificate
    from lms.extensions import db

    certificate = db.session.scalar(
        select(Certificate).where(Certificate.household_id == province.households["active"].id)
    )
    response = client_for(province.official).get(f"/overview/trail?q={certificate.serial}")
    assert response.headers["Location"].endswith(f"/overview/trail/{certificate.household_id}")
    # the commune 1 official does not find a certificate of commune 2
    response = client_for(province.official_1).get(f"/overview/trail?q={certificate.serial}")
    assert response.status_code == 200
    assert "Không có gì trong địa bàn" in response.get_data(as_text=True)


def test_the_ineligible_listings_export_names_its_area(province, client_for):
    path = f"/overview/listings/ineligible.xlsx?area_id={province.commune_1.id}"
    rows = _sheet(client_for(province.official).get(path))
    assert rows[0][0].startswith("Sản phẩm trên sàn không còn đủ điều kiện — Xã Diễn Châu")
