"""Trainer screens: planning, enrolling three ways, marking on a phone, papers, check-in."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from lms.attendance.models import AttendanceMark, ClassSession, MarkStatus
from lms.core.models import PROGRAMME_TIMEZONE, utcnow
from lms.extensions import db
from tests.attendance.test_services import running, walk_in  # noqa: F401 - the fixtures
from tests.builders import PIN, load_shipped_courses


def _local(moment) -> str:
    return moment.astimezone(PROGRAMME_TIMEZONE).strftime("%Y-%m-%dT%H:%M")


def test_a_trainer_plans_a_session_on_the_form(world, client_for):
    courses = load_shipped_courses()
    starts = utcnow() + timedelta(days=3)
    response = client_for(world.trainer_x).post(
        "/sessions/new",
        data={
            "title": "Lớp Diễn Châu 2",
            "course_ids": [str(courses[0].id), str(courses[2].id)],
            "starts_at": _local(starts),
            "ends_at": _local(starts + timedelta(hours=3)),
            "commune": "Xã Diễn Châu",
            "place": "Hội trường xóm 5",
            "capacity": "40",
        },
    )
    session = db.session.scalar(select(ClassSession).where(ClassSession.title == "Lớp Diễn Châu 2"))
    assert response.headers["Location"] == f"/sessions/{session.id}"
    assert abs((session.starts_at - starts).total_seconds()) < 60 and session.capacity == 40
    listing = client_for(world.trainer_x).get("/sessions/").get_data(as_text=True)
    assert listing.index("Lớp Diễn Châu 2") > listing.index("Lớp Diễn Châu")


def test_a_session_ending_before_it_starts_is_refused(world, client_for):
    courses = load_shipped_courses()
    starts = utcnow() + timedelta(days=3)
    response = client_for(world.trainer_x).post(
        "/sessions/new",
        data={
            "title": "Lớp",
            "course_ids": [str(courses[0].id)],
            "starts_at": _local(starts),
            "ends_at": _local(starts - timedelta(hours=1)),
            "commune": "Xã Diễn Châu",
            "place": "Hội trường",
        },
    )
    assert response.status_code == 400
    assert "phải kết thúc sau khi bắt đầu" in response.get_data(as_text=True)


def test_enrolling_three_ways_and_a_walk_in(running, world, client_for):  # noqa: F811
    from tests.builders import make_household

    extra = [
        make_household(head_name=f"Phan Văn {n}", phone=f"09880000{n:02d}", area=world.commune_1)
        for n in (1, 2, 3)
    ]
    db.session.commit()
    client = client_for(world.trainer_x)
    found = client.get(f"/sessions/{running.id}/roster?q=phan+van+1").get_data(as_text=True)
    assert "Phan Văn 1" in found
    client.post(f"/sessions/{running.id}/roster/add", data={"household_id": [str(extra[0].id)]})
    page = client.get(f"/sessions/{running.id}/roster").get_data(as_text=True)
    assert "Phan Văn 2" in page.split("chưa được tập huấn")[1]
    client.post(
        f"/sessions/{running.id}/roster/add",
        data={"household_id": [str(extra[1].id)], "source": "commune"},
    )
    client.post(f"/sessions/{running.id}/roster/phones", data={"phones": "+84 988 000 003\n12345"})
    client.post(
        f"/sessions/{running.id}/roster/walk-in",
        data={"head_name": "Lô Thị Xuân", "phone": "0395112233"},
    )
    names = {m.household.head_name for m in db.session.get(ClassSession, running.id).marks}
    assert {"Phan Văn 1", "Phan Văn 2", "Phan Văn 3", "Lô Thị Xuân"} <= names


def test_everyone_present_then_exceptions_in_one_submit(running, world, client_for):  # noqa: F811
    client = client_for(world.trainer_x)
    marks = {m.household.head_name: m.household_id for m in running.marks}
    page = client.get(f"/sessions/{running.id}/marks").get_data(as_text=True)
    assert page.count('type="radio"') == 4 * len(marks) and "Tất cả có mặt" in page
    data = {"all_present": "1", f"status-{marks['Nguyễn Thị Hương']}": "late"}
    data |= {f"was-{hid}": "" for hid in marks.values()}
    assert client.post(f"/sessions/{running.id}/marks", data=data).status_code == 302
    db.session.expire_all()
    saved = {
        m.household.head_name: m.status for m in db.session.get(ClassSession, running.id).marks
    }
    assert saved == {
        "Nguyễn Thị Hương": MarkStatus.LATE,
        "Hộ Diễn Châu 1": MarkStatus.PRESENT,
        "Hộ Diễn Châu 2": MarkStatus.PRESENT,
    }


def test_a_trainer_saving_a_stale_form_is_told_someone_changed_the_mark(
    running,  # noqa: F811
    world,
    client_for,
):
    from lms.attendance import services

    hương = world.household_a.id
    client = client_for(world.trainer_x)
    form = client.get(f"/sessions/{running.id}/marks").text
    assert f'name="was-{hương}" value=""' in form  # the form shows her unmarked
    services.record_marks(world.admin, running, {hương: (None, MarkStatus.ABSENT)})  # meanwhile
    response = client.post(
        f"/sessions/{running.id}/marks",
        data={f"was-{hương}": "", f"status-{hương}": "present"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert (
        "Trong lúc bạn điểm danh, người khác đã đổi điểm danh của Nguyễn Thị Hương: hiện là "
        "“Vắng”. Lựa chọn của bạn, “Có mặt”, chưa được lưu"
    ) in response.text
    db.session.expire_all()
    mark = db.session.scalar(select(AttendanceMark).where(AttendanceMark.household_id == hương))
    assert mark.status is MarkStatus.ABSENT and mark.marked_by_id == world.admin.id


def test_marks_need_a_csrf_token(running, world, client_for, csrf):  # noqa: F811
    response = client_for(world.trainer_x).post(
        f"/sessions/{running.id}/marks", data={"all_present": "1"}
    )
    assert response.status_code == 400
    assert all(m.status is None for m in db.session.get(ClassSession, running.id).marks)


def test_another_organisations_trainer_cannot_mark(running, world, client_for):  # noqa: F811
    client = client_for(world.trainer_y)
    assert client.get(f"/sessions/{running.id}/marks").status_code == 404
    assert (
        client.post(f"/sessions/{running.id}/marks", data={"all_present": "1"}).status_code == 404
    )


def test_sign_in_sheet_pdf_lists_the_roster(running, world, client_for):  # noqa: F811
    response = client_for(world.official_1).get(f"/sessions/{running.id}/sign-in-sheet.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "DANH SÁCH KÝ NHẬN" in text and "Nguyễn Thị Hương" in text and "Hộ Diễn Châu 2" in text
    assert "0912345678" not in text


def test_attendance_export_for_a_session_and_a_date_range(running, world, client_for):  # noqa: F811
    from lms.attendance import services

    services.record_marks(
        world.trainer_x,
        running,
        {m.household_id: (None, MarkStatus.PRESENT) for m in running.marks},
    )
    sheet = load_workbook(
        io.BytesIO(client_for(world.official_1).get(f"/sessions/{running.id}/attendance.xlsx").data)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Buổi tập huấn", "Mô tả", "Địa điểm")
    assert {r[9] for r in rows[1:4]} == {"Nguyễn Thị Hương", "Hộ Diễn Châu 1", "Hộ Diễn Châu 2"}
    assert rows[-1][3:6] == (3, 3, 0)  # enrolled, present, late
    # the day it started in Vietnam: run just after midnight there, that is yesterday
    day = running.starts_at.astimezone(PROGRAMME_TIMEZONE).date()
    ranged = client_for(world.official_province).get(
        f"/sessions/attendance.xlsx?first={day}&last={day}"
    )
    assert "Lớp Diễn Châu" in str(
        list(load_workbook(io.BytesIO(ranged.data)).active.iter_rows(values_only=True))
    )


def test_a_household_checks_in_with_the_code(running, world, client_for):  # noqa: F811
    client = client_for(world.member_a)
    wrong = client.post("/checkin/", data={"code": "111111"})
    assert wrong.status_code == 400 and "không khớp" in wrong.get_data(as_text=True)
    done = client.post("/checkin/", data={"code": "135 790"})
    assert "Bạn đã tự điểm danh: Lớp Diễn Châu." in done.get_data(as_text=True)
    screen = client_for(world.trainer_x).get(f"/sessions/{running.id}/marks").get_data(as_text=True)
    assert "tự điểm danh" in screen


def test_the_qr_link_goes_through_login_and_back(running, world, client_for):  # noqa: F811
    client = client_for()
    link = f"/checkin/{running.id}/135790"
    to_login = client.get(link)
    assert to_login.headers["Location"] == f"/login?next=%2Fcheckin%2F{running.id}%2F135790"
    login = client.post("/login", data={"phone": "0912345678", "pin": PIN, "next": link})
    assert login.headers["Location"] == link
    assert "Bạn đã tự điểm danh" in client.get(link).get_data(as_text=True)
    mark = db.session.scalar(
        select(AttendanceMark).where(AttendanceMark.household_id == world.household_a.id)
    )
    assert mark.is_self_checkin and mark.status is MarkStatus.PRESENT


def test_only_the_roster_and_the_sessions_commune_check_in(
    running,  # noqa: F811
    world,
    client_for,
    walk_in,  # noqa: F811
):
    """A household of Yên Thành cannot check into a class in Diễn Châu, by code or by link;
    a household of Diễn Châu off the roster joins it, and the trainer sees it came so."""
    outsider = client_for(world.member_b)
    refused = [
        outsider.post("/checkin/", data={"code": "135790"}),
        outsider.get(f"/checkin/{running.id}/135790"),
    ]
    for response in refused:
        assert response.status_code == 400
        assert (
            "Hộ của bạn không có trong danh sách lớp “Lớp Diễn Châu”, lớp dành cho các hộ ở "
            "Xã Diễn Châu. Hãy nhờ giảng viên thêm hộ vào danh sách."
        ) in response.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(AttendanceMark).where(AttendanceMark.household_id == world.household_b.id)
        )
        is None
    )

    done = client_for(walk_in).get(f"/checkin/{running.id}/135790")
    assert "Bạn đã tự điểm danh: Lớp Diễn Châu." in done.get_data(as_text=True)
    trainer = client_for(world.trainer_x)
    for page in ("roster", "marks"):
        body = trainer.get(f"/sessions/{running.id}/{page}").get_data(as_text=True)
        row = body[body.index("Hộ Vãng Lai") :][:200]
        assert '<small class="tag warn">đến trực tiếp</small>' in row


def test_the_checkin_screen_shows_qr_and_code(running, world, client_for):  # noqa: F811
    page = (
        client_for(world.trainer_x)
        .get(f"/sessions/{running.id}/checkin-screen")
        .get_data(as_text=True)
    )
    assert "<svg" in page and "135 790" in page
