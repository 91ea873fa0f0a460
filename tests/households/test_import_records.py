"""What an import writes and shows beyond the rows' outcomes: an audit event per household
it creates or changes, the address following the village, the file's own STT, a
rejected-rows file naming sheets, legacy fonts judged per column, and choices on conflicts
that are never lost to one made at the same moment."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text

from lms.auth.models import Role
from lms.core.audit import AuditEvent
from lms.extensions import db
from lms.households import importing
from lms.households.models import Household
from lms.households.reading import RowStatus
from tests.builders import make_household, make_user
from tests.households.test_files_as_kept import workbook
from tests.households.test_identity import HEADER, communes, reloaded, start

__all__ = ["communes"]


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def test_every_household_an_import_creates_is_audited_with_its_values(communes):
    admin = make_user(Role.ADMIN)
    db.session.commit()
    record, _ = start(
        [
            HEADER,
            ["Nguyễn Văn An", "0912000001", "", "Yên Thành", "Xóm 1"],
            ["Trần Thị Bình", "", "", "Quỳnh Lưu", ""],  # nothing unique to find it by
            ["Lê Văn Cường", "99", "", "Yên Thành", ""],  # refused: not written
        ],
        actor=admin,
    )
    importing.commit_import(admin, record)
    events = _events("household.import_create")
    households = {h.id: h for h in db.session.scalars(select(Household))}
    assert sorted(e.target_id for e in events) == sorted(households)
    assert all(e.actor_id == admin.id and e.target_type == "Household" for e in events)
    by_name = {e.after["head_name"]: e for e in events}
    assert set(by_name) == {"Nguyễn Văn An", "Trần Thị Bình"}
    first = by_name["Nguyễn Văn An"]
    assert first.after == {
        "head_name": "Nguyễn Văn An",
        "phone": "0912000001",
        "village": "Xóm 1",
        "area_id": communes["yen_thanh"].id,
    }
    assert households[first.target_id].head_name == "Nguyễn Văn An"


def test_a_new_village_carries_into_an_address_that_names_the_old_one(communes):
    kept = make_household(
        head_name="Hồ Văn Lâm", phone="0912000001", village="Xóm 1",
        address="Xóm 1, xã Yên Thành", area=communes["yen_thanh"],
    )  # fmt: skip
    other = make_household(
        head_name="Hồ Thị Mai", phone="0912000002", village="Xóm 1",
        address="Xóm 12, xã Yên Thành", area=communes["yen_thanh"],
    )  # fmt: skip
    db.session.commit()
    record, analysis = start(
        [
            HEADER,
            ["Hồ Văn Lâm", "0912000001", "", "Yên Thành", "Xóm 2"],
            ["Hồ Thị Mai", "0912000002", "", "Yên Thành", "Xóm 3"],
        ]
    )
    changes = importing.changed_values(analysis.rows)
    assert ("địa chỉ", "Xóm 1, xã Yên Thành", "Xóm 2, xã Yên Thành") in changes[2]
    assert [label for label, _old, _new in changes[3]] == ["thôn, xóm"]  # "Xóm 12" is not "Xóm 1"
    importing.commit_import(None, record)
    assert (reloaded(kept).village, reloaded(kept).address) == ("Xóm 2", "Xóm 2, xã Yên Thành")
    assert (reloaded(other).village, reloaded(other).address) == ("Xóm 3", "Xóm 12, xã Yên Thành")
    [event] = [e for e in _events("household.import_update") if e.target_id == kept.id]
    assert event.before["address"] == "Xóm 1, xã Yên Thành"


def test_the_preview_shows_the_files_own_row_number(communes, client_for):
    official = make_user(Role.OFFICIAL, area=communes["province"])
    db.session.commit()
    record, analysis = start(
        [
            ["STT", *HEADER],
            ["17", "Nguyễn Văn An", "0912000001", "", "Yên Thành", ""],
            ["18", "Trần Thị Bình", "0912000002", "", "Yên Thành", ""],
        ],
        actor=official,
    )
    assert [(row.line, row.values["number"]) for row in analysis.rows] == [(2, "17"), (3, "18")]
    page = client_for(official).get(f"/households/import/{record.id}").get_data(as_text=True)
    assert '<th scope="col">STT</th>' in page
    assert "<td>17</td>" in page and "<td>18</td>" in page


def test_the_rejected_rows_of_several_sheets_name_their_sheet_under_one_header(communes):
    stream = workbook(
        {
            "Xóm 1": [HEADER, ["Nguyễn Văn An", "99", "", "Yên Thành", "Xóm 1"]],
            # the same columns in another order, and one more
            "Xóm 2": [
                ["Xã/Phường", "Họ và tên", "Ghi chú thêm", "Số điện thoại"],
                ["Yên Thành", "Trần Thị Bình", "nhà cuối ngõ", "12345"],
                ["Yên Thành", "Lê Văn Cường", "", "0912000003"],
            ],
        }
    )
    record, _ = importing.start_import(None, stream, "ds.xlsx")
    rows = list(importing.rejected_rows(importing.load_preview(record)))
    assert rows[0] == ["Trang tính", *HEADER, "Ghi chú thêm", "Lỗi"]
    assert rows[1][:6] == ["Xóm 1 · 2", "Nguyễn Văn An", "99", "", "Yên Thành", "Xóm 1"]
    assert rows[2][:7] == [
        "Xóm 2 · 2",
        "Trần Thị Bình",
        "12345",
        "",
        "Yên Thành",
        "",
        "nhà cuối ngõ",
    ]
    assert len(rows) == 3
    # the corrected file imports again: the sheet and error columns are left out
    header, _first, second = rows
    corrected = [*second[:2], "0912000002", *second[3:]]
    _record, analysis = importing.start_import(
        None, workbook({"Lỗi": [header, corrected]}), "l.xlsx"
    )
    assert [row.status for row in analysis.rows] == [RowStatus.NEW]
    assert analysis.unknown_columns == ["Ghi chú thêm"]


def test_a_legacy_font_is_judged_per_column(communes):
    """In a TCVN3 column, a cell that also reads as Unicode ("Nghi Léc") is converted with
    the rest, so the commune is found."""
    from tests.builders import make_area

    nghi_loc = make_area(code="17900", name="Xã Nghi Lộc", parent=communes["province"])
    db.session.commit()
    _record, analysis = start(
        [
            HEADER,
            ["NguyÔn V¨n An", "0912000001", "", "Nghi Léc", "Xãm 1"],
            ["TrÇn ThÞ B×nh", "0912000002", "", "Nghi Léc", "Xãm 2"],
            ["Lª V¨n C­êng", "0912000003", "", "Nghi Léc", "Xãm 2"],
        ]
    )
    assert [row.status for row in analysis.rows] == [RowStatus.NEW] * 3
    assert [row.values["head_name"] for row in analysis.rows] == [
        "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường",
    ]  # fmt: skip
    assert {row.values["area_id"] for row in analysis.rows} == {nghi_loc.id}
    assert [row.values["village"] for row in analysis.rows] == ["Xóm 1", "Xóm 2", "Xóm 2"]


@pytest.mark.races_on_postgres
def test_a_choice_made_while_another_is_saved_is_kept_with_it(app, communes):
    """Two officials resolve two conflicts of one import at the same moment: each choice is
    read and written under the import's lock, so neither overwrites the other."""
    for n, phone in enumerate(("0971111111", "0972222222")):
        make_household(head_name=f"Chủ Hộ {n}", phone=phone, area=communes["yen_thanh"])
    db.session.commit()
    record, _ = start(
        [
            HEADER,
            ["Người Khác Một", "0971111111", "", "Yên Thành", ""],
            ["Người Khác Hai", "0972222222", "", "Yên Thành", ""],
        ]
    )
    record_id = record.id
    db.session.commit()
    done = threading.Event()

    def resolve_line_2() -> None:
        with app.app_context():
            try:
                importing.resolve_conflict(None, db.session.get(type(record), record_id), 2, "keep")
            finally:
                db.session.remove()
                done.set()

    # the other official's resolution: it holds the import, read its preview, and writes
    # it back after a moment; a resolution that did not wait would be lost under it
    other = db.engine.connect()
    transaction = other.begin()
    other.execute(
        text("UPDATE household_imports SET summary = summary WHERE id = :id"), {"id": record_id}
    )
    theirs = importing.load_preview(record)
    worker = threading.Thread(target=resolve_line_2)
    worker.start()
    assert not done.wait(1.0)  # waits for the lock
    theirs.resolutions["3"] = {"choice": "keep", "household_id": theirs.rows[1].household_id}
    importing._save_preview(record, theirs)
    transaction.commit()
    other.close()
    worker.join(30)
    assert set(importing.load_preview(record).resolutions) == {"2", "3"}


def test_rows_without_phone_or_cccd_are_not_added_twice(communes):
    """Nothing unique identifies such a row: the same name in the same village of the same
    commune, above in the file or in the registry, is the same household."""
    rows = [
        HEADER,
        ["Hồ Văn Lâm", "", "", "Yên Thành", "Xóm 1"],
        ["HỒ VĂN LÂM", "", "", "Yên Thành", "xóm 1"],  # the same, typed again
        ["Hồ Văn Lâm", "", "", "Yên Thành", "Xóm 2"],  # a namesake in another village
        ["Hồ Văn Lâm", "", "", "Quỳnh Lưu", "Xóm 1"],  # and in another commune
    ]
    record, analysis = start(rows)
    assert [row.status for row in analysis.rows] == [
        RowStatus.NEW, RowStatus.DUPLICATE, RowStatus.NEW, RowStatus.NEW,
    ]  # fmt: skip
    assert "Trùng tên và thôn/xóm với dòng 2." in analysis.rows[1].messages
    importing.commit_import(None, record)
    again, analysis = start(rows)
    assert [row.status for row in analysis.rows] == [RowStatus.DUPLICATE] * 4
    importing.commit_import(None, again)
    assert db.session.scalar(select(func.count()).select_from(Household)) == 3
