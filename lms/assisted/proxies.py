"""Proxy flags: one login, device or address answering for many households in a short time.

A household learns for itself; someone completing quizzes, or checking households in, for
many of them from one login, one device or one address may be a helper who forgot assisted
mode, a shared phone, or someone doing the programme in others' names. Officials review the
list; nothing is blocked. Attempts made in assisted mode are help recorded as such, expected
to be many per helper, and never flagged.

A flag is raised when, within ``PROXY_WINDOW``, one key served at least the number of
distinct households ``PROXY_HOUSEHOLDS`` sets for its signal. An address is shared by every
phone behind one Wi-Fi or one carrier's gateway, so it needs more households than a device.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.attendance.models import AttendanceMark, ClassSession
from lms.auth.models import User
from lms.core.scope import visible_households
from lms.courses.models import CourseVersion, QuizAttempt
from lms.extensions import db
from lms.households.models import Household

PROXY_WINDOW = timedelta(hours=1)
#: distinct households within the window that raise a flag, per signal
PROXY_HOUSEHOLDS = {"login": 2, "device": 3, "address": 8}

ACTIVITY_LABELS = {"quiz": _l("Quizzes"), "checkin": _l("Self check-ins")}
SIGNAL_LABELS = {"login": _l("One login"), "device": _l("One device"), "address": _l("One address")}


@dataclass(frozen=True)
class Evidence:
    household: Household
    at: datetime
    #: the course of the quiz, or the session checked in to
    what: str
    #: the quiz attempt's id (None for a check-in)
    attempt_id: int | None = None


@dataclass
class ProxyFlag:
    activity: str
    signal: str
    #: the login's name, or a short form of the device's or address's hash
    key: str
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def households(self) -> int:
        return len({e.household.id for e in self.evidence})

    @property
    def first_at(self) -> datetime:
        return self.evidence[0].at

    @property
    def last_at(self) -> datetime:
        return self.evidence[-1].at


def _settings() -> tuple[timedelta, dict[str, int]]:
    window = current_app.config.get("PROXY_WINDOW", PROXY_WINDOW)
    return window, {**PROXY_HOUSEHOLDS, **current_app.config.get("PROXY_HOUSEHOLDS", {})}


def proxy_flags(user: User, since: datetime) -> list[ProxyFlag]:
    """The flags raised since ``since`` among the households in ``user``'s scope, the most
    recent first."""
    window, thresholds = _settings()
    in_scope = select(Household.id).where(visible_households(user))
    flags: list[ProxyFlag] = []
    quiz_keys = {
        "login": QuizAttempt.user_id,
        "device": QuizAttempt.device_hash,
        "address": QuizAttempt.address_hash,
    }
    for signal, column in quiz_keys.items():
        conditions = (
            column.is_not(None),
            QuizAttempt.assisted_by_id.is_(None),
            QuizAttempt.submitted_at >= since,
            QuizAttempt.household_id.in_(in_scope),
        )
        keys = _candidate_keys(column, QuizAttempt.household_id, conditions, thresholds[signal])
        if not keys:
            continue
        rows = db.session.execute(
            select(column, QuizAttempt, Household, CourseVersion.title)
            .join(Household, Household.id == QuizAttempt.household_id)
            .join(CourseVersion, CourseVersion.id == QuizAttempt.course_version_id)
            .where(*conditions, column.in_(keys))
            .order_by(column, QuizAttempt.submitted_at, QuizAttempt.id)
        ).all()
        evidence = [
            (key, Evidence(household, attempt.submitted_at, title, attempt.id))
            for key, attempt, household, title in rows
        ]
        flags += _clusters("quiz", signal, evidence, window, thresholds[signal])
    conditions = (
        AttendanceMark.device_hash.is_not(None),
        AttendanceMark.is_self_checkin,
        AttendanceMark.marked_at >= since,
        AttendanceMark.household_id.in_(in_scope),
    )
    keys = _candidate_keys(
        AttendanceMark.device_hash, AttendanceMark.household_id, conditions, thresholds["device"]
    )
    if keys:
        rows = db.session.execute(
            select(AttendanceMark, Household, ClassSession.title)
            .join(Household, Household.id == AttendanceMark.household_id)
            .join(ClassSession, ClassSession.id == AttendanceMark.session_id)
            .where(*conditions, AttendanceMark.device_hash.in_(keys))
            .order_by(AttendanceMark.device_hash, AttendanceMark.marked_at, AttendanceMark.id)
        ).all()
        evidence = [
            (mark.device_hash, Evidence(household, mark.marked_at, title))
            for mark, household, title in rows
        ]
        flags += _clusters("checkin", "device", evidence, window, thresholds["device"])
    _name_logins(flags)
    return sorted(flags, key=lambda f: f.last_at, reverse=True)


def _candidate_keys(column, household_column, conditions, threshold: int) -> list:
    """Keys that served at least ``threshold`` households in the whole period: only these
    can have served as many within a window (one grouped query)."""
    statement = (
        select(column)
        .where(*conditions)
        .group_by(column)
        .having(func.count(func.distinct(household_column)) >= threshold)
    )
    return list(db.session.scalars(statement))


def _clusters(
    activity: str, signal: str, rows: list[tuple], window: timedelta, threshold: int
) -> list[ProxyFlag]:
    """Per key (rows sorted by key, then time): the runs of records where some window held
    ``threshold`` distinct households; overlapping windows make one flag."""
    flags: list[ProxyFlag] = []
    by_key: dict = {}
    for key, evidence in rows:
        by_key.setdefault(key, []).append(evidence)
    for key, items in by_key.items():
        flagged = [False] * len(items)
        end = 0
        for start, first in enumerate(items):
            end = max(end, start)
            while end + 1 < len(items) and items[end + 1].at - first.at <= window:
                end += 1
            if len({e.household.id for e in items[start : end + 1]}) >= threshold:
                for i in range(start, end + 1):
                    flagged[i] = True
        current: ProxyFlag | None = None
        for evidence, is_flagged in zip(items, flagged, strict=True):
            if not is_flagged:
                current = None
                continue
            if current is None or evidence.at - current.last_at > window:
                current = ProxyFlag(activity, signal, str(key))
                flags.append(current)
            current.evidence.append(evidence)
    return flags


def _name_logins(flags: list[ProxyFlag]) -> None:
    """A login flag names the account; a device or address shows 8 characters of its hash
    (enough to tell two apart on the page, nothing to trace)."""
    ids = [int(f.key) for f in flags if f.signal == "login"]
    names = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())
    for flag in flags:
        if flag.signal == "login":
            flag.key = names.get(int(flag.key), flag.key)
        else:
            flag.key = flag.key[:8]
