"""Assisted learning: a helper learning beside a household, on one phone, honestly recorded.

How it works on one phone: the helper (a trainer of the session's organisation, or a member
of the commune's community digital technology team) stays logged in as themself and opens
the household's learning from the session's roster. Every page then shows the banner
"Đang hỗ trợ hộ …" with a button to end; lessons finished and quizzes submitted meanwhile
are the household's (they count towards its completion and certificate exactly as its own
work does) and carry the helper's id. Nobody types a household's PIN, and the household's
own login is untouched: what the helper did is never mistaken for what the household did
alone. The mode lasts until ended, or until the end of the day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from lms.areas.models import Area
from lms.assisted.models import Assist
from lms.attendance.models import AttendanceMark, ClassSession, MarkStatus
from lms.auth.models import User
from lms.core.audit import record_event
from lms.core.database import vietnamese
from lms.core.errors import RuleViolation
from lms.core.models import PROGRAMME_TIMEZONE, today, utcnow
from lms.core.origin import Origin
from lms.core.permissions import can_assist
from lms.core.scope import visible_households, visible_sessions
from lms.courses import services as courses
from lms.courses.models import Lesson, QuizAttempt
from lms.extensions import db
from lms.households.models import Household


def _local_day(moment: datetime):
    return moment.astimezone(PROGRAMME_TIMEZONE).date()


def _day_bounds() -> tuple[datetime, datetime]:
    start = datetime.combine(today(), datetime.min.time(), PROGRAMME_TIMEZONE)
    return start, start.replace(hour=23, minute=59, second=59)


def sessions_today(helper: User) -> list[ClassSession]:
    """The sessions held today that the helper may assist at, earliest first."""
    start, end = _day_bounds()
    statement = (
        select(ClassSession)
        .where(
            visible_sessions(helper),
            ClassSession.cancelled_at.is_(None),
            ClassSession.starts_at >= start,
            ClassSession.starts_at <= end,
        )
        .order_by(ClassSession.starts_at, ClassSession.id)
    )
    return [s for s in db.session.scalars(statement) if can_assist(helper, s)]


def is_today(session: ClassSession) -> bool:
    return _local_day(session.starts_at) == today()


def roster(helper: User, session: ClassSession) -> list[AttendanceMark]:
    """The households of the session's roster the helper sees, in Vietnamese order."""
    statement = (
        select(AttendanceMark)
        .join(Household, Household.id == AttendanceMark.household_id)
        .where(AttendanceMark.session_id == session.id, visible_households(helper))
        .order_by(vietnamese(Household.head_name), Household.id)
        .options(contains_eager(AttendanceMark.household))
    )
    return list(db.session.scalars(statement))


def open_assist(helper: User, session: ClassSession, household: Household) -> Assist:
    """Open assisted mode for a household present at a session.

    Rules: the helper may assist at the session (``can_assist``); the session is held today
    and not cancelled; the household is on its roster and not marked absent or excused. A
    helper assists one household at a time: opening another ends the one before.
    """
    if not can_assist(helper, session):
        raise RuleViolation(_l("You may not assist at this session."))
    if session.is_cancelled or not is_today(session):
        raise RuleViolation(_l("Assisted mode opens only during a session held today."))
    mark = db.session.scalar(
        select(AttendanceMark).where(
            AttendanceMark.session_id == session.id, AttendanceMark.household_id == household.id
        )
    )
    if mark is None:
        raise RuleViolation(_l("This household is not on the roster of this session."))
    if mark.status in (MarkStatus.ABSENT, MarkStatus.EXCUSED):
        raise RuleViolation(_l("This household is marked absent from this session."))
    for earlier in _open_assists(helper):
        _end(helper, earlier)
    assist = Assist(helper_id=helper.id, household_id=household.id, session_id=session.id)
    db.session.add(assist)
    db.session.flush()
    record_event(
        helper,
        "assist.open",
        assist,
        after={"household_id": household.id, "session_id": session.id},
    )
    db.session.commit()
    return assist


def _open_assists(helper: User) -> list[Assist]:
    return list(
        db.session.scalars(
            select(Assist).where(Assist.helper_id == helper.id, Assist.ended_at.is_(None))
        )
    )


def _end(helper: User, assist: Assist) -> None:
    assist.ended_at = utcnow()
    record_event(helper, "assist.end", assist, after={"household_id": assist.household_id})


def end_assist(helper: User, assist: Assist) -> None:
    """End assisted mode (ending it twice changes nothing)."""
    if assist.ended_at is None:
        _end(helper, assist)
        db.session.commit()


def current_assist(helper: User, assist_id: int | None) -> Assist | None:
    """The helper's open assisted mode: its own, not ended, opened today, for a household
    it still sees; anything else is no assisted mode at all."""
    if not assist_id:
        return None
    assist = db.session.get(Assist, assist_id)
    if assist is None or assist.helper_id != helper.id or assist.ended_at is not None:
        return None
    if _local_day(assist.started_at) != today():
        return None
    visible = select(Household.id).where(Household.id == assist.household_id)
    if db.session.scalar(visible.where(visible_households(helper))) is None:
        return None
    return assist


# ---------------------------------------------------------------- learning, assisted


def finish_lesson(assist: Assist, lesson: Lesson) -> None:
    """The household finished a lesson with the helper beside it (the reading clock and
    every rule of ``courses.finish_lesson`` hold)."""
    _check_open(assist)
    courses.finish_lesson(assist.household, lesson, assisted_by=assist.helper)


def submit_quiz(
    assist: Assist,
    offer: courses.Offer,
    answers: Mapping[int, Sequence[int]],
    nonce: str,
    origin: Origin | None = None,
) -> QuizAttempt:
    """The household's quiz attempt, made with the helper beside it: scored and limited as
    any attempt (``courses.submit_quiz``), recorded as assisted by the helper."""
    _check_open(assist)
    return courses.submit_quiz(
        assist.helper,
        assist.household,
        offer,
        answers,
        nonce,
        assisted_by=assist.helper,
        origin=origin,
    )


def _check_open(assist: Assist) -> None:
    if assist.ended_at is not None:
        raise RuleViolation(_l("Assisted mode has ended."))


# ---------------------------------------------------------------- figures


def assisted_shares(user: User, areas: Sequence[Area]) -> dict[int, tuple[int, int]]:
    """For each area: (quiz attempts made in assisted mode, all quiz attempts) of the
    households of its subtree in the user's scope (legacy communes roll up to the commune
    that took them over)."""
    counts: dict[int, tuple[int, int]] = {}
    if not areas:
        return counts
    rows = db.session.execute(
        select(
            Household.area_id,
            func.count(QuizAttempt.assisted_by_id),
            func.count(QuizAttempt.id),
        )
        .join(Household, Household.id == QuizAttempt.household_id)
        .where(visible_households(user))
        .group_by(Household.area_id)
    ).all()
    if not rows:
        return {area.id: (0, 0) for area in areas}
    by_id = {
        a.id: a for a in db.session.scalars(select(Area).where(Area.id.in_([r[0] for r in rows])))
    }
    for area in areas:
        assisted = total = 0
        for area_id, n_assisted, n_total in rows:
            counted = by_id[area_id]
            taken_by = counted.merged_into if counted.merged_into_id else None
            if counted.path.startswith(area.path) or (
                taken_by is not None and taken_by.path.startswith(area.path)
            ):
                assisted += n_assisted
                total += n_total
        counts[area.id] = (assisted, total)
    return counts
