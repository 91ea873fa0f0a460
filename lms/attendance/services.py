"""Class sessions: planning, rosters, attendance marks, self check-in, and what attending counts.

Marks are stored one row per household per session. Only the marks a trainer changed are
written, each only while it still holds what the trainer's form showed: two trainers saving
the same roster at once lose nothing, and a mark changed under a trainer's feet is reported
to them, never overwritten. Every change is an audit event. Marks lock some days after the
session; then only an admin may change them, giving a reason.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import case, exists, not_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from lms.areas.models import Area, AreaLevel
from lms.attendance.models import AttendanceMark, ClassSession, EnrolmentSource, MarkStatus
from lms.auth.models import Role, User
from lms.core import throttle
from lms.core.audit import record_event, snapshot
from lms.core.database import paginate, vietnamese
from lms.core.errors import RuleViolation, rollback_on_violation
from lms.core.events import progress_changed
from lms.core.models import utcnow
from lms.core.origin import Origin
from lms.core.permissions import can_plan_session, can_unlock_marks
from lms.core.scope import visible_areas, visible_households, visible_sessions
from lms.core.text import clean, fold, normalize_phone
from lms.courses.models import Course
from lms.extensions import db
from lms.households.models import Household
from lms.households.services import create_household, refresh_informed, search_clause

SESSION_FIELDS = (
    "title",
    "description",
    "area_id",
    "place",
    "starts_at",
    "ends_at",
    "capacity",
    "co_trainer_id",
)
#: a household may check itself in from this long before the start until the end
CHECKIN_EARLY = timedelta(minutes=30)


# ---------------------------------------------------------------- sessions


def list_sessions(user: User, page: int) -> Pagination:
    """Sessions in scope: the coming ones first (soonest first), then the past ones."""
    now = utcnow()
    upcoming = ClassSession.ends_at >= now
    statement = (
        select(ClassSession)
        .where(visible_sessions(user))
        .order_by(
            case((upcoming, 0), else_=1),
            case((upcoming, ClassSession.starts_at)),
            ClassSession.starts_at.desc(),
        )
    )
    return paginate(statement, page)


def co_trainers_for(user: User) -> list[User]:
    """Trainers of the user's organisation who may run a session with it."""
    statement = (
        select(User)
        .where(
            User.role == Role.TRAINER,
            User.is_active,
            User.organisation_id == user.organisation_id,
            User.id != user.id,
        )
        .order_by(vietnamese(User.full_name), User.id)
    )
    return list(db.session.scalars(statement))


@rollback_on_violation
def save_session(
    actor: User, session: ClassSession | None, courses: Sequence[Course], **fields: Any
) -> ClassSession:
    """Plan (``session`` is None) or edit a class session of the actor's organisation.

    Rules: a title and a place; it ends after it starts and within the same day or the next;
    a commune in the actor's area; at least one course; the capacity, if any, is at least the
    roster already enrolled; a co-trainer belongs to the same organisation.
    """
    before = snapshot(session, SESSION_FIELDS) if session else None
    if session is None:
        if not can_plan_session(actor):
            raise RuleViolation(_l("Only a trainer of an organisation can plan a class session."))
        session = ClassSession(
            organisation_id=actor.organisation_id, trainer_id=actor.id, checkin_code=""
        )
        db.session.add(session)
    for name in SESSION_FIELDS:
        if name in fields:
            setattr(session, name, fields[name])
    session.title, session.place = clean(session.title), clean(session.place)
    session.description = (session.description or "").strip()
    if not session.title:
        raise RuleViolation(_l("Please enter the session's title."), field="title")
    if not session.place:
        raise RuleViolation(_l("Please enter where the class is held."), field="place")
    if session.ends_at <= session.starts_at or session.ends_at - session.starts_at > timedelta(
        hours=24
    ):
        raise RuleViolation(
            _l("The session must end after it starts, within a day."), field="ends_at"
        )
    with db.session.no_autoflush:  # not the half-made session, with no commune yet
        area = db.session.scalar(
            select(Area).where(Area.id == session.area_id, visible_areas(actor))
        )
    if area is None or area.level is not AreaLevel.COMMUNE or area.merged_into_id:
        raise RuleViolation(_l("Please choose a commune in your area."), field="area_id")
    if not courses:
        raise RuleViolation(_l("Please choose the courses the session covers."), field="course_ids")
    session.courses = list(courses)
    if session.capacity is not None and session.capacity < max(1, len(session.marks)):
        raise RuleViolation(
            _l("The capacity cannot be below the households already enrolled."), field="capacity"
        )
    if session.co_trainer_id is not None and session.co_trainer_id not in {
        u.id for u in co_trainers_for(actor)
    } | {session.trainer_id}:
        raise RuleViolation(
            _l("The co-trainer must be a trainer of your organisation."), field="co_trainer_id"
        )
    db.session.flush()
    if not session.checkin_code:
        session.checkin_code = _new_checkin_code(session)
    action = "session.update" if before else "session.create"
    record_event(actor, action, session, before=before, after=snapshot(session, SESSION_FIELDS))
    db.session.commit()
    return session


