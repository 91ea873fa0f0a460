"""The administrator's area screens."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from lms.areas.models import Area
from lms.extensions import db


def test_admin_lists_areas_with_their_mergers(world, client_for):
    merged = Area(
        code="16693",
        name="Phường Bến Thủy",
        level="commune",
        parent_id=world.province.id,
        merged_into_id=world.commune_1.id,
        path="",
    )
    db.session.add(merged)
    db.session.commit()
    page = client_for(world.admin).get("/areas/").get_data(as_text=True)
    assert "Phường Bến Thủy" in page and "đã sáp nhập vào Xã Diễn Châu" in page


def test_admin_creates_a_commune(world, client_for):
    response = client_for(world.admin).post(
        "/areas/new",
        data={
            "code": "17662",
            "name": " Xã  Đô Lương ",
            "level": "commune",
            "parent_id": str(world.province.id),
            "merged_into_id": "",
        },
    )
    assert response.status_code == 302
    area = db.session.scalar(select(Area).where(Area.code == "17662"))
    assert area.name == "Xã Đô Lương" and area.path == f"{world.province.path}{area.id}/"


def test_a_duplicate_code_is_answered_on_the_form(world, client_for):
    response = client_for(world.admin).post(
        "/areas/new",
        data={
            "code": "17464",
            "name": "Trùng",
            "level": "commune",
            "parent_id": str(world.province.id),
        },
    )
    assert response.status_code == 400
    assert "Mã này đã được dùng cho một địa bàn khác." in response.get_data(as_text=True)


def test_admin_imports_a_csv(world, client_for):
    data = "code,name,level,parent_code,merged_into_code\n17662,Xã Đô Lương,commune,40,\n"
    response = client_for(world.admin).post(
        "/areas/import",
        data={"file": (io.BytesIO(data.encode()), "areas.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(select(Area).where(Area.code == "17662")).parent_id == world.province.id
    )


def test_a_wrong_csv_shows_every_wrong_line(world, client_for):
    data = "code,name,level,parent_code\n17662,Xã Đô Lương,commune,99\nabc,Xã B,commune,40\n"
    response = client_for(world.admin).post(
        "/areas/import",
        data={"file": (io.BytesIO(data.encode()), "areas.csv")},
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Chưa nhập dòng nào" in body and "Dòng 2" in body and "Dòng 3" in body
    assert db.session.scalar(select(Area).where(Area.code == "17662")) is None


def test_only_csv_files_are_accepted(world, client_for):
    response = client_for(world.admin).post(
        "/areas/import",
        data={"file": (io.BytesIO(b"MZ\x90\x00"), "virus.exe")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Chỉ nhập được tệp .csv ở đây." in response.get_data(as_text=True)


def test_area_form_needs_a_csrf_token(world, client_for, csrf):
    client = client_for(world.admin)
    refused = client.post("/areas/new", data={"code": "1", "name": "X", "level": "province"})
    assert refused.status_code == 400
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get("/areas/new").get_data(as_text=True),
    )
    accepted = client.post(
        "/areas/new",
        data={"code": "1", "name": "X", "level": "province", "csrf_token": token.group(1)},
    )
    assert accepted.status_code == 302


def test_admin_edits_an_area_and_the_change_is_audited(world, client_for):
    client = client_for(world.admin)
    response = client.post(
        f"/areas/{world.commune_1.id}/edit",
        data={
            "code": "17464",
            "name": "Xã Diễn Châu (mới)",
            "level": "commune",
            "parent_id": str(world.province.id),
        },
    )
    assert response.status_code == 302
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "area.update" in audit and "Xã Diễn Châu → Xã Diễn Châu (mới)" in audit
