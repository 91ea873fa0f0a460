"""The plan's targets as data: entered or imported per commune and year, the figures measured
against them, every commune listed (those with no list say so), the as-of date and period,
villages and former districts, and the one rule that prints a share."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask_babel import force_locale
from openpyxl import Workbook
from sqlalchemy import func, select

from lms.areas.models import PlanTarget
from lms.core.audit import AuditEvent
from lms.core.errors import RuleViolation
from lms.core.models import today, utcnow
from lms.extensions import db
from lms.reports import plan_targets, targets
from lms.reports.targets import TargetFilter, format_percent
from tests.builders import make_area, make_household
from tests.reports.conftest import certify
from tests.test_migrations import empty_database_url as empty_database_url

YEAR = today().year


@pytest.fixture
def empty_commune(province):
    """A third commune of the province that has sent no household list."""
    area = make_area(
        name="Xã Quỳnh Lưu", parent=province.province, former_district="Huyện Quỳnh Lưu"
    )
    db.session.commit()
    return area


def _rows(board):
    return {row.area.name: row for row in board.rows}


# ---------------------------------------------------------------- the share, printed


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [
        (0, 458, "0%"),
        (1, 2000, "< 0,1%"),
        (1, 1000, "0,1%"),
        (1, 3, "33,3%"),
        (2, 3, "66,7%"),
        (9999, 10000, "> 99,9%"),
        (7, 7, "100%"),
        (8, 7, "114,3%"),
        (0, 0, "—"),
        (12345, 1000000, "1,2%"),
    ],
)
def test_a_share_prints_one_decimal_and_never_zero_above_zero(app, part, whole, text):
    with app.test_request_context():
        assert format_percent(part, whole) == text


def test_a_share_prints_the_english_way_in_english(app):
    with app.test_request_context(), force_locale("en"):
        assert format_percent(1, 2000) == "< 0.1%"
        assert format_percent(1, 3) == "33.3%"


# ---------------------------------------------------------------- targets as data


def test_targets_are_measured_against_the_plan_not_the_households_imported(province):
    """Commune 1 imported 3 households, 2 of them trained: 67% of the households imported,
    but the plan counts 40 there: 5% trained, 7.5% in the registry."""
    plan_targets.save_targets(
        province.official,
        YEAR,
        {province.commune_1.id: (40, 4), province.commune_2.id: (None, None)},
    )
    board = targets.dashboard(province.official, TargetFilter())
    one, two = _rows(board)["Xã Diễn Châu"], _rows(board)["Xã Yên Thành"]
    assert (one.shares["trained"].part, one.shares["trained"].whole) == (2, 40)
    assert (one.shares["informed"].part, one.shares["informed"].whole) == (2, 40)
    assert (one.coverage.part, one.coverage.whole) == (3, 40)
    assert (one.ocop.part, one.ocop.whole) == (1, 4)
    # standardised is a fact of the records: still of the records
    assert one.shares["standardised"].whole == 3
    # commune 2 has no target: measured against its households, and counted as such
    assert (two.shares["trained"].part, two.shares["trained"].whole) == (1, 4)
    assert two.coverage.whole == 0 and two.target_households is None
    assert board.total.shares["trained"].whole == 44
    assert board.total.without_target == 1
    assert board.total.target_households == 40


def test_targets_are_per_year(province):
    plan_targets.save_targets(province.official, YEAR - 1, {province.commune_1.id: (10, None)})
    board = targets.dashboard(province.official, TargetFilter())
    assert _rows(board)["Xã Diễn Châu"].target_households is None
    last_year = TargetFilter(as_of=today().replace(month=1, day=1) - timedelta(days=1))
    board = targets.dashboard(province.official, last_year)
    assert _rows(board)["Xã Diễn Châu"].target_households == 10


def test_saving_targets_is_audited_and_only_in_scope(province):
    changed = plan_targets.save_targets(province.official_1, YEAR, {province.commune_1.id: (50, 2)})
    assert changed == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "plan_target.set"))
    assert event.after["households"] == 50
    with pytest.raises(RuleViolation):
        plan_targets.save_targets(province.official_1, YEAR, {province.commune_2.id: (50, 2)})
    with pytest.raises(RuleViolation):
        plan_targets.save_targets(province.official, YEAR, {province.commune_1.id: (-1, 2)})
    target = db.session.scalar(select(PlanTarget))
    assert (target.households, target.ocop_products) == (50, 2)  # nothing else written


def _xlsx(rows) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    return stream


def test_targets_are_imported_from_a_workbook_as_communes_type_them(province, empty_commune):
    stream = _xlsx(
        [
            ["CHỈ TIÊU KẾ HOẠCH NĂM 2026"],
            [],
            ["STT", "Xã/phường", "Số hộ SXNN", "Sản phẩm OCOP 3 sao trở lên"],
            [1, "X. Diễn Châu", "1.250", 3],
            [2, "xa yen thanh", 980, None],
            [3, empty_commune.code, 400, 1],
            [None, "Tổng cộng", 2630, 4],
        ]
    )
    result = plan_targets.import_targets(province.official, YEAR, stream, "chi-tieu.xlsx")
    assert result.errors == []
    assert result.changed == 3
    lines = {line.area.name: line for line in plan_targets.list_targets(province.official, YEAR)}
    assert (lines["Xã Diễn Châu"].households, lines["Xã Diễn Châu"].ocop_products) == (1250, 3)
    assert lines["Xã Yên Thành"].households == 980
    assert lines["Xã Quỳnh Lưu"].households == 400


def test_a_target_file_with_a_wrong_line_writes_nothing(province):
    text = (
        "Mã xã,Số hộ SXNN\n"
        f"{province.commune_1.code},100\n"
        "Xã Không Có,200\n"
        f"{province.commune_2.code},nhiều\n"
    )
    stream = io.BytesIO(text.encode("utf-8"))
    result = plan_targets.import_targets(province.official, YEAR, stream, "chi-tieu.csv")
    assert len(result.errors) == 2
    assert "Dòng 3" in result.errors[0] and "Xã Không Có" in result.errors[0]
    assert "nhiều" in result.errors[1]
    assert db.session.scalar(select(func.count()).select_from(PlanTarget)) == 0


def test_a_former_commune_in_a_target_file_is_refused_with_its_reason(province):
    text = f"Mã xã,Số hộ SXNN\n{province.legacy.code},100\n"
    result = plan_targets.import_targets(
        province.official, YEAR, io.BytesIO(text.encode()), "chi-tieu.csv"
    )
    assert result.errors and "xã cũ" in result.errors[0]


def test_the_targets_page_saves_typed_counts_and_refuses_a_wrong_one(province, client_for, csrf):
    client = client_for(province.official)
    page = client.get(f"/overview/targets?year={YEAR}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Chỉ tiêu kế hoạch năm" in body and "Xã Diễn Châu" in body
    token = body.split('name="csrf_token" value="')[1].split('"')[0]
    data = {
        "csrf_token": token,
        "year": YEAR,
        f"households-{province.commune_1.id}": "1.200",
        f"ocop-{province.commune_1.id}": "",
        f"households-{province.commune_2.id}": "abc",
    }
    refused = client.post("/overview/targets", data=data)
    assert refused.status_code == 400
    assert "không phải là số nguyên" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PlanTarget)) == 0
    data[f"households-{province.commune_2.id}"] = "300"
    saved = client.post("/overview/targets", data=data)
    assert saved.status_code == 302
    by_area = {t.area_id: t.households for t in db.session.scalars(select(PlanTarget))}
    assert by_area == {province.commune_1.id: 1200, province.commune_2.id: 300}


def test_the_targets_page_without_a_csrf_token_changes_nothing(province, client_for, csrf):
    client = client_for(province.official)
    response = client.post(
        "/overview/targets", data={"year": YEAR, f"households-{province.commune_1.id}": "5"}
    )
    assert response.status_code in (400, 200)
    assert db.session.scalar(select(func.count()).select_from(PlanTarget)) == 0


def test_the_targets_import_page_reads_a_file(province, client_for):
    client = client_for(province.official)
    data = {
        "year": YEAR,
        "file": (io.BytesIO("Xã,Số hộ\nXã Yên Thành,77\n".encode()), "chi-tieu.csv"),
    }
    response = client.post(
        "/overview/targets/import", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(PlanTarget.households)) == 77


# ---------------------------------------------------------------- every commune listed


def test_every_commune_is_listed_and_one_without_a_list_says_so(
    province, empty_commune, client_for
):
    board = targets.dashboard(province.official, TargetFilter())
    assert list(_rows(board)) == ["Xã Diễn Châu", "Xã Quỳnh Lưu", "Xã Yên Thành"]
    row = _rows(board)["Xã Quỳnh Lưu"]
    assert not row.has_list and row.households == 0
    assert board.total.without_list == 1 and board.total.communes == 3
    body = client_for(province.official).get("/overview/").get_data(as_text=True)
    table = body.split("Chỉ tiêu theo xã")[1]
    assert "Xã Quỳnh Lưu" in table and "Chưa nộp danh sách" in table
    chart = body.split('id="communes-chart-title"')[1].split("</figure>")[0]
    assert chart.count("bar-row") == 3 and "Chưa nộp danh sách" in chart
    assert "1/3 xã, phường chưa nộp danh sách" in body


def test_a_filter_that_matches_no_household_is_not_a_missing_list(province):
    filters = TargetFilter(organisation_id=province.session_1.organisation_id)
    board = targets.dashboard(province.official, filters)
    assert _rows(board)["Xã Yên Thành"].households == 0
    assert _rows(board)["Xã Yên Thành"].has_list  # it sent its list; no match under the filter


def test_a_commune_official_sees_only_its_commune_listed(province, empty_commune):
    board = targets.dashboard(province.official_1, TargetFilter())
    assert list(_rows(board)) == ["Xã Diễn Châu"]


# ---------------------------------------------------------------- as-of date and period


def test_figures_as_of_a_past_day_leave_out_what_came_after(province):
    late = make_household(head_name="Khoa", area=province.commune_2)
    certify(late, issued_on=today())
    earlier = make_household(head_name="Lan", area=province.commune_2)
    earlier.created_at = utcnow() - timedelta(days=20)
    certify(earlier, issued_on=today() - timedelta(days=10))
    db.session.commit()
    now = targets.dashboard(province.official, TargetFilter())
    assert now.total.shares["trained"].part == 5
    before = targets.dashboard(province.official, TargetFilter(as_of=today() - timedelta(days=5)))
    # only Lan was in the registry and trained by then: the others came today
    assert before.total.households == 1
    assert before.total.shares["trained"].part == 1
    assert before.as_of == today() - timedelta(days=5)


def test_certificates_are_counted_per_month_over_the_period(province):
    certify(
        make_household(head_name="Mai", area=province.commune_2),
        issued_on=today().replace(day=1) - timedelta(days=40),
    )
    db.session.commit()
    first = (today().replace(day=1) - timedelta(days=70)).replace(day=1)
    filters = TargetFilter(date_from=first, period="month")
    board = targets.dashboard(province.official, filters)
    assert [start.day for start, _ in board.weeks] == [1] * len(board.weeks)
    assert board.weeks[0][0] == first and board.weeks[-1][0] == today().replace(day=1)
    assert board.weeks[-1][1] == 3 and sum(count for _, count in board.weeks) == 4
    assert board.certificates_in_period == 4


def test_the_dashboard_takes_a_period_from_the_query_string(province, client_for):
    first = today() - timedelta(days=30)
    path = f"/overview/?date_from={first:%Y-%m-%d}&as_of={today():%Y-%m-%d}&period=month"
    body = client_for(province.official).get(path).get_data(as_text=True)
    assert f"Kỳ báo cáo: {first:%d/%m/%Y}" in body
    assert "Giấy chứng nhận cấp theo tháng" in body
    wrong = client_for(province.official).get("/overview/?as_of=31-02-2026").get_data(as_text=True)
    assert f"Số liệu tính đến ngày {today():%d/%m/%Y}" in wrong  # a wrong date is dropped


# ---------------------------------------------------------------- villages and districts


def test_inside_a_commune_the_households_are_broken_down_by_village(province, client_for):
    for name, village in (("An", "Thôn 1"), ("Bình", "Thôn 2"), ("Cúc", "Thôn 1")):
        province.households[
            {"An": "listed_trained", "Bình": "revoked", "Cúc": "legacy"}[name]
        ].village = village
    db.session.commit()
    filters = TargetFilter(area_id=province.commune_1.id)
    board = targets.dashboard(province.official, filters)
    groups = {g.name: g.figures for g in targets.villages(province.official, filters, board)}
    assert groups["Thôn 1"].households == 2 and groups["Thôn 1"].shares["trained"].part == 2
    assert groups["Thôn 2"].listed_not_trained == 1
    body = client_for(province.official).get(f"/overview/?area_id={province.commune_1.id}")
    assert "Theo thôn, xóm" in body.get_data(as_text=True)
    assert (
        targets.villages(
            province.official, TargetFilter(), targets.dashboard(province.official, TargetFilter())
        )
        == []
    )


def test_the_province_is_grouped_by_former_district(province, empty_commune, client_for):
    province.commune_1.former_district = "Huyện Diễn Châu"
    province.commune_2.former_district = "Huyện Yên Thành"
    db.session.commit()
    board = targets.dashboard(province.official, TargetFilter())
    groups = {g.name: g for g in targets.former_districts(board)}
    assert list(groups) == ["Huyện Diễn Châu", "Huyện Quỳnh Lưu", "Huyện Yên Thành"]
    assert groups["Huyện Diễn Châu"].figures.households == 3
    assert groups["Huyện Quỳnh Lưu"].figures.without_list == 1
    body = client_for(province.official).get("/overview/").get_data(as_text=True)
    assert "Theo huyện cũ" in body and "Huyện Quỳnh Lưu" in body


def test_the_seeded_province_keeps_its_former_districts(app):
    from importlib import resources

    from lms.areas.services import import_areas_csv

    with resources.files("lms.areas").joinpath("data/nghe_an.csv").open("rb") as stream:
        report = import_areas_csv(None, stream)
    assert report.ok, report.errors
    from lms.areas.models import Area

    dien_chau = db.session.scalar(select(Area).where(Area.name == "Xã Diễn Châu"))
    assert dien_chau.former_district == "Huyện Diễn Châu"
    recorded = db.session.scalar(
        select(func.count())
        .select_from(Area)
        .where(Area.former_district != "", Area.merged_into_id.is_(None), Area.level == "commune")
    )
    assert recorded == 130


def test_migration_0019_fills_the_former_districts_of_a_seeded_province(
    tmp_path_factory, empty_database_url
):
    """A database seeded before 0019 gets the former district of each Nghệ An commune; a
    commune whose district was already typed keeps it."""
    import flask_migrate
    from sqlalchemy import text

    from tests.conftest import make_test_app

    app = make_test_app(tmp_path_factory, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="0018")
        with db.engine.begin() as connection:
            for code, name in (
                ("40", "Tỉnh Nghệ An"),
                ("17464", "Xã Diễn Châu"),
                ("99999", "Xã Khác"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO areas (code, name, level, path, created_at, updated_at)"
                        " VALUES (:code, :name, 'commune', '/', :now, :now)"
                    ),
                    {"code": code, "name": name, "now": utcnow().replace(tzinfo=None)},
                )
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            districts = dict(
                connection.execute(text("SELECT code, former_district FROM areas")).all()
            )
        assert districts == {"40": "", "17464": "Huyện Diễn Châu", "99999": ""}
        db.session.remove()
        db.engine.dispose()
