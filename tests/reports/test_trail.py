"""The trail an official checks: lessons by their titles, and every change the registry
recorded to a household's identity, in words."""

from __future__ import annotations

import io

from openpyxl import Workbook

from lms.courses.models import LessonProgress
from lms.extensions import db
from lms.households import importing, services
from lms.households.models import Household
from tests.conftest import shipped_courses


def _xlsx(rows: list[list]) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def _trail(client, household) -> str:
    response = client.get(f"/overview/trail/{household.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_lessons_are_shown_by_their_titles(province, client_for):
    course = shipped_courses()[0]
    lesson = course.current.lessons[0]
    household = province.households["nothing"]
    db.session.add(
        LessonProgress(household_id=household.id, course_id=course.id, lesson_slug=lesson.slug)
    )
    db.session.commit()
    body = _trail(client_for(province.official), household)
    assert f"{course.current.title} — {lesson.title}" in body
    assert f"/ {lesson.slug}" not in body


def test_the_identity_changes_the_registry_records_are_shown(province, client_for):
    household = province.households["nothing"]
    old_phone = household.phone
    services.update_household(
        province.official, household, head_name="Dũng Mới", phone="0987654321"
    )
    body = _trail(client_for(province.official), household)
    assert "Sửa hồ sơ hộ" in body and "household.update" not in body
    assert "họ tên: Dũng → Dũng Mới" in body
    assert f"số điện thoại: {old_phone[:4]}" in body and "→ 0987***321" in body
    assert "thôn" not in body.split("Sửa hồ sơ hộ")[1]  # unchanged fields are not listed


def test_an_import_s_registration_and_update_are_shown(province, client_for):
    rows = [["Họ và tên", "Số điện thoại", "Xã/Phường", "Thôn/Xóm"]]
    record, _analysis = importing.start_import(
        None, _xlsx([*rows, ["Trần Văn Mới", "0977000111", "Yên Thành", "Xóm 3"]]), "a.xlsx"
    )
    importing.commit_import(None, record)
    created = db.session.query(Household).filter_by(phone="0977000111").one()
    record, _analysis = importing.start_import(
        None, _xlsx([*rows, ["Trần Văn Mới", "0977000111", "Yên Thành", "Xóm 4"]]), "b.xlsx"
    )
    importing.commit_import(None, record)

    body = _trail(client_for(province.official), created)
    registered = body.split("Đăng ký hộ qua nhập danh sách")[1]
    assert "họ tên: — → Trần Văn Mới" in registered
    assert "xã, phường: — → Xã Yên Thành" in registered
    updated = body.split("Cập nhật hồ sơ hộ qua nhập danh sách")[1]
    assert "thôn" in updated.lower() and "Xóm 3 → Xóm 4" in updated