def _new_checkin_code(session: ClassSession) -> str:
    """Six digits no other session open at the same time uses."""
    while True:
        code = f"{secrets.randbelow(10**6):06d}"
        clash = db.session.scalar(
            select(ClassSession.id).where(
                ClassSession.checkin_code == code,
                ClassSession.id != session.id,
                ClassSession.starts_at < session.ends_at + CHECKIN_EARLY,
                ClassSession.ends_at > session.starts_at - CHECKIN_EARLY,  # Python values, not SQL
            )
        )
        if clash is None:
            return code


def cancel_session(actor: User, session: ClassSession) -> None:
    """A cancelled session keeps its record and roster; it can no longer be marked, and
    households can no longer check in. Until it would have started, it can be restored."""
    if session.is_cancelled:
        return
    session.cancelled_at = utcnow()
    record_event(
        actor, "session.cancel", session, after={"cancelled_at": session.cancelled_at.isoformat()}
    )
    db.session.commit()


def can_restore(session: ClassSession) -> bool:
    """A cancellation can be undone until the session would have started."""
    return session.is_cancelled and utcnow() < session.starts_at


@rollback_on_violation
def restore_session(actor: User, session: ClassSession) -> None:
    """Undo a cancellation: the session is on again, with its roster as it was.

    Rule: only before the session's start (afterwards its hour has passed: plan a new one).
    """
    if not session.is_cancelled:
        return
    if not can_restore(session):
        raise RuleViolation(
            _l("A cancelled session can be restored only before its start. Plan a new one.")
        )
    before = {"cancelled_at": session.cancelled_at.isoformat()}
    session.cancelled_at = None
    record_event(actor, "session.restore", session, before=before, after={"cancelled_at": None})
    db.session.commit()


def default_commune_id(actor: User) -> int | None:
    """The commune a new session of ``actor`` is most likely in: the one of its last planned
    session, else its own area when that is a commune."""
    last = db.session.scalar(
        select(ClassSession.area_id)
        .where(ClassSession.trainer_id == actor.id)
        .order_by(ClassSession.created_at.desc(), ClassSession.id.desc())
        .limit(1)
    )
    if last is not None:
        return last
    area = actor.area
    if area is not None and area.level is AreaLevel.COMMUNE and not area.merged_into_id:
        return area.id
    return None


def commune_named(actor: User, typed: str) -> Area | None:
    """The commune of the actor's scope a trainer typed: its name with or without "Xã" /
    "Phường", with or without diacritics. None when no commune, or several, match."""
    wanted = _bare_commune(typed)
    if not wanted:
        return None
    from lms.core.scope import communes_in_scope

    communes = communes_in_scope(actor)
    exact = [a for a in communes if fold(a.name) == fold(typed)]
    if len(exact) == 1:
        return exact[0]
    bare = [a for a in communes if _bare_commune(a.name) == wanted]
    return bare[0] if len(bare) == 1 else None


def _bare_commune(name: str) -> str:
    return re.sub(r"^(xa|phuong|thi tran|tt|x|p)[.\s]+", "", fold(name))


# ---------------------------------------------------------------- roster


@dataclass
class EnrolReport:
    added: list[Household] = field(default_factory=list)
    already: list[Household] = field(default_factory=list)
    #: lines of pasted text that matched no household, with the reason
    unmatched: list[tuple[str, str]] = field(default_factory=list)


