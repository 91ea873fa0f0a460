"""The registry keeps each household's identity: an import never silently rewrites another
household (DESIGN §4 rule 7), whatever the file format, the actor or the number of clicks."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from lms.activation.models import ActivationRequest, ActivationStatus
from lms.areas.models import AreaLevel
from lms.auth.models import Role
from lms.core.audit import AuditEvent
from lms.core.errors import RuleViolation
from lms.extensions import db
from lms.households import importing
from lms.households.models import Household, HouseholdImport
from lms.households.reading import RowStatus
from lms.reports import trail
from tests.builders import (
    make_area,
    make_certificate,
    make_household,
    make_user,
    marketplace,
)
from tests.households.test_importing import xlsx

HEADER = ["Họ và tên", "Số điện thoại", "CCCD", "Xã/Phường", "Thôn/Xóm"]


@pytest.fixture
def communes(app):
    province = make_area(code="40", name="Tỉnh Nghệ An", level=AreaLevel.PROVINCE)
    found = {
        "province": province,
        "yen_thanh": make_area(code="17506", name="Xã Yên Thành", parent=province),
        "quynh_luu": make_area(code="17110", name="Xã Quỳnh Lưu", parent=province),
    }
    db.session.commit()
    return found


@pytest.fixture
def certified(communes):
    """A certified household in Yên Thành with an activated Postmart shop."""
    household = make_household(
        head_name="Nguyễn Thị Hương",
        phone="0971234567",
        national_id="040186001234",
        area=communes["yen_thanh"],
    )
    certificate = make_certificate(household)
    db.session.add(
        ActivationRequest(
            household_id=household.id,
            marketplace_id=marketplace("postmart").id,
            status=ActivationStatus.ACTIVATED,
            account_id="shop-1",
        )
    )
    db.session.commit()
    return household, certificate


def start(rows, actor=None, kind="xlsx"):
    return importing.start_import(actor, as_file(rows, kind), f"ds.{kind}")


def as_file(rows: list[list], kind: str) -> io.BytesIO:
    """The rows as a real .xlsx (openpyxl) or .csv (the csv module, as Excel saves it)."""
    if kind == "xlsx":
        return xlsx(rows)
    text = io.StringIO()
    csv.writer(text).writerows([["" if v is None else v for v in row] for row in rows])
    return io.BytesIO(text.getvalue().encode("utf-8-sig"))


def reloaded(household: Household) -> Household:
    db.session.expire_all()
    return db.session.get(Household, household.id)


def test_a_row_with_a_certified_households_phone_is_a_conflict_never_an_update(certified):
    """The reproduction: another name, the phone of a certified household of Yên Thành, and
    another commune. The household keeps its name and commune; the other rows are written."""
    household, _certificate = certified
    record, preview = start(
        [
            HEADER,
            ["Lê Văn Khác", "0971234567", "", "Quỳnh Lưu", ""],
            ["Trần Văn Mới", "0933333333", "", "Quỳnh Lưu", ""],
        ]
    )
    assert [row.status for row in preview.rows] == [RowStatus.CONFLICT, RowStatus.NEW]
    assert preview.rows[0].household_id == household.id
    assert "khác: họ tên, xã, phường" in preview.rows[0].messages[-1]
    result = importing.commit_import(None, record)
    assert result.counts["conflict"] == 1 and result.counts["new"] == 1
    kept = reloaded(household)
    assert (kept.head_name, kept.area.name) == ("Nguyễn Thị Hương", "Xã Yên Thành")
    assert db.session.scalar(select(Household).where(Household.phone == "0933333333"))


@pytest.mark.parametrize(
    ("row", "status"),
    [
        (["nguyen thi huong", "0971234567", "", "Yên Thành", "Xóm 3"], RowStatus.CONFLICT),
        (["Nguyễn Thị Hương", "0971234567", "040186009999", "Yên Thành", ""], RowStatus.CONFLICT),
        (["Nguyễn Thị Hương", "", "040186001234", "Quỳnh Lưu", ""], RowStatus.CONFLICT),
        (["Nguyễn Thị Hương", "0971234567", "", "Yên Thành", "Xóm 3"], RowStatus.UPDATE),
        (["Nguyễn Thị Hương", "0988888888", "040186001234", "Yên Thành", ""], RowStatus.UPDATE),
    ],
    ids=["certified-diacritics", "other-cccd", "other-commune", "village", "new-phone"],
)
def test_what_a_row_matching_a_certified_household_may_change(certified, row, status):
    assert start([HEADER, row])[1].rows[0].status is status


def test_a_name_differing_only_in_diacritics_updates_an_uncertified_household(communes):
    make_household(head_name="Nguyen Thi Huong", phone="0971234567", area=communes["yen_thanh"])
    db.session.commit()
    preview = start([HEADER, ["Nguyễn Thị Hương", "0971234567", "", "Yên Thành", ""]])[1]
    assert preview.rows[0].status is RowStatus.UPDATE


def test_a_phone_of_one_household_and_a_cccd_of_another_is_a_conflict(communes):
    make_household(head_name="A Một", phone="0971111111", area=communes["yen_thanh"])
    make_household(
        head_name="A Một",
        phone="0972222222",
        national_id="040186001234",
        area=communes["yen_thanh"],
    )
    db.session.commit()
    record, preview = start([HEADER, ["A Một", "0971111111", "040186001234", "Yên Thành", ""]])
    assert preview.rows[0].status is RowStatus.CONFLICT
    with pytest.raises(RuleViolation, match="trùng với một hộ"):
        importing.resolve_conflict(None, record, 2, "take")


def test_an_official_gets_the_same_conflict_as_the_cli(certified, communes):
    official = make_user(Role.OFFICIAL, area=communes["province"])
    db.session.commit()
    row = ["Lê Văn Khác", "0971234567", "", "Yên Thành", ""]
    assert start([HEADER, row], actor=official)[1].rows[0].status is RowStatus.CONFLICT
    assert start([HEADER, row])[1].rows[0].status is RowStatus.CONFLICT


#: the same rows typed into Excel: a CCCD typed as a number (Excel drops its leading zero,
#: in the workbook and in the CSV it saves), a CCCD colliding with a registered one
SAME_ROWS = [
    HEADER,
    ["Nguyễn Thị Hương", "0971234567", 40186001234, "Yên Thành", "Xóm 3"],  # update
    ["Lê Văn Khác", "", 40186001234, "Yên Thành", ""],  # duplicate of line 2 in the file
    ["Lê Văn Khác", "0935555555", "040186001234", "Quỳnh Lưu", ""],  # same CCCD, in file
    ["Phan Văn Lạ", "0936666666", 40199999999, "Quỳnh Lưu", ""],  # new
    ["Hồ Thị Tư", "0912", "", "Quỳnh Lưu", ""],  # error
]


def test_xlsx_and_csv_give_the_same_outcome_per_row(communes):
    make_household(head_name="Nguyễn Thị Hương", phone="0971234567", area=communes["yen_thanh"])
    make_household(
        head_name="Đặng Văn Cũ", phone="0977777777", national_id="040111111111",
        area=communes["yen_thanh"],
    )  # fmt: skip
    db.session.commit()
    rows = [*SAME_ROWS, ["Lê Văn Khác", "", 40111111111, "Yên Thành", ""]]  # CCCD collision
    outcomes = {
        kind: [(r.line, r.status.value, r.household_id) for r in start(rows, kind=kind)[1].rows]
        for kind in ("xlsx", "csv")
    }
    assert outcomes["xlsx"] == outcomes["csv"]
    assert [status for _line, status, _id in outcomes["csv"]] == [
        "update",
        "duplicate",
        "duplicate",
        "new",
        "error",
        "conflict",
    ]


def test_taking_the_files_values_updates_and_audits_before_and_after(certified, communes):
    household, certificate = certified
    admin = make_user(Role.ADMIN)
    db.session.commit()
    record, _ = start([HEADER, ["Lê Văn Khác", "0971234567", "", "Quỳnh Lưu", ""]], actor=admin)
    [conflict] = importing.conflicts(admin, importing.load_preview(record), [_row(record, 2)])
    assert conflict.can_take and conflict.renames_certified
    assert conflict.certificates[household.id].serial == certificate.serial
    assert [r.status for r in conflict.activations[household.id]] == [ActivationStatus.ACTIVATED]
    importing.resolve_conflict(admin, record, 2, "take")
    importing.commit_import(admin, record)
    changed = reloaded(household)
    assert (changed.head_name, changed.area_id) == ("Lê Văn Khác", communes["quynh_luu"].id)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "household.import_update")
    )
    assert (event.target_type, event.target_id, event.actor_id) == (
        "Household",
        household.id,
        admin.id,
    )
    assert event.before["head_name"] == "Nguyễn Thị Hương"
    assert event.before["area_id"] == communes["yen_thanh"].id
    assert event.after["head_name"] == "Lê Văn Khác"
    # the household's trail shows it, and its earlier name and phone still find it
    assert event in trail.trail_of(changed).events
    assert trail.find(admin, "nguyen thi huong")[1] == [changed]


def test_keeping_the_registry_skips_the_row(certified):
    household, _ = certified
    record, _ = start([HEADER, ["Lê Văn Khác", "0971234567", "", "Quỳnh Lưu", ""]])
    importing.resolve_conflict(None, record, 2, "keep")
    result = importing.commit_import(None, record)
    assert result.counts["conflict"] == 1
    assert reloaded(household).head_name == "Nguyễn Thị Hương"


def test_a_choice_made_for_another_household_is_not_applied(communes):
    first = make_household(head_name="A Một", phone="0971111111", area=communes["yen_thanh"])
    db.session.commit()
    record, _ = start([HEADER, ["B Hai", "0971111111", "", "Yên Thành", ""]])
    importing.resolve_conflict(None, record, 2, "take")
    first.phone = "0979999999"  # the phone now belongs to someone else
    make_household(head_name="C Ba", phone="0971111111", area=communes["yen_thanh"])
    db.session.commit()
    result = importing.commit_import(None, record)
    assert result.counts["conflict"] == 1
    assert db.session.scalar(
        select(Household.head_name).where(Household.phone == "0971111111")
    ) == ("C Ba")


def test_the_cli_holds_conflicts_back(certified, app, tmp_path):
    household, _ = certified
    path = tmp_path / "ds.csv"
    path.write_bytes(
        as_file([HEADER, ["Lê Văn Khác", "0971234567", "", "Quỳnh Lưu", ""]], "csv").read()
    )
    result = app.test_cli_runner().invoke(args=["households", "import", str(path), "--commit"])
    assert result.exit_code == 0, result.output
    assert "line 2: conflict" in result.output and "1 conflicts held back" in result.output
    assert reloaded(household).head_name == "Nguyễn Thị Hương"


def _row(record: HouseholdImport, line: int):
    return next(r for r in importing.load_preview(record).rows if r.line == line)


def test_the_preview_shows_a_conflict_side_by_side_and_saves_a_choice(
    certified, communes, client_for, csrf
):
    household, certificate = certified
    official = make_user(Role.OFFICIAL, area=communes["province"])
    db.session.commit()
    client = client_for(official)
    page = client.get("/households/import")
    token = _csrf_token(page.get_data(as_text=True))
    upload = as_file([HEADER, ["Lê Văn Khác", "0971234567", "", "Quỳnh Lưu", ""]], "xlsx")
    response = client.post(
        "/households/import",
        data={"file": (upload, "ds.xlsx"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cần xem xét" in preview
    for text in ("Lê Văn Khác", "Nguyễn Thị Hương", "Xã Quỳnh Lưu", "Xã Yên Thành", "********1234"):
        assert text in preview
    assert certificate.serial in preview and "Đã kích hoạt" in preview
    assert "040186001234" not in preview
    record = db.session.scalar(select(HouseholdImport))
    resolve = f"/households/import/{record.id}/rows/2/resolve"
    assert client.post(resolve, data={"choice": "take"}).status_code == 400  # no CSRF token
    token = _csrf_token(preview)
    response = client.post(resolve, data={"choice": "take", "csrf_token": token})
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "phải cấp lại" in preview and f"/certificates/{certificate.id}" in preview
    assert "Nhập 0 hộ mới và cập nhật 1 hộ" in preview
    assert (
        client.post(
            f"/households/import/{record.id}/commit", data={"csrf_token": token}
        ).status_code
        == 302
    )
    assert reloaded(household).head_name == "Lê Văn Khác"
    trail_page = client.get(f"/overview/trail/{household.id}").get_data(as_text=True)
    assert "Nguyễn Thị Hương → Lê Văn Khác" in trail_page
    assert "Xã Yên Thành → Xã Quỳnh Lưu" in trail_page
    found = client.get("/overview/trail", query_string={"q": "nguyen thi huong"})
    assert f"/overview/trail/{household.id}" in found.get_data(as_text=True)


def test_another_officials_import_cannot_be_resolved(certified, communes, client_for):
    record, _ = start([HEADER, ["Lê Văn Khác", "0971234567", "", "Quỳnh Lưu", ""]])
    other = make_user(Role.OFFICIAL, area=communes["province"])
    db.session.commit()
    response = client_for(other).post(
        f"/households/import/{record.id}/rows/2/resolve", data={"choice": "take"}
    )
    assert response.status_code == 404
    assert importing.load_preview(record).resolutions == {}


def _csrf_token(html: str) -> str:
    import re

    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def households() -> int:
    return db.session.scalar(select(func.count()).select_from(Household))


@pytest.mark.races_on_postgres
def test_two_commits_at_once_write_each_phoneless_row_once(app, communes):
    """A double tap or two tabs: both commits race; the import is claimed once, so rows
    without a phone or a CCCD (nothing unique to collide on) are written once."""
    from tests.test_concurrency import at_once, log_in

    official = make_user(Role.OFFICIAL, area=communes["province"])
    db.session.commit()
    record, _ = start(
        [HEADER, *([f"Hộ Không Số {n}", "", "", "Yên Thành", ""] for n in "ABCDE")],
        actor=official,
    )
    user_id, path = official.id, f"/households/import/{record.id}/commit"

    def commit(client):
        log_in(client, user_id)
        return client.post(path)

    responses = at_once(app, [commit, commit])
    assert all(getattr(r, "status_code", None) == 302 for r in responses), responses
    assert sorted(r.headers["Location"] for r in responses) == [
        "/households/",
        f"/households/import/{record.id}",  # the second: already imported
    ]
    db.session.expire_all()
    assert households() == 5
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "household.import")
        )
        == 1
    )
