"""The commune radio: the announcement as read aloud, and broadcasts that inform."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.core.models import today, utcnow
from lms.core.scope import get_or_404
from lms.extensions import db
from lms.households.models import OutreachChannel, OutreachEvent
from lms.outreach import services, spoken
from lms.outreach.models import Broadcast
from lms.reports import targets
from lms.reports.targets import TargetFilter
from tests.builders import make_household, make_session


def at_vietnam(day: date, hour: int, minute: int = 0) -> datetime:
    """A Vietnam wall-clock time as the aware UTC timestamp sessions store."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def test_dates_times_and_phones_are_spelled_as_read_aloud():
    assert spoken.spoken_date(date(2026, 12, 8)) == "thứ Ba, ngày mùng 8 tháng 12"
    assert spoken.spoken_date(date(2026, 12, 20)) == "Chủ nhật, ngày 20 tháng 12"
    starts, ends = at_vietnam(date(2026, 12, 8), 7, 30), at_vietnam(date(2026, 12, 8), 11)
    assert spoken.spoken_when(starts, ends) == (
        "sáng thứ Ba, ngày mùng 8 tháng 12, từ 7 giờ 30 đến 11 giờ"
    )
    assert spoken.spoken_when(
        at_vietnam(date(2026, 12, 9), 14), at_vietnam(date(2026, 12, 9), 16, 30)
    ) == ("chiều thứ Tư, ngày mùng 9 tháng 12, từ 14 giờ đến 16 giờ 30")
    late = spoken.spoken_when(
        at_vietnam(date(2026, 12, 1), 21), at_vietnam(date(2026, 12, 2), 0, 30)
    )
    assert late == "tối thứ Ba, ngày mùng 1 tháng 12, từ 21 giờ đến 0 giờ 30 sáng hôm sau"
    assert spoken.with_spoken_phones("gọi 0912345678") == (
        "gọi 0912345678 (đọc là: không chín một hai, ba bốn năm, sáu bảy tám)"
    )


def test_the_announcement_reads_the_classes_of_the_commune_and_period(world):
    day = today() + timedelta(days=7)
    world.session_x.cancelled_at = utcnow()  # the world's own class, not read
    make_session(trainer=world.trainer_x, area=world.commune_1, place="Nhà văn hóa thôn 3",
                 starts_at=at_vietnam(day, 7, 30), ends_at=at_vietnam(day, 11))  # fmt: skip
    cancelled = make_session(trainer=world.trainer_x, area=world.commune_1, place="Đình làng",
                             starts_at=at_vietnam(day, 14))  # fmt: skip
    cancelled.cancelled_at = utcnow()
    make_session(trainer=world.trainer_x, area=world.commune_1, place="Chợ xã",
                 starts_at=at_vietnam(day + timedelta(days=40), 8))  # fmt: skip
    make_session(trainer=world.trainer_y, area=world.commune_2, place="Trạm y tế",
                 starts_at=at_vietnam(day, 8))  # fmt: skip
    db.session.commit()

    a = services.write_announcement(
        world.commune_1, today(), today() + timedelta(days=30), contact="chị Lan, 0912345678"
    )
    assert len(a.classes) == 1 and a.organisations == ["Bưu điện Nghệ An"]
    text = a.text
    assert "Kính thưa bà con nhân dân xã Diễn Châu!" in text
    assert f"Buổi thứ nhất: sáng {spoken.spoken_date(day)}, từ 7 giờ 30 đến 11 giờ" in text
    assert "tại Nhà văn hóa thôn 3" in text and "Bưu điện Nghệ An" in text
    assert "điện thoại thông minh đã sạc đầy pin" in text  # what to bring, by default
    assert "chị Lan, 0912345678 (đọc là: không chín một hai" in text
    for elsewhere in ("Đình làng", "Chợ xã", "Trạm y tế", "{{", "07:30"):
        assert elsewhere not in text

    with pytest.raises(services.RuleViolation):
        services.write_announcement(world.commune_1, today(), today() - timedelta(days=1))


