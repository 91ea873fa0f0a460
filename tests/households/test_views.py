"""Household screens: list, search, edit, outreach, import preview and commit, exports."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from lms.core.audit import AuditEvent
from lms.extensions import db
from lms.households.models import Household, HouseholdImport, OutreachEvent


def test_list_searches_without_diacritics(world, client_for):
    body = (
        client_for(world.official_province)
        .get("/households/?q=tran+van+duc")
        .get_data(as_text=True)
    )
    assert "Trần Văn Đức" in body and "Nguyễn Thị Hương" not in body


def test_list_keeps_filters_across_pages(world, client_for, app, monkeypatch):
    from tests.builders import make_household

    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    make_household(head_name="Nguyễn Văn Ba", phone="0911000111", area=world.commune_1)
    db.session.commit()
    body = client_for(world.admin).get("/households/?q=nguyen").get_data(as_text=True)
    assert "/households/?q=nguyen&amp;page=2" in body


def test_list_tags_each_household_standardised_or_with_its_problems(world, client_for):
    from lms.households.models import ProductGroup, ScaleClass
    from tests.builders import make_classification, make_household

    make_household(
        head_name="Lê Văn Chuẩn",
        area=world.commune_1,
        scale_class_id=make_classification(ScaleClass).id,
        product_group_id=make_classification(ProductGroup).id,
    )
    make_household(head_name="Lê Văn Thiếu", phone=None, area=world.commune_1)
    db.session.commit()
    body = client_for(world.admin).get("/households/?q=le+van").get_data(as_text=True)
    rows = {name: row for row in body.split("<tr>") for name in ("Chuẩn", "Thiếu") if name in row}
    assert "Đã chuẩn hóa" in rows["Chuẩn"]
    assert "3 vấn đề" in rows["Thiếu"]  # no phone, no scale class, no product group


def test_staff_register_a_household(world, client_for):
    response = client_for(world.trainer_x).post(
        "/households/new",
        data={
            "head_name": "Lô Thị Xuân",
            "phone": "0395 112 233",
            "area_id": str(world.commune_2.id),
            "village": "Bản Nưa",
        },
    )
    assert response.status_code == 302
    household = db.session.scalar(select(Household).where(Household.phone == "0395112233"))
    assert (
        household.head_name == "Lô Thị Xuân"
        and response.headers["Location"] == f"/households/{household.id}"
    )


def test_a_wrong_phone_is_answered_on_the_form(world, client_for):
    response = client_for(world.admin).post(
        "/households/new",
        data={
            "head_name": "Lô Thị Xuân",
            "phone": "12345",
            "area_id": str(world.commune_2.id),
        },
    )
    assert response.status_code == 400
    assert "Số điện thoại không hợp lệ" in response.get_data(as_text=True)


def test_a_full_width_phone_is_stored_as_ascii_and_caught_as_a_duplicate(world, client_for):
    client = client_for(world.admin)
    form = {"head_name": "Lô Thị Xuân", "area_id": str(world.commune_2.id)}
    response = client.post("/households/new", data=form | {"phone": "０３９５ １１２ ２３３"})
    assert response.status_code == 302
    stored = db.session.scalar(select(Household.phone).where(Household.head_name == "Lô Thị Xuân"))
    assert stored == "0395112233"
    # household_a's phone is 0912345678: typed half full-width, it is the same phone
    response = client.post("/households/new", data=form | {"phone": "09１２３４５６７８"})
    assert response.status_code == 400
    assert "Số điện thoại hoặc số CCCD này đã thuộc một hộ khác." in response.get_data(as_text=True)


def test_a_name_with_an_emoji_is_answered_on_the_form(world, client_for):
    response = client_for(world.trainer_x).post(
        f"/households/{world.household_a.id}/edit",
        data={"head_name": "Nguyễn Thị Hương 🌸", "area_id": str(world.commune_1.id)},
    )
    assert response.status_code == 400
    assert "Tên không được chứa “🌸”: chỉ dùng chữ cái" in response.get_data(as_text=True)


def test_household_form_needs_a_csrf_token(world, client_for, csrf):
    client = client_for(world.admin)
    data = {"head_name": "Hộ Mới", "area_id": str(world.commune_1.id)}
    assert client.post("/households/new", data=data).status_code == 400
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get("/households/new").get_data(as_text=True),
    )
    assert (
        client.post("/households/new", data={**data, "csrf_token": token.group(1)}).status_code
        == 302
    )


@pytest.mark.parametrize("actor", ["admin", "official_province", "official_1", "trainer_x"])
def test_the_edit_form_shows_the_cccd_masked_never_in_full(world, client_for, actor):
    response = client_for(getattr(world, actor)).get(f"/households/{world.household_a.id}/edit")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "040186001234" not in body
    assert "Đang lưu: ********1234 — để trống nếu không đổi" in body
    assert re.search(r'<input[^>]*name="national_id"[^>]*value=""', body)


def test_saving_without_typing_a_cccd_keeps_it_and_typing_one_replaces_it(world, client_for):
    client = client_for(world.trainer_x)
    edit = f"/households/{world.household_a.id}/edit"
    form = {
        "head_name": "Nguyễn Thị Hương",
        "phone": "0912345678",
        "national_id": "",
        "area_id": str(world.commune_1.id),
        "village": "Xóm Mới",
    }
    assert client.post(edit, data=form).status_code == 302
    db.session.expire_all()
    assert (world.household_a.national_id, world.household_a.village) == ("040186001234", "Xóm Mới")
    wrong = client.post(edit, data={**form, "national_id": "04018600"})
    assert wrong.status_code == 400 and "Số CCCD phải gồm đúng 12 chữ số." in wrong.get_data(
        as_text=True
    )
    assert client.post(edit, data={**form, "national_id": "040 186 009 999"}).status_code == 302
    db.session.expire_all()
    assert world.household_a.national_id == "040186009999"


def test_a_wrong_cccd_can_be_removed_and_the_removal_is_in_the_trail(world, client_for):
    client = client_for(world.official_1)
    edit = f"/households/{world.household_a.id}/edit"
    assert "Xóa số CCCD đang lưu" in client.get(edit).get_data(as_text=True)
    form = {
        "head_name": world.household_a.head_name,
        "phone": world.household_a.phone,
        "area_id": str(world.commune_1.id),
        "remove_national_id": "y",
    }
    both = client.post(edit, data={**form, "national_id": "040186009999"})
    assert both.status_code == 400
    assert "Hãy nhập số CCCD mới hoặc xóa số đang lưu, không làm cả hai." in both.text
    db.session.expire_all()
    assert world.household_a.national_id == "040186001234"  # nothing changed
    assert client.post(edit, data={**form, "national_id": ""}).status_code == 302
    db.session.expire_all()
    assert world.household_a.national_id is None
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "household.update",
            AuditEvent.target_id == world.household_a.id,
        )
    ).all()[-1]
    assert event.before["national_id"] and event.after["national_id"] is None
    # with nothing stored, there is nothing to remove
    assert "Xóa số CCCD đang lưu" not in client.get(edit).get_data(as_text=True)


def test_detail_shows_problems_products_and_eligibility(world, client_for):
    body = (
        client_for(world.official_2)
        .get(f"/households/{world.household_b.id}")
        .get_data(as_text=True)
    )
    assert "Chưa phân loại quy mô hộ" in body
    assert "Mật ong Yên Thành" in body and "VietGAP" in body and "Đủ điều kiện đưa lên sàn" in body
    assert "Trên Postmart" in body


def test_bulk_outreach_for_selected_households(world, client_for):
    response = client_for(world.official_province).post(
        "/households/inform",
        data={
            "household_id": [str(world.household_a.id), str(world.household_b.id)],
            "informed_on": "2026-01-15",
            "channel": "zalo",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(OutreachEvent)) == 2


def test_outreach_for_a_household_out_of_scope_is_404(world, client_for):
    response = client_for(world.official_1).post(
        "/households/inform",
        data={
            "household_id": [str(world.household_a.id), str(world.household_b.id)],
            "informed_on": "2026-01-15",
            "channel": "zalo",
        },
    )
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(OutreachEvent)) == 0


def _xlsx(rows) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    return stream


def test_official_uploads_previews_and_commits(world, client_for):
    client = client_for(world.official_1)
    upload = _xlsx(
        [
            ["Họ và tên", "SĐT", "Xã/Phường"],
            ["Hồ Sỹ Quang", "0971234567", "Diễn Châu"],
            ["Ngoài Vùng", "0971234568", "Yên Thành"],
        ]
    )
    response = client.post(
        "/households/import", data={"file": (upload, "ds.xlsx")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hồ Sỹ Quang" in preview and "Xã Yên Thành không thuộc địa bàn của bạn." in preview
    assert "Nhập 1 hộ mới và cập nhật 0 hộ" in preview
    assert db.session.scalar(select(func.count()).select_from(Household)) == 2
    record = db.session.scalar(select(HouseholdImport).where(HouseholdImport.filename == "ds.xlsx"))
    assert client.post(f"/households/import/{record.id}/commit").status_code == 302
    assert (
        db.session.scalar(select(Household).where(Household.phone == "0971234567")).area_id
        == world.commune_1.id
    )
    assert db.session.scalar(select(Household).where(Household.phone == "0971234568")) is None
    rejected = load_workbook(
        io.BytesIO(client.get(f"/households/import/{record.id}/rejected.xlsx").data)
    )
    assert next(c.value for c in rejected.active[2]) == "Ngoài Vùng"


def test_an_upload_over_the_limit_is_refused_before_parsing(world, client_for, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    big = io.BytesIO(b"0" * (2 * 1024 * 1024))
    response = client_for(world.official_1).post(
        "/households/import", data={"file": (big, "big.xlsx")}, content_type="multipart/form-data"
    )
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(func.count()).select_from(HouseholdImport)) == 1
    )  # the world's own


def test_only_xlsx_and_csv_are_accepted(world, client_for):
    response = client_for(world.official_1).post(
        "/households/import",
        data={"file": (io.BytesIO(b"%PDF"), "ds.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Chỉ nhập được tệp .xlsx, .xls, .ods và .csv." in response.get_data(as_text=True)


def test_export_csv_opens_in_excel_and_masks_national_ids(world, client_for):
    response = client_for(world.official_province).get("/households/export.csv?q=nguyen")
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["STT", "Họ và tên", "Số điện thoại"]
    assert rows[1][1:4] == ["Nguyễn Thị Hương", "0912345678", "********1234"]
    assert len(rows) == 2


def test_export_xlsx_in_scope_with_full_ids_for_admins(world, client_for):
    official = load_workbook(
        io.BytesIO(client_for(world.official_2).get("/households/export.xlsx").data)
    ).active
    caption, header, *rows = official.iter_rows(values_only=True)
    assert caption[0].startswith("Hộ — ") and "Ngày xuất: " in caption[0]
    assert header[1] == "Họ và tên"
    assert [row[1] for row in rows] == ["Trần Văn Đức"]
    admin = load_workbook(
        io.BytesIO(client_for(world.admin).get("/households/export.xlsx").data)
    ).active
    assert [row[3] for row in admin.iter_rows(min_row=3, values_only=True)] == [
        "040186001234",
        "040084002345",
    ]


def test_an_export_imports_back_unchanged(world, client_for):
    from lms.core.spreadsheets import read_table
    from lms.households import importing

    exported = client_for(world.admin).get("/households/export.xlsx").data
    analysis = importing.analyse(None, *read_table(io.BytesIO(exported), "export.xlsx"))
    assert [row.status.value for row in analysis.rows] == ["duplicate", "duplicate"]
    assert analysis.unknown_columns == []


def test_outreach_survives_an_export_and_import_round_trip(world, client_for):
    from lms.households import importing

    client = client_for(world.admin)
    client.post(
        "/households/inform",
        data={
            "household_id": [str(world.household_a.id)],
            "informed_on": "2026-01-15",
            "channel": "zalo",
        },
    )
    exported = client.get("/households/export.xlsx").data
    record, analysis = importing.start_import(None, io.BytesIO(exported), "export.xlsx")
    assert analysis.rows[0].values["informed_channel"] == "zalo"
    importing.commit_import(None, record)
    assert db.session.scalar(select(func.count()).select_from(OutreachEvent)) == 1


def test_admin_edits_classifications(world, client_for):
    client = client_for(world.admin)
    response = client.post(
        "/households/classifications/product-groups",
        data={"code": "che", "name": "Chè", "is_active": "y"},
    )
    assert response.status_code == 302
    assert "Chè" in client.get("/households/classifications/product-groups").get_data(as_text=True)


def test_the_preview_pages_every_row_with_its_commune_cccd_and_changes(
    world, client_for, app, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    client = client_for(world.official_1)
    rows = [["Họ và tên", "SĐT", "Số CCCD", "Xã/Phường", "Thôn/Xóm"]]
    rows += [[f"Hộ Thử {n}", f"09710000{n:02d}", "", "Diễn Châu", ""] for n in range(4)]
    rows += [["Nguyễn Thị Hương", "0912345678", "040186001234", "Diễn Châu", "Xóm Mới"]]
    response = client.post(
        "/households/import",
        data={"file": (_xlsx(rows), "ds.xlsx")},
        content_type="multipart/form-data",
    )
    url = response.headers["Location"]
    first = client.get(url).get_data(as_text=True)
    assert "Hộ Thử 0" in first and "Hộ Thử 2" not in first and "Trang 1 / 3" in first
    assert "Xã Diễn Châu" in first
    last = client.get(f"{url}?page=3").get_data(as_text=True)
    assert "Nguyễn Thị Hương" in last and "Hộ Thử 0" not in last
    assert "********1234" in last and "040186001234" not in last
    assert "— → Xóm Mới" in last
    update = client.get(f"{url}?status=update").get_data(as_text=True)
    assert "Nguyễn Thị Hương" in update and "Hộ Thử" not in update


def test_import_history_shows_each_officials_own_imports_and_admins_all(world, client_for):
    upload = _xlsx([["Họ và tên", "SĐT", "Xã/Phường"], ["Ngoài Vùng", "0971234568", "Yên Thành"]])
    client = client_for(world.official_1)
    client.post(
        "/households/import",
        data={"file": (upload, "loi.xlsx")},
        content_type="multipart/form-data",
    )
    record = db.session.scalar(
        select(HouseholdImport).where(HouseholdImport.filename == "loi.xlsx")
    )
    assert "/households/imports" in client.get("/households/").get_data(as_text=True)
    own = client.get("/households/imports").get_data(as_text=True)
    assert "Lịch sử nhập" in own and "loi.xlsx" in own and "Mới xem trước" in own
    assert f"/households/import/{record.id}/rejected.xlsx" in own
    assert f'/households/import/{world.import_2.id}"' not in own
    everything = client_for(world.admin).get("/households/imports").get_data(as_text=True)
    assert "loi.xlsx" in everything and f'/households/import/{world.import_2.id}"' in everything