def roster(session: ClassSession) -> list[AttendanceMark]:
    """The roster in Vietnamese order of the head of household's name."""
    from lms.core.database import vietnamese

    statement = (
        select(AttendanceMark)
        .join(Household, Household.id == AttendanceMark.household_id)
        .where(AttendanceMark.session_id == session.id)
        .order_by(vietnamese(Household.head_name), Household.id)
    )
    return list(db.session.scalars(statement))


def find_households(actor: User, query: str, limit: int = 20) -> list[Household]:
    """Households in the actor's scope matching a name or phone typed without diacritics."""
    if not clean(query):
        return []
    statement = (
        select(Household).where(visible_households(actor), search_clause(query)).limit(limit)
    )
    return list(
        db.session.scalars(statement.order_by(vietnamese(Household.head_name), Household.id))
    )


def untrained_in_commune(actor: User, session: ClassSession, limit: int = 200) -> list[Household]:
    """The session commune's households that attended no session yet and are not on this roster."""
    attended = exists().where(
        AttendanceMark.household_id == Household.id,
        AttendanceMark.status.in_([MarkStatus.PRESENT, MarkStatus.LATE]),
    )
    on_roster = exists().where(
        AttendanceMark.household_id == Household.id, AttendanceMark.session_id == session.id
    )
    statement = (
        select(Household)
        .where(
            visible_households(actor),
            Household.area_id == session.area_id,
            not_(attended),
            not_(on_roster),
        )
        .order_by(vietnamese(Household.head_name), Household.id)
        .limit(limit)
    )
    return list(db.session.scalars(statement))


@rollback_on_violation
def enrol(
    actor: User, session: ClassSession, households: Iterable[Household], source: EnrolmentSource
) -> EnrolReport:
    """Put households on the roster; one already there is left as it is.

    Rules: the session is not cancelled; the capacity, if any, is not exceeded.
    """
    _check_open(session)
    report = EnrolReport()
    existing = {m.household_id for m in session.marks}
    new = [h for h in dict.fromkeys(households) if h.id not in existing]
    free = places_left(session)
    if free is not None and len(new) > free:
        if free == 0:
            raise RuleViolation(_l("The session is full: %(n)d places.", n=session.capacity))
        raise RuleViolation(
            _l(
                "Only %(free)d places left (%(taken)d of %(n)d taken) and %(asked)d households "
                "chosen: untick some, or raise the places in the session's details.",
                free=free,
                taken=len(existing),
                n=session.capacity,
                asked=len(new),
            ),
            field="capacity",
        )
    for household in dict.fromkeys(households):
        if household.id in existing:
            report.already.append(household)
            continue
        _upsert_mark(session, household, source=source)
        existing.add(household.id)
        report.added.append(household)
    if session.capacity is not None and len(existing) > session.capacity:
        raise RuleViolation(_l("The session is full: %(n)d places.", n=session.capacity))
    for household in report.added:
        record_event(
            actor,
            "roster.enrol",
            session,
            after={"household_id": household.id, "source": source.value},
        )
    db.session.commit()
    return report


def places_left(session: ClassSession) -> int | None:
    """How many more households the roster takes (None: no limit)."""
    if session.capacity is None:
        return None
    return max(0, session.capacity - len(session.marks))


def filter_roster(rows: Sequence[AttendanceMark], query: str) -> list[AttendanceMark]:
    """The roster rows whose name, village or phone holds what was typed, diacritics and
    case ignored ("le thi lan", "xom 5", "567")."""
    wanted = fold(query)
    if not wanted:
        return list(rows)
    return [
        mark
        for mark in rows
        if wanted in search_text(mark.household) or wanted in (mark.household.phone or "")
    ]


def search_text(household: Household) -> str:
    """What a roster filter matches, folded: the name, the village and the phone's last
    digits (the page's script filters on the same, so the page carries no whole phone)."""
    tail = (household.phone or "")[-3:]
    return fold(f"{household.head_name} {household.village or ''} {tail}")


def enrol_phones(actor: User, session: ClassSession, text: str) -> EnrolReport:
    """Enrol the households whose phones are pasted, one per line (any phone form)."""
    found, unmatched = [], []
    for line in (clean(line) for line in text.splitlines()):
        if not line:
            continue
        phone = normalize_phone(line)
        if phone is None:
            unmatched.append((line, str(_l("not a phone number"))))
            continue
        household = db.session.scalar(
            select(Household).where(Household.phone == phone, visible_households(actor))
        )
        if household is None:
            unmatched.append((line, str(_l("no household in your area has this phone"))))
        else:
            found.append(household)
    report = enrol(actor, session, found, EnrolmentSource.PHONES) if found else EnrolReport()
    report.unmatched = unmatched
    return report


