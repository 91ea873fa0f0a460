"""The offline web app on the server's side (issue #21): the worker, the manifest and the
offline page; what "Khóa học của tôi" asks the phone to keep, kept without starting a reading
clock; forms sent late, whose phone times are placed on the server's clock."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from lms.attendance.models import AttendanceMark, MarkStatus
from lms.core.audit import AuditEvent
from lms.core.models import utcnow
from lms.courses.models import LessonProgress
from lms.courses.services import reading_seconds
from lms.extensions import db
from lms.offline.services import DeviceClock
from tests.builders import make_household, make_session

HOUR_MS = 3600 * 1000


def test_the_worker_and_manifest_are_served_by_the_product(client_for):
    client = client_for()
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert "no-cache" in worker.headers["Cache-Control"]  # a new one reaches phones at once
    assert b'addEventListener("fetch"' in worker.data
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.json["name"] == "Tập huấn đưa hộ SXNN lên sàn TMĐT"
    assert manifest.json["theme_color"] == "#0b5d3b" and manifest.json["scope"] == "/"
    for icon in manifest.json["icons"]:
        image = client.get(icon["src"])
        assert image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    offline = client.get("/offline").get_data(as_text=True)
    assert "Không có mạng" in offline and "Khóa học của tôi" in offline


def test_my_courses_lists_the_programme_and_keeping_it_starts_no_clock(courses, world, client_for):
    client = client_for(world.member_a)
    page = client.get("/learn/").get_data(as_text=True)
    listed = re.search(r'data-offline-cache="([^"]+)"', page)[1].split()
    lessons = sum(len(course.current.lessons) for course in courses)
    assert len(listed) == 1 + lessons + len(courses)
    assert f"/learn/{courses[0].slug}/quiz" in listed
    kept = client.get(listed[1], headers={"X-Offline-Cache": "1"})
    assert kept.status_code == 200
    assert db.session.scalar(select(LessonProgress)) is None  # nobody reads it yet
    client.get(listed[1])
    assert db.session.scalar(select(LessonProgress.served_at)) is not None


def _done_late(client, course, opened_ms: int, done_ms: int, sent_ms: int):
    return client.post(
        f"/learn/{course.slug}/1/done",
        data={"opened_at": opened_ms, "device_time": done_ms, "sent_at": sent_ms},
    )


def test_done_tapped_offline_counts_the_reading_timed_on_the_phone(courses, world, client_for):
    client = client_for(world.member_a)
    course = courses[0]
    lesson = course.current.lessons[0]
    phone_now = int(time.time() * 1000) + 3 * HOUR_MS  # the phone's clock is 3 hours fast
    opened = phone_now - 20 * 60 * 1000  # read twenty minutes ago, offline

    too_quick = _done_late(client, course, opened, opened + 2000, phone_now)
    assert too_quick.status_code == 400
    assert "Bạn cứ thong thả nhé" in too_quick.get_data(as_text=True)
    assert db.session.scalar(select(LessonProgress.finished_at)) is None

    done = opened + (reading_seconds(lesson) + 5) * 1000
    answer = _done_late(client, course, opened, done, phone_now)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/{course.slug}/2")
    row = db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_slug == lesson.slug))
    # on the server's clock: opened about twenty minutes ago, whatever the phone's clock says
    assert abs(utcnow() - timedelta(minutes=20) - row.served_at) < timedelta(seconds=30)
    assert row.finished_at is not None
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "lesson.finish_offline")
    )
    assert event.after["offline"] is True
    assert event.after["device_time"] == datetime.fromtimestamp(done / 1000, UTC).isoformat()


def test_a_done_sent_late_without_phone_times_is_refused(courses, world, client_for):
    client = client_for(world.member_a)
    answer = client.post(f"/learn/{courses[0].slug}/1/done", data={"sent_at": "1"})
    assert answer.status_code == 400
    assert "Điện thoại chưa tính được thời gian đọc bài này" in answer.get_data(as_text=True)
    assert db.session.scalar(select(LessonProgress.finished_at)) is None


def test_marks_sent_late_carry_their_phone_times_and_a_changed_mark_is_a_conflict(
    world, client_for
):
    session = make_session(
        trainer=world.trainer_x, area=world.commune_1, starts_at=utcnow() - timedelta(hours=1)
    )
    lan = make_household(head_name="Lê Thị Lan", phone="0966000001", area=world.commune_1)
    binh = make_household(head_name="Phan Văn Bình", phone="0966000002", area=world.commune_1)
    for household in (lan, binh):
        db.session.add(
            AttendanceMark(
                session_id=session.id,
                household_id=household.id,
                source="search",
                status=MarkStatus.EXCUSED if household is lan else None,  # changed meanwhile
            )
        )
    db.session.commit()
    phone_now = int(time.time() * 1000) - 2 * HOUR_MS  # the phone's clock is 2 hours slow
    answer = client_for(world.trainer_x).post(
        f"/sessions/{session.id}/marks",
        data={
            f"was-{lan.id}": "",
            f"status-{lan.id}": "present",
            f"was-{binh.id}": "",
            f"status-{binh.id}": "absent",
            f"at-{binh.id}": phone_now - 10 * 60 * 1000,  # tapped ten minutes before sending
            "device_time": phone_now - 5 * 60 * 1000,
            "sent_at": phone_now,
        },
        follow_redirects=True,
    )
    page = answer.get_data(as_text=True)
    assert "Lê Thị Lan" in page and "Vắng có phép" in page and "“Có mặt”" in page
    marks = {m.household_id: m for m in db.session.scalars(select(AttendanceMark))}
    assert marks[lan.id].status == MarkStatus.EXCUSED
    assert marks[binh.id].status == MarkStatus.ABSENT
    assert abs(utcnow() - timedelta(minutes=10) - marks[binh.id].marked_at) < timedelta(seconds=30)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attendance.mark"))
    assert event.after["offline"] is True and event.after["device_time"]


def test_phone_times_after_sending_or_months_old_are_not_trusted():
    clock = DeviceClock.of({"sent_at": str(40 * 24 * HOUR_MS)})
    assert clock.device(str(40 * 24 * HOUR_MS + 1)) is None  # after it was sent
    assert clock.device(str(5 * 24 * HOUR_MS)) is None  # 35 days before
    assert clock.server(str(40 * 24 * HOUR_MS - 1000)) < clock.received_at
    assert DeviceClock.of({"sent_at": "soon"}) is None and DeviceClock.of({}) is None