def _informed(official) -> dict[str, int]:
    board = targets.dashboard(official, TargetFilter())
    return {row.area.name: row.shares["informed"].part for row in board.rows}


def test_a_broadcast_informs_every_household_of_its_commune_once(world):
    make_household(head_name="Lê Văn Hai", area=world.commune_1)
    db.session.commit()
    assert _informed(world.official_province) == {"Xã Diễn Châu": 0, "Xã Yên Thành": 0}

    with pytest.raises(services.RuleViolation):  # a broadcast tomorrow has not happened
        services.record_broadcast(
            world.official_1, world.commune_1, today() + timedelta(days=1), "x"
        )
    assert db.session.scalar(select(func.count()).select_from(Broadcast)) == 0

    first = services.record_broadcast(world.official_1, world.commune_1, today(), "Thông báo")
    again = services.record_broadcast(world.official_1, world.commune_1, today(), "Phát lại")
    assert (first.households, again.households) == (2, 0)  # the same day counts once
    assert _informed(world.official_province) == {"Xã Diễn Châu": 2, "Xã Yên Thành": 0}
    event = db.session.scalar(
        select(OutreachEvent).where(OutreachEvent.household_id == world.household_a.id)
    )
    assert (event.channel, event.broadcast_id) == (OutreachChannel.LOUDSPEAKER, first.id)
    # another commune's official does not see it
    with pytest.raises(Exception, match="404"):
        get_or_404(Broadcast, first.id, world.official_2)


def test_officials_write_print_download_and_record_through_the_screens(world, client_for, csrf):
    day = today() + timedelta(days=3)
    make_session(trainer=world.trainer_x, area=world.commune_1, place="Hội trường xã",
                 starts_at=at_vietnam(day, 7, 30))  # fmt: skip
    db.session.commit()
    official = client_for(world.official_1)
    query = (
        f"area_id={world.commune_1.id}&date_from={today()}&date_to={today() + timedelta(days=10)}"
    )
    page = official.get(f"/radio/announcement?{query}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "tại Hội trường xã" in body and "7 giờ 30" in body
    download = official.get(f"/radio/announcement.txt?{query}")
    assert download.mimetype == "text/plain"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "Đài truyền thanh xã Diễn Châu xin trân trọng thông báo!" in download.get_data(
        as_text=True
    )
    # a commune out of scope is a 404; a reversed period a clear message
    other = f"area_id={world.commune_2.id}&date_from={today()}&date_to={today()}"
    assert official.get(f"/radio/announcement?{other}").status_code == 404
    reversed_period = official.get(
        f"/radio/announcement?area_id={world.commune_1.id}&date_from={today()}&date_to={today() - timedelta(days=2)}"
    )
    assert reversed_period.status_code == 400
    assert "Ngày cuối của khoảng thời gian" in reversed_period.get_data(as_text=True)

    form = official.get("/radio/broadcasts/new").get_data(as_text=True)
    token = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    fields = {
        "csrf_token": token,
        "area_id": world.commune_1.id,
        "broadcast_on": today().isoformat(),
    }
    empty = official.post("/radio/broadcasts/new", data=fields)
    assert (
        empty.status_code == 400
        and db.session.scalar(select(func.count()).select_from(Broadcast)) == 0
    )
    recorded = official.post("/radio/broadcasts/new", data={**fields, "text": "Kính thưa bà con"})
    assert recorded.status_code == 302
    broadcast = db.session.scalar(select(Broadcast))
    assert official.get(recorded.headers["Location"]).status_code == 200
    # the household's trail names the loudspeaker and links the broadcast
    trail = official.get(f"/overview/trail/{world.household_a.id}").get_data(as_text=True)
    assert "Loa truyền thanh xã" in trail and f"/radio/broadcasts/{broadcast.id}" in trail