def register_walk_in(
    actor: User, session: ClassSession, head_name: str, phone: str, village: str = ""
) -> Household:
    """A household that came to class without being on the list: matched by phone in the
    actor's area, or registered in the session's commune, then enrolled.

    Rule (DESIGN §4 rule 7): a phone that belongs to a household of another name is a
    conflict for the trainer to look at, never a silent match: its attendance would count for
    another family's certificate.
    """
    normalised = normalize_phone(phone)
    if normalised is None:
        raise RuleViolation(
            _l("The phone number is not valid: enter 10 digits, e.g. 0912 345 678."), field="phone"
        )
    household = db.session.scalar(select(Household).where(Household.phone == normalised))
    if (
        household is not None
        and db.session.scalar(
            select(Household.id).where(Household.id == household.id, visible_households(actor))
        )
        is None
    ):
        raise RuleViolation(
            _l("This phone number or CCCD is registered to a household outside your area."),
            field="phone",
        )
    if household is not None and fold(household.head_name) != fold(head_name):
        raise RuleViolation(
            _l(
                "This phone number belongs to the household of %(name)s (%(commune)s). If this "
                "is that household, add it from the search; otherwise check the phone number.",
                name=household.head_name,
                commune=household.area.name,
            ),
            field="phone",
        )
    if household is None:
        household = create_household(
            actor, head_name=head_name, phone=normalised, village=village, area_id=session.area_id
        )
    enrol(actor, session, [household], EnrolmentSource.WALK_IN)
    return household


def check_removable(session: ClassSession, mark: AttendanceMark) -> None:
    """Only an unmarked household of an open session leaves the roster (a marked one keeps
    its record); checked before the confirmation step is shown, and again on removing."""
    _check_open(session)
    if mark.status is not None:
        raise RuleViolation(_l("A household whose attendance is marked stays on the roster."))


def remove_from_roster(actor: User, session: ClassSession, mark: AttendanceMark) -> None:
    """Take an unmarked household off the roster (a marked one keeps its record)."""
    check_removable(session, mark)
    record_event(actor, "roster.remove", session, before={"household_id": mark.household_id})
    db.session.delete(mark)
    db.session.commit()


def _upsert_mark(session: ClassSession, household: Household, **values: Any) -> None:
    """One row per household and session, whoever writes it first (flushes only)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    row = {
        "session_id": session.id,
        "household_id": household.id,
        "source": EnrolmentSource.SEARCH,
        "enrolled_at": utcnow(),
        **values,
    }
    statement = dialect.insert(AttendanceMark).values(row)
    updates = {k: statement.excluded[k] for k in values if k != "source"}
    statement = (
        statement.on_conflict_do_update(index_elements=["session_id", "household_id"], set_=updates)
        if updates
        else statement.on_conflict_do_nothing(index_elements=["session_id", "household_id"])
    )
    db.session.execute(statement)
    db.session.expire(session, ["marks"])


def _check_open(session: ClassSession) -> None:
    if session.is_cancelled:
        raise RuleViolation(_l("This session was cancelled."))


# ---------------------------------------------------------------- marking


def lock_date(session: ClassSession) -> datetime:
    """After this moment only an admin may change the session's marks."""
    return session.ends_at + timedelta(days=current_app.config["ATTENDANCE_LOCK_DAYS"])


def is_locked(session: ClassSession) -> bool:
    return utcnow() > lock_date(session)


@dataclass(frozen=True)
class MarkConflict:
    """A mark someone else changed after the trainer's form was shown: the trainer's choice
    was not saved, and the trainer is told what the mark is now."""

    household_id: int
    head_name: str
    #: the mark as it now stands (None: unmarked, or no longer on the roster)
    current: MarkStatus | None
    #: what the trainer chose, not saved
    wanted: MarkStatus


@dataclass
class MarksReport:
    changed: int = 0
    conflicts: list[MarkConflict] = field(default_factory=list)


