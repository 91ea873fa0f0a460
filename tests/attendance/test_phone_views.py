"""Issue 19's trainer screens through HTTP: the session form's defaults and typed commune,
confirmation and undo of a cancellation, namesakes, the marking screen's plain search, places
left, the papers (sign-in sheet, xlsx) and the roster's login cards as one A4 PDF."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from lms.activation import services as activation
from lms.activation.models import ActivationStatus
from lms.attendance import services
from lms.attendance.models import ClassSession, EnrolmentSource, MarkStatus
from lms.core.models import PROGRAMME_TIMEZONE, utcnow
from lms.extensions import db
from tests.attendance.test_services import running  # noqa: F401 - the fixture
from tests.builders import (
    PIN,
    load_shipped_courses,
    make_certificate,
    make_household,
    make_product,
    marketplace,
)
from tests.tools import need_tool


def _local(moment) -> str:
    return moment.astimezone(PROGRAMME_TIMEZONE).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def namesakes(running):  # noqa: F811
    """Two "Lê Thị Lan" on the running session's roster, of Xóm 5 and Xóm 2."""
    commune = running.area
    lans = [
        make_household(head_name="Lê Thị Lan", village="Xóm 5", phone="0911000567", area=commune),
        make_household(head_name="Lê Thị Lan", village="Xóm 2", phone="0911000234", area=commune),
    ]
    services.enrol(running.trainer, running, lans, EnrolmentSource.COMMUNE)
    return lans


def test_the_form_offers_the_last_commune_and_a_box_per_course_inside_its_label(world, client_for):
    courses = load_shipped_courses()
    page = client_for(world.trainer_x).get("/sessions/new").get_data(as_text=True)
    assert re.search(r'name="commune"[^>]*value="Xã Diễn Châu"', page) or re.search(
        r'value="Xã Diễn Châu"[^>]*name="commune"', page
    )
    assert '<datalist id="communes">' in page and '<option value="Xã Yên Thành">' in page
    for course in courses:
        box = re.search(
            rf'<label class="check"><input[^>]*value="{course.id}"[^>]*> <span>([^<]+)</span></label>',
            page,
        )
        assert box and box.group(1) == course.current.title


def test_a_session_typed_without_diacritics_and_without_an_end_lasts_two_hours(world, client_for):
    courses = load_shipped_courses()
    starts = (utcnow() + timedelta(days=2)).replace(second=0, microsecond=0)
    response = client_for(world.trainer_x).post(
        "/sessions/new",
        data={
            "title": "Lớp gõ tên xã",
            "course_ids": [str(courses[0].id)],
            "starts_at": _local(starts),
            "commune": "dien chau",
            "place": "Nhà văn hóa",
        },
    )
    assert response.status_code == 302
    session = db.session.scalar(select(ClassSession).where(ClassSession.title == "Lớp gõ tên xã"))
    assert session.area_id == world.commune_1.id
    assert session.ends_at - session.starts_at == timedelta(hours=2)


