"""Forms sent late: a phone that lost its signal keeps a form and sends it once back online
(static/js/sw.js). Such a form carries the phone's clock: when each thing was done
(``device_time``, ``opened_at``, ``at-<household>``) and when it was finally sent
(``sent_at``, added by the service worker). The phone's clock may be wrong by minutes or
hours, but the difference between two of its readings is right, so each reading is placed on
the server's clock by the offset between ``sent_at`` and the moment the form arrived.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.auth.models import User
from lms.core.audit import record_event
from lms.core.errors import RuleViolation
from lms.core.models import utcnow
from lms.courses import services as courses
from lms.courses.models import Lesson, LessonProgress
from lms.extensions import db
from lms.households.models import Household

#: the header the service worker sends when it fetches a page to keep it, not to show it
PREFETCH_HEADER = "X-Offline-Cache"
#: a form kept longer than this on a phone is taken as sent now (its times are not trusted)
LONGEST_WAIT = timedelta(days=30)


def is_prefetch() -> bool:
    """Whether this request fetches a page to keep it for reading offline: nobody reads it
    now, so it starts no reading clock."""
    return request.headers.get(PREFETCH_HEADER) == "1"


@dataclass(frozen=True)
class DeviceClock:
    """The phone's clock as a form sent late read it, and its offset from the server's."""

    sent_at: datetime
    received_at: datetime

    @classmethod
    def of(cls, form: Mapping[str, str]) -> DeviceClock | None:
        """The clock of a form the service worker sent late; None for a form sent at once."""
        sent_at = _from_millis(form.get("sent_at"))
        return cls(sent_at, utcnow()) if sent_at is not None else None

    def device(self, value: str | None) -> datetime | None:
        """A reading of the phone's clock as the phone gave it (for the audit trail)."""
        moment = _from_millis(value)
        if moment is None or not timedelta(0) <= self.sent_at - moment <= LONGEST_WAIT:
            return None  # after it was sent, or kept for months: not a reading to trust
        return moment

    def server(self, value: str | None) -> datetime | None:
        """A reading of the phone's clock placed on the server's clock."""
        moment = self.device(value)
        return None if moment is None else moment + (self.received_at - self.sent_at)


def _from_millis(value: str | None) -> datetime | None:
    """JavaScript's ``Date.now()`` (milliseconds since 1970) as a UTC datetime; None for
    anything else."""
    if not value or not value.isdigit() or len(value) > 15:
        return None
    return datetime.fromtimestamp(int(value) / 1000, UTC)


def finish_lesson_offline(
    user: User, household: Household, lesson: Lesson, clock: DeviceClock, form: Mapping
) -> None:
    """ "Đã học xong" tapped offline on a lesson kept on the phone, sent once back online.

    Rule (issue #18 kept): the lesson counts as read only after its reading time. A page the
    service worker kept was never served to be read, so the server cannot time it; the phone
    did: from when the page was shown (``opened_at``) to the tap (``device_time``). That time
    must be the reading time; the page's reading clock then starts at the moment it was
    shown, placed on the server's clock, unless the server served it earlier. The server's
    own rule (``courses.finish_lesson``) decides after that, and the audit trail records that
    it was done offline, with the phone's times.
    """
    opened, done = clock.server(form.get("opened_at")), clock.server(form.get("device_time"))
    if opened is None or done is None or done < opened:
        raise RuleViolation(
            _l("This lesson was not timed on the phone: read it again, then tap “Done reading”.")
        )
    if (done - opened).total_seconds() < courses.reading_seconds(lesson):
        raise RuleViolation(
            _l(
                "Take your time: this lesson takes about %(minutes)d minutes to read. "
                "Read it to the end, then tap “Done reading” again.",
                minutes=lesson.minutes,
            )
        )
    row = db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.household_id == household.id,
            LessonProgress.course_id == lesson.course_version.course_id,
            LessonProgress.lesson_slug == lesson.slug,
        )
    )
    if row is None:
        row = LessonProgress(
            household_id=household.id,
            course_id=lesson.course_version.course_id,
            lesson_slug=lesson.slug,
            last_seen_at=opened,
        )
        db.session.add(row)
    if row.served_at is None or opened < row.served_at:
        row.served_at = opened
    if row.finished_at is None:
        record_event(
            user,
            "lesson.finish_offline",
            row,
            after={
                "lesson": lesson.slug,
                "offline": True,
                "device_opened_at": clock.device(form.get("opened_at")).isoformat(),
                "device_time": clock.device(form.get("device_time")).isoformat(),
            },
        )
    db.session.flush()
    courses.finish_lesson(household, lesson)  # the server's rule, and the one commit


def mark_times(clock: DeviceClock | None, form: Mapping, household_ids) -> dict:
    """When each mark of a marks form sent late was tapped on the phone (``at-<household>``,
    else the moment the form was saved): household id → (server time, phone time)."""
    if clock is None:
        return {}
    times = {}
    for household_id in household_ids:
        value = form.get(f"at-{household_id}") or form.get("device_time")
        server, device = clock.server(value), clock.device(value)
        if server is not None:
            times[household_id] = (server, device)
    return times