@rollback_on_violation
def record_marks(
    actor: User,
    session: ClassSession,
    changes: Mapping[int, tuple[MarkStatus | None, MarkStatus | None]],
    reason: str = "",
    everyone_present: bool = False,
    times: Mapping[int, tuple[datetime, datetime | None]] | None = None,
) -> MarksReport:
    """Save the marks a trainer changed: household id → (status when the form was shown, new).

    "Everyone present" marks present every household the form showed unmarked and the
    trainer gave no status. A mark is written only if it still holds the status the trainer
    saw (one conditional UPDATE each): a mark another trainer, or the household's own
    check-in, changed meanwhile is never overwritten, but comes back as a conflict to show
    the trainer. Rules: the session is not cancelled and has started; after the lock date
    only an admin may change marks, giving a reason; every household is on the roster.
    Marks made on a phone offline and sent later carry ``times``: household id → (when
    it was tapped, on the server's clock; the phone's own reading), written as the mark's
    time and in the audit trail (lms.offline).
    """
    _check_open(session)
    if session.starts_at - CHECKIN_EARLY > utcnow():
        raise RuleViolation(_l("Attendance can be marked once the session has started."))
    reason = clean(reason)
    if is_locked(session):
        if not can_unlock_marks(actor):
            raise RuleViolation(
                _l(
                    "Marks are locked %(days)d days after the session; ask an administrator.",
                    days=current_app.config["ATTENDANCE_LOCK_DAYS"],
                )
            )
        if not reason:
            raise RuleViolation(_l("Changing locked marks needs a reason."), field="reason")
    marks = {m.household_id: m for m in session.marks}
    unknown = set(changes) - set(marks)
    if unknown:
        raise RuleViolation(_l("A household is not on this session's roster."))
    report, touched, now = MarksReport(), [], utcnow()
    for household_id, (seen, new) in changes.items():
        if new is None and seen is None and everyone_present:
            new = MarkStatus.PRESENT
        if new is None or new == seen:
            continue
        mark = marks[household_id]
        marked_at, device_time = (times or {}).get(household_id, (now, None))
        if not _mark_if_unchanged(mark, seen, new, actor, marked_at):
            current = db.session.scalar(
                select(AttendanceMark.status).where(AttendanceMark.id == mark.id)
            )
            if current != new:  # two trainers agreeing is no conflict
                report.conflicts.append(
                    MarkConflict(household_id, mark.household.head_name, current, new)
                )
            continue
        after = {"household_id": household_id, "status": new.value}
        if reason:
            after["reason"] = reason
        if device_time is not None:  # made offline: when, by the phone's clock
            after.update(offline=True, device_time=device_time.isoformat())
        record_event(
            actor,
            "attendance.mark",
            mark,
            before={"household_id": household_id, "status": seen.value if seen else None},
            after=after,
        )
        report.changed += 1
        touched.append(household_id)
    refresh_informed(touched)  # a mark present or late informs; a corrected one may not
    db.session.commit()
    for household_id in touched:
        progress_changed.send(household_id=household_id)
    return report


