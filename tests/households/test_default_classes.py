"""The scale classes and product groups the migrations seed, and the wordings files use."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from lms.areas.models import AreaLevel
from lms.extensions import db
from lms.households import defaults, importing, services
from lms.households.models import Household, ProductGroup, ScaleClass
from tests.builders import make_area, make_classification


def codes(model) -> list[str]:
    return list(db.session.scalars(select(model.code).order_by(model.position)))


def test_the_defaults_are_seeded_in_order(app):
    assert codes(ScaleClass) == [code for code, _ in defaults.SCALE_CLASSES]
    assert codes(ProductGroup) == [code for code, _ in defaults.PRODUCT_GROUPS]
    assert set(defaults.ALIASES) <= {
        c for c, _ in (*defaults.SCALE_CLASSES, *defaults.PRODUCT_GROUPS)
    }


def index(model) -> dict[str, int]:
    """As the import reads them: the active classes by folded name and code."""
    active = db.session.scalars(select(model).where(model.is_active)).all()
    return {services.fold(r.name): r.id for r in active} | {
        services.fold(r.code): r.id for r in active
    }


def code_of(model, text) -> str | None:
    found = services.find_classification(index(model), text)
    return db.session.get(model, found).code if found else None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Hộ nhỏ", "ho-nho"),
        ("hộ nhỏ", "ho-nho"),
        ("Nho", "ho-nho"),
        ("quy mô nhỏ", "ho-nho"),
        ("HỘ VỪA", "ho-vua"),
        ("Hộ trung bình", "ho-vua"),
        ("lớn", "ho-lon"),
        ("HTX", "hop-tac-xa"),
        ("Hợp tác xã", "hop-tac-xa"),
        ("THT", "to-hop-tac"),
        ("ho-nho", "ho-nho"),
        ("Hộ khổng lồ", None),
    ],
)
def test_scale_class_wordings(app, text, code):
    assert code_of(ScaleClass, text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("chè", "che-tra"),
        ("Trà", "che-tra"),
        ("Che xanh", "che-tra"),
        ("Gạo - lúa", "gao-lua"),
        ("gao/lua", "gao-lua"),
        ("Lúa", "gao-lua"),
        ("Rau củ quả", "rau-cu-qua"),
        ("Nuôi ong", "mat-ong"),
        ("Nhóm: Thủy sản", "thuy-san"),
        ("Lợn", "chan-nuoi"),
        ("Khác", "khac"),
        ("Vàng bạc", None),
    ],
)
def test_product_group_wordings(app, text, code):
    assert code_of(ProductGroup, text) == code


def test_a_class_written_out_beats_an_alias(app):
    own = make_classification(ProductGroup, code="tra-shan", name="Trà")
    assert services.find_classification(index(ProductGroup), "trà") == own.id


def test_a_retired_class_is_not_found(app):
    tea = db.session.scalar(select(ProductGroup).where(ProductGroup.code == "che-tra"))
    tea.is_active = False
    db.session.commit()
    active = {
        services.fold(r.code): r.id
        for r in db.session.scalars(select(ProductGroup).where(ProductGroup.is_active))
    }
    assert services.find_classification(active, "chè") is None


def test_a_file_with_ho_nho_and_che_imports_standardised_households(app):
    province = make_area(code="40", name="Tỉnh Nghệ An", level=AreaLevel.PROVINCE)
    make_area(code="17464", name="Xã Diễn Châu", parent=province)
    db.session.commit()
    workbook = Workbook()
    for row in [
        ["Họ và tên", "Số điện thoại", "Xã/Phường", "Quy mô", "Nhóm sản phẩm"],
        ["Nguyễn Thị Hương", "0912 345 678", "Xã Diễn Châu", "Hộ nhỏ", "chè"],
        ["Trần Văn Đức", "0987654321", "Diễn Châu", "HTX", "Che xanh"],
    ]:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    record, preview = importing.start_import(None, stream, "ds.xlsx")
    assert preview.counts["new"] == 2 and preview.counts["error"] == 0
    importing.commit_import(None, record)
    db.session.expire_all()
    rows = db.session.scalars(select(Household).order_by(Household.head_name)).all()
    assert [(h.scale_class.code, h.product_group.code) for h in rows] == [
        ("ho-nho", "che-tra"),
        ("hop-tac-xa", "che-tra"),
    ]
    assert all(services.household_problems(h) == [] for h in rows)
    standardised = select(Household.id).where(services.is_standardised())
    assert len(db.session.scalars(standardised).all()) == 2


def test_an_admin_renames_and_retires_a_seeded_class_on_the_screen(app, client_for):
    from tests.builders import make_user

    admin = make_user()
    db.session.commit()
    client = client_for(admin)
    screen = client.get("/households/classifications/scale-classes").get_data(as_text=True)
    assert "Hộ nhỏ" in screen and "Hợp tác xã" in screen
    cooperative = db.session.scalar(select(ScaleClass).where(ScaleClass.code == "hop-tac-xa"))
    response = client.post(
        f"/households/classifications/scale-classes/{cooperative.id}",
        data={"code": "hop-tac-xa", "name": "HTX nông nghiệp", "position": "50"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (cooperative.name, cooperative.is_active) == ("HTX nông nghiệp", False)
    assert code_of(ScaleClass, "HTX") is None  # retired: a file naming it is refused
