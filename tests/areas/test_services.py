"""The area tree: create, move, and import official lists."""

from __future__ import annotations

import io
from importlib import resources

import pytest
from sqlalchemy import func, select

from lms.areas import services
from lms.areas.models import Area, AreaLevel
from lms.core.audit import AuditEvent
from lms.core.errors import RuleViolation
from lms.extensions import db
from tests.builders import make_area, make_user


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_shipped_nghe_an_list_imports_with_its_mergers(app):
    with resources.files("lms.areas").joinpath("data/nghe_an.csv").open("rb") as stream:
        report = services.import_areas_csv(None, stream)
    assert report.ok and report.updated == 0
    province = db.session.scalar(select(Area).where(Area.code == "40"))
    communes = db.session.scalars(select(Area).where(Area.level == AreaLevel.COMMUNE)).all()
    current = [area for area in communes if not area.is_merged]
    assert len(current) == 130 and report.created == len(communes) + 1
    assert all(
        area.parent_id == province.id and area.path.startswith(province.path) for area in communes
    )
    ben_thuy = db.session.scalar(select(Area).where(Area.code == "16693"))
    assert ben_thuy.merged_into.name == "Phường Trường Vinh"


def test_importing_twice_updates_instead_of_duplicating(app):
    data = "code,name,level,parent_code\n40,Tỉnh Nghệ An,province,\n17464,Xã Diễn Châu,commune,40\n"
    services.import_areas_csv(None, _csv(data))
    report = services.import_areas_csv(None, _csv(data.replace("Xã Diễn Châu", "Xã Diễn Châu mới")))
    assert (report.created, report.updated) == (0, 2)
    assert _count(Area) == 2
    assert db.session.scalar(select(Area.name).where(Area.code == "17464")) == "Xã Diễn Châu mới"


def test_vietnamese_headers_and_level_words_are_understood(app):
    data = "Mã,Tên,Cấp,Mã cấp trên\n40,Tỉnh Nghệ An,Tỉnh,\n17464,Xã Diễn Châu,Xã,40\n16690,Phường Trường Vinh,Phường,40\n"
    report = services.import_areas_csv(None, _csv(data))
    assert report.ok and report.created == 3


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        ("code,name,level,colour\n40,Nghệ An,province,red\n", 1, "Cột không nhận ra: colour."),
        ("code,name\n40,Nghệ An\n", 1, "Thiếu cột: level."),
        (
            "code,name,level,parent_code\n40,Nghệ An,province,\n4x1,Xã A,commune,40\n",
            3,
            "chỉ gồm chữ số",
        ),
        (
            "code,name,level,parent_code\n40,Nghệ An,province,\n17464,Xã A,commune,99\n",
            3,
            "Không tìm thấy địa bàn có mã 99.",
        ),
        (
            "code,name,level,parent_code\n40,Nghệ An,province,\n40,Nghệ An,province,\n",
            3,
            "Mã 40 xuất hiện hai lần.",
        ),
        ("code,name,level,parent_code\n40,Nghệ An,kingdom,\n", 2, "Cấp không hợp lệ"),
        ("code,name,level,parent_code\n17464,Xã A,commune,\n", 2, "cần có địa bàn cấp trên"),
        ("", 0, "Tệp không có dữ liệu."),
        ("code,name,level\n", 0, "Tệp không có dòng dữ liệu nào."),
    ],
)
def test_a_wrong_file_imports_nothing_and_says_where(app, data, line, message):
    report = services.import_areas_csv(None, _csv(data))
    assert not report.ok
    assert any(n == line and message in m for n, m in report.errors), report.errors
    assert _count(Area) == 0 and _count(AuditEvent) == 0


def test_a_file_that_is_not_utf8_is_refused(app):
    report = services.import_areas_csv(
        None, io.BytesIO("code,name,level\n40,Nghệ An,province\n".encode("utf-16"))
    )
    assert report.errors == [(0, "Tệp phải là CSV lưu ở dạng UTF-8.")]


def test_a_valid_row_is_not_written_when_another_is_wrong(app):
    data = "code,name,level,parent_code\n40,Tỉnh Nghệ An,province,\n17464,,commune,40\n"
    assert not services.import_areas_csv(None, _csv(data)).ok
    assert _count(Area) == 0


def test_import_is_audited(app):
    services.import_areas_csv(None, _csv("code,name,level\n40,Tỉnh Nghệ An,province\n"))
    event = db.session.scalar(select(AuditEvent))
    assert (event.action, event.target_type, event.after) == (
        "area.import",
        "Area",
        {"created": 1, "updated": 0},
    )


def test_moving_an_area_moves_its_subtree(app):
    admin = make_user()
    province_a, province_b = make_area(), make_area()
    district = make_area(parent=province_a, level=AreaLevel.DISTRICT)
    commune = make_area(parent=district)
    services.update_area(admin, district, parent_id=province_b.id)
    assert district.path == f"{province_b.path}{district.id}/"
    assert commune.path == f"{province_b.path}{district.id}/{commune.id}/"


def test_an_area_cannot_move_below_itself(app):
    admin = make_user()
    province = make_area()
    commune = make_area(parent=province)
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.update_area(admin, province, level=AreaLevel.DISTRICT, parent_id=commune.id)
    db.session.expire_all()
    assert db.session.get(Area, province.id).parent_id is None


def test_create_area_checks_code_and_parent(app):
    admin = make_user()
    province = services.create_area(admin, code="40", name="Tỉnh Nghệ An", level=AreaLevel.PROVINCE)
    assert province.path == f"/{province.id}/"
    with pytest.raises(RuleViolation) as duplicate:
        services.create_area(admin, code="40", name="Trùng", level=AreaLevel.PROVINCE)
    assert duplicate.value.field == "code"
    with pytest.raises(RuleViolation) as orphan:
        services.create_area(admin, code="17464", name="Xã Diễn Châu", level=AreaLevel.COMMUNE)
    assert orphan.value.field == "parent_id"
    assert _count(Area) == 1