def _mark_if_unchanged(
    mark: AttendanceMark, seen: MarkStatus | None, new: MarkStatus, actor: User, now: datetime
) -> bool:
    """UPDATE … WHERE the mark is still ``seen``; False if someone changed it
    (in the caller's transaction).

    The database decides, not a value read earlier: of two trainers writing one mark at
    once, the second waits for the first to commit, then finds the mark changed."""
    still_seen = AttendanceMark.status.is_(None) if seen is None else AttendanceMark.status == seen
    values = {"status": new, "marked_by_id": actor.id, "marked_at": now, "is_self_checkin": False}
    written = db.session.execute(
        update(AttendanceMark)
        .where(AttendanceMark.id == mark.id, still_seen)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if written:  # the loaded row as it now is, without reading it again
        for name, value in values.items():
            set_committed_value(mark, name, value)
    return bool(written)


# ---------------------------------------------------------------- self check-in


def checkin_window(session: ClassSession) -> tuple[datetime, datetime]:
    return session.starts_at - CHECKIN_EARLY, session.ends_at


def _too_many_codes(minutes: int):
    return _l("Too many wrong codes. Please try again in %(minutes)d minutes.", minutes=minutes)


@rollback_on_violation
def self_check_in(
    user: User, code: str, session: ClassSession | None = None, origin: Origin | None = None
) -> ClassSession:
    """A household member checks the household in with the session's 6-digit code.

    Rules: only during the session's window (no marking of future sessions); every code tried
    counts towards a short lock until one checks in, counted and committed before the code is
    looked up, so codes sent at once never try more than CHECKIN_MAX_FAILURES; only a
    household on the session's roster, or of the session's commune (it then joins the roster
    as a walk-in, within the capacity); a trainer's mark is never overwritten. ``origin``
    (hashed device and address, lms.core.origin) is kept on the mark for the proxy flags.
    """
    key = f"checkin:{user.id}"
    config = current_app.config
    attempt = throttle.count_attempt(
        key, config["CHECKIN_MAX_FAILURES"], config["CHECKIN_LOCK_MINUTES"]
    )
    db.session.commit()
    if attempt.is_refused:
        raise RuleViolation(_too_many_codes(attempt.lock_minutes))
    code = re.sub(r"\D", "", code or "")
    now = utcnow()
    statement = select(ClassSession).where(
        ClassSession.checkin_code == code,
        ClassSession.cancelled_at.is_(None),
        ClassSession.starts_at <= now + CHECKIN_EARLY,
        ClassSession.ends_at >= now,
    )
    if session is not None:
        statement = statement.where(ClassSession.id == session.id)
    found = db.session.scalars(statement).first() if len(code) == 6 else None
    if found is None:
        if session is not None and session.checkin_code == code:
            raise RuleViolation(
                _l(
                    "Check-in for this session is closed: it is open from 30 minutes "
                    "before the start until the end."
                )
            )
        if attempt.lock_minutes:
            raise RuleViolation(_too_many_codes(attempt.lock_minutes))
        raise RuleViolation(
            _l(
                "This code does not match a session happening now. "
                "Check the code on the trainer's screen."
            )
        )
    household = user.household
    mark = db.session.scalar(
        select(AttendanceMark).where(
            AttendanceMark.session_id == found.id, AttendanceMark.household_id == household.id
        )
    )
    if mark is None:
        _check_walk_in(found, household)
    throttle.clear(key)
    if mark is not None and mark.status is not None:
        db.session.commit()
        return found  # already marked, by the trainer or earlier: nothing to change
    _upsert_mark(
        found,
        household,
        source=EnrolmentSource.SELF_CHECKIN,
        status=MarkStatus.PRESENT,
        is_self_checkin=True,
        marked_by_id=user.id,
        marked_at=now,
        device_hash=origin.device_hash if origin else None,
        address_hash=origin.address_hash if origin else None,
    )
    if mark is None:
        record_event(
            user,
            "roster.enrol",
            found,
            after={"household_id": household.id, "source": EnrolmentSource.SELF_CHECKIN.value},
        )
    record_event(user, "attendance.self_checkin", found, after={"household_id": household.id})
    refresh_informed([household.id])
    db.session.commit()
    progress_changed.send(household_id=household.id)
    return found


def _check_walk_in(session: ClassSession, household: Household) -> None:
    """A household not on the roster checks in as a walk-in only in the session's commune,
    and only while the session has a place left."""
    if household.area_id != session.area_id:
        raise RuleViolation(
            _l(
                "Your household is not on the list of “%(title)s”, a class for the households "
                "of %(commune)s. Ask the trainer to add your household to the list.",
                title=session.title,
                commune=session.area.name,
            )
        )
    if session.capacity is not None and len(session.marks) >= session.capacity:
        raise RuleViolation(_l("The session is full: %(n)d places.", n=session.capacity))


def status_totals(session: ClassSession) -> dict[str, int]:
    totals = {status.value: 0 for status in MarkStatus} | {"unmarked": 0}
    for mark in session.marks:
        totals[mark.status.value if mark.status else "unmarked"] += 1
    return totals


def sessions_between(user: User, first: date, last: date) -> list[ClassSession]:
    """Sessions in scope that start on these days (Vietnam time), for exports."""
    from lms.core.models import PROGRAMME_TIMEZONE

    start = datetime.combine(first, datetime.min.time(), PROGRAMME_TIMEZONE)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), PROGRAMME_TIMEZONE)
    statement = (
        select(ClassSession)
        .where(
            visible_sessions(user), ClassSession.starts_at >= start, ClassSession.starts_at < end
        )
        .order_by(ClassSession.starts_at)
    )
    return list(db.session.scalars(statement))