def test_an_unknown_commune_is_refused_next_to_its_field(world, client_for):
    courses = load_shipped_courses()
    starts = utcnow() + timedelta(days=2)
    response = client_for(world.trainer_x).post(
        "/sessions/new",
        data={
            "title": "Lớp",
            "course_ids": [str(courses[0].id)],
            "starts_at": _local(starts),
            "commune": "Xã Không Có",
            "place": "Nhà văn hóa",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="commune-error">Vui lòng chọn một xã', body)
    assert db.session.scalar(select(ClassSession).where(ClassSession.title == "Lớp")) is None


def test_cancelling_asks_first_says_what_happens_and_can_be_undone(world, client_for):
    client = client_for(world.trainer_x)
    session = world.session_x
    first = client.post(f"/sessions/{session.id}/cancel")
    body = first.get_data(as_text=True)
    assert first.status_code == 200 and "Vui lòng xác nhận" in body
    assert "hoàn tác đến giờ bắt đầu" in body and 'name="confirmed" value="1"' in body
    assert not db.session.get(ClassSession, session.id).is_cancelled
    client.post(f"/sessions/{session.id}/cancel", data={"confirmed": "1"})
    db.session.expire_all()
    assert db.session.get(ClassSession, session.id).is_cancelled
    detail = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "Hoàn tác việc hủy" in detail
    client.post(f"/sessions/{session.id}/restore")
    db.session.expire_all()
    assert not db.session.get(ClassSession, session.id).is_cancelled


def test_a_started_session_says_its_cancellation_cannot_be_undone(running, client_for):  # noqa: F811
    client = client_for(running.trainer)
    body = client.post(f"/sessions/{running.id}/cancel").get_data(as_text=True)
    assert "không hoàn tác được" in body
    client.post(f"/sessions/{running.id}/cancel", data={"confirmed": "1"})
    assert "Hoàn tác việc hủy" not in client.get(f"/sessions/{running.id}").get_data(as_text=True)
    refused = client.post(f"/sessions/{running.id}/restore", follow_redirects=True)
    assert "trước giờ bắt đầu" in refused.get_data(as_text=True)


def test_removing_from_the_roster_asks_first_and_says_what_happens(running, world, client_for):  # noqa: F811
    client = client_for(world.trainer_x)
    mark = next(m for m in running.marks if m.household_id == world.household_a.id)
    path = f"/sessions/{running.id}/roster/{mark.id}/remove"
    first = client.post(path)
    body = first.get_data(as_text=True)
    assert first.status_code == 200 and "Vui lòng xác nhận" in body
    assert "Đưa Nguyễn Thị Hương ra khỏi danh sách học viên?" in body
    assert "buổi tập huấn không còn chờ hộ" in body and 'name="confirmed" value="1"' in body
    for bad in ({}, {"confirmed": "yes"}, {"confirmed": ""}):
        assert client.post(path, data=bad).status_code == 200
    db.session.expire_all()
    assert len(db.session.get(ClassSession, running.id).marks) == 3
    done = client.post(path, data={"confirmed": "1"}, follow_redirects=True)
    assert "Đã đưa Nguyễn Thị Hương ra khỏi danh sách học viên." in done.text
    db.session.expire_all()
    assert world.household_a.id not in {m.household_id for m in running.marks}


def test_a_marked_household_is_not_offered_for_removal(running, world, client_for):  # noqa: F811
    mark = next(m for m in running.marks if m.household_id == world.household_a.id)
    services.record_marks(
        world.trainer_x, running, {world.household_a.id: (None, MarkStatus.PRESENT)}
    )
    response = client_for(world.trainer_x).post(
        f"/sessions/{running.id}/roster/{mark.id}/remove", follow_redirects=True
    )
    assert "Vui lòng xác nhận" not in response.text
    assert "Hộ đã được điểm danh thì giữ trong danh sách." in response.text
    db.session.expire_all()
    assert db.session.get(type(mark), mark.id).status is MarkStatus.PRESENT


def test_closing_an_account_asks_first(world, client_for):
    make_certificate(world.household_a)
    make_product(household=world.household_a, name="Nhút", ocop_stars=4, ocop_year=2024)
    db.session.commit()
    request = activation.request_activation(world.member_a, world.household_a, marketplace())
    activation.approve(world.trainer_x, request)
    activation.mark_activated(world.trainer_x, request, "PM-1", "")
    client = client_for(world.trainer_x)
    page = client.post(f"/activation/requests/{request.id}/close", data={"seen": "activated"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "kết thúc các sản phẩm của hộ" in body
    assert 'name="seen" value="activated"' in body
    db.session.expire_all()
    assert request.status is ActivationStatus.ACTIVATED
    client.post(
        f"/activation/requests/{request.id}/close", data={"seen": "activated", "confirmed": "1"}
    )
    db.session.expire_all()
    assert request.status is ActivationStatus.CLOSED


def test_namesakes_show_their_village_and_phone_digits(namesakes, running, client_for):  # noqa: F811
    client = client_for(running.trainer)
    for path in ("roster", "marks"):
        page = client.get(f"/sessions/{running.id}/{path}").get_data(as_text=True)
        assert "Xóm 5 · SĐT …567" in page and "Xóm 2 · SĐT …234" in page, path
        assert "0911000567" not in page


def test_the_marking_screen_searches_without_javascript_and_saves_only_what_it_shows(
    namesakes,
    running,  # noqa: F811
    client_for,
):
    client = client_for(running.trainer)
    page = client.get(f"/sessions/{running.id}/marks?q=le+thi+lan+xom+5").get_data(as_text=True)
    assert page.count("<fieldset>") == 1 and "1 hộ khớp" in page
    lan_5, lan_2 = namesakes
    client.post(
        f"/sessions/{running.id}/marks?q=le+thi+lan+xom+5",
        data={"all_present": "1", f"was-{lan_5.id}": ""},
    )
    db.session.expire_all()
    marks = {m.household_id: m.status for m in db.session.get(ClassSession, running.id).marks}
    assert marks[lan_5.id] is MarkStatus.PRESENT
    assert marks[lan_2.id] is None and sum(s is not None for s in marks.values()) == 1


def test_too_many_chosen_says_how_many_places_are_left_and_keeps_the_choice(world, client_for):
    session = world.session_x
    session.capacity = 4
    households = [
        make_household(head_name=f"Hộ Chọn {n}", phone=f"09440000{n:02d}", area=world.commune_1)
        for n in range(6)
    ]
    services.enrol(world.trainer_x, session, households[:1], EnrolmentSource.COMMUNE)
    client = client_for(world.trainer_x)
    response = client.post(
        f"/sessions/{session.id}/roster/add",
        data={"household_id": [str(h.id) for h in households[1:6]], "source": "commune"},
    )
    assert "picked=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Chỉ còn 3 chỗ" in page and "còn 3 chỗ" in page
    assert "Các hộ bạn đã chọn (5 hộ)" in page
    assert page.count("checked>") >= 5
    assert len(services.roster(db.session.get(ClassSession, session.id))) == 1


def test_the_sign_in_sheet_has_a_phone_column_for_walk_ins(running, client_for, tmp_path):  # noqa: F811
    pdf = client_for(running.trainer).get(f"/sessions/{running.id}/sign-in-sheet.pdf").data
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Số điện thoại Ký tên" in text and "0912***678" in text
    need_tool("pdftotext")
    (tmp_path / "sheet.pdf").write_bytes(pdf)
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(tmp_path / "sheet.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    left = {
        word: float(x) * 25.4 / 72  # mm from the page's left edge
        for x, word in re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]+)</word>', boxes)
    }
    # A4 with 12 mm margins: the signature column holds the row's last 50 mm, room to sign
    assert 210 - 12 - left["Ký"] >= 48, left
    assert left["Ký"] - left["Số"] >= 28, left  # and the phone column room for 10 digits


def test_the_attendance_workbook_has_dates_widths_a_frozen_header_village_and_phone(
    namesakes,
    running,  # noqa: F811
    client_for,
):
    data = client_for(running.trainer).get(f"/sessions/{running.id}/attendance.xlsx").data
    sheet = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2"
    assert (
        {"Thôn/xóm", "Số điện thoại"} <= set(header)
        or {"Thôn, xóm", "Số điện thoại"} <= set(header)
        or "Số điện thoại" in header
    )
    starts = sheet.cell(row=2, column=header.index("Bắt đầu") + 1)
    assert isinstance(starts.value, datetime) and starts.number_format == "dd/mm/yyyy hh:mm"
    assert (
        starts.value
        == running.starts_at.astimezone(PROGRAMME_TIMEZONE).replace(tzinfo=None, microsecond=0)
        or abs(
            (
                starts.value - running.starts_at.astimezone(PROGRAMME_TIMEZONE).replace(tzinfo=None)
            ).total_seconds()
        )
        < 1
    )
    assert sheet.column_dimensions["A"].width >= 30
    phones = [
        row[header.index("Số điện thoại")]
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[0]
    ]
    assert "0911***567" in phones


def test_the_rosters_cards_come_as_one_a4_pdf_whose_qr_codes_log_in(
    world,
    running,  # noqa: F811
    client_for,
    tmp_path,
    app,
    monkeypatch,
):
    """Printed in the request (a roster's cards by a job: tests/jobs/test_long_work.py)."""
    monkeypatch.setitem(app.config, "CARDS_JOB_HOUSEHOLDS", 20)
    need_tool("pdftoppm")
    need_tool("zbarimg")
    extra = [
        make_household(head_name=f"Hộ Thẻ {n:02d}", phone=f"09330000{n:02d}", area=running.area)
        for n in range(10)
    ]
    services.enrol(running.trainer, running, extra, EnrolmentSource.COMMUNE)
    world.member_a.last_login_at = utcnow()  # household A logs in already: keeps its PIN
    db.session.commit()
    client = client_for(running.trainer)
    page = client.get(f"/sessions/{running.id}/cards").get_data(as_text=True)
    ticked = re.findall(r'name="household_id" value="(\d+)" checked', page)
    assert len(ticked) == len(running.marks) - 1 == 12
    assert str(world.household_a.id) not in ticked
    response = client.post(f"/sessions/{running.id}/cards.pdf", data={"household_id": ticked})
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 2  # 12 cards, ten a page
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width) / 72 * 25.4), round(float(height) / 72 * 25.4)) == (210, 297)
    text = reader.pages[0].extract_text()
    pins = re.findall(r"Mã PIN: (\d{6})", text)
    assert len(pins) == 10
    pdf = tmp_path / "cards.pdf"
    pdf.write_bytes(response.data)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "300",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    links = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "p.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert len(links) == 10 and all("/card/" in link for link in links)
    phone = client_for()
    assert phone.get(links[0].removeprefix("http://localhost")).headers["Location"] == "/learn/"
    # household A was not ticked: its PIN still works
    login = client_for().post("/login", data={"phone": "0912345678", "pin": PIN})
    assert login.headers["Location"] == "/learn/"


def test_the_card_page_fits_a_phone_and_nothing_ticked_prints_nothing(running, client_for):  # noqa: F811
    client = client_for(running.trainer)
    response = client.post(f"/sessions/{running.id}/cards.pdf", data={})
    assert response.status_code == 302
    assert "Hãy chọn ít nhất một hộ" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_wtforms_own_messages_read_in_vietnamese(world, client_for):
    load_shipped_courses()
    response = client_for(world.trainer_x).post(
        "/sessions/new", data={"title": "Lớp", "capacity": "999", "starts_at": "x"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Số phải từ 1 đến 500." in body and "Number must be" not in body
    queue = client_for(world.trainer_x).get("/activation/requests?status=nope")
    text = queue.get_data(as_text=True)
    assert "Lựa chọn không hợp lệ" in text and "Not a valid choice" not in text
