"""The commune radio: the announcement written for a commune and a period, and the
broadcasts that inform the commune's households (target 1 of the plan: who was reached,
when, through which channel)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, insert, literal, not_, select, update
from sqlalchemy.orm import selectinload

from lms.areas.models import Area, AreaLevel
from lms.attendance.models import ClassSession
from lms.auth.models import User
from lms.core.audit import record_event
from lms.core.errors import RuleViolation, rollback_on_violation
from lms.core.models import PROGRAMME_TIMEZONE, today, utcnow
from lms.core.scope import subtree_ids, visible_broadcasts
from lms.core.text import clean
from lms.courses.models import Course
from lms.extensions import db
from lms.households.models import Household, OutreachChannel, OutreachEvent
from lms.outreach import spoken
from lms.outreach.models import Broadcast

#: an announcement covers at most this many days of classes
LONGEST_PERIOD = 92
#: what a household brings to a class, unless the official writes otherwise
DEFAULT_BRING = (
    "điện thoại thông minh đã sạc đầy pin, căn cước công dân, sổ tay và bút; "
    "hộ nào có sản phẩm thì mang theo ảnh chụp hoặc một ít sản phẩm mẫu"
)
#: the longest text recorded as read
LONGEST_TEXT = 20_000


@dataclass
class PlannedClass:
    """One class session as the radio reads it."""

    number: str
    when: str
    place: str
    topics: str
    organisation: str


@dataclass
class Announcement:
    commune: Area
    date_from: date
    date_to: date
    bring: str
    contact: str
    classes: list[PlannedClass] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    marketplaces: list[str] = field(default_factory=list)
    #: the words to read, from templates/outreach/announcement.txt
    text: str = ""


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), PROGRAMME_TIMEZONE)


def planned_sessions(commune: Area, date_from: date, date_to: date) -> list[ClassSession]:
    """The class sessions held in the commune (and the legacy communes merged into it) in
    the period, not cancelled, in the order they are held."""
    statement = (
        select(ClassSession)
        .where(
            ClassSession.area_id.in_(subtree_ids(commune)),
            ClassSession.cancelled_at.is_(None),
            ClassSession.starts_at >= _start_of(date_from),
            ClassSession.starts_at < _start_of(date_to + timedelta(days=1)),
        )
        .options(
            selectinload(ClassSession.organisation),
            selectinload(ClassSession.courses).selectinload(Course.versions),
        )
        .order_by(ClassSession.starts_at, ClassSession.id)
    )
    return list(db.session.scalars(statement))


def _check_commune(commune: Area) -> None:
    if commune.level is not AreaLevel.COMMUNE or commune.merged_into_id is not None:
        raise RuleViolation(_l("Please choose a current commune."), field="area_id")


def _check_period(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise RuleViolation(_l("The end of the period is before its start."), field="date_to")
    if (date_to - date_from).days >= LONGEST_PERIOD:
        raise RuleViolation(
            _l("A period of at most %(days)d days, please.", days=LONGEST_PERIOD),
            field="date_to",
        )


def write_announcement(
    commune: Area, date_from: date, date_to: date, bring: str = "", contact: str = ""
) -> Announcement:
    """The announcement the commune radio reads for the classes of a period: the
    programme, why it matters, each class (when, where, what), what to bring, whom to call.

    Rules: a current commune (fetched in the caller's scope), a period of at most
    ``LONGEST_PERIOD`` days. Dates and times are spelled as they are read aloud."""
    from lms.products.services import marketplaces  # products build on households, as we do

    _check_commune(commune)
    _check_period(date_from, date_to)
    sessions = planned_sessions(commune, date_from, date_to)
    announcement = Announcement(
        commune=commune,
        date_from=date_from,
        date_to=date_to,
        bring=clean(bring) or DEFAULT_BRING,
        contact=spoken.with_spoken_phones(clean(contact)),
        classes=[
            PlannedClass(
                number=spoken.ordinal(number),
                when=spoken.spoken_when(session.starts_at, session.ends_at),
                place=session.place,
                topics=", ".join(course.current.title for course in session.courses)
                or session.title,
                organisation=session.organisation.name,
            )
            for number, session in enumerate(sessions, start=1)
        ],
        organisations=list(dict.fromkeys(session.organisation.name for session in sessions)),
        marketplaces=[marketplace.name for marketplace in marketplaces()],
    )
    announcement.text = render_template(
        "outreach/announcement.txt",
        a=announcement,
        commune=spoken.in_sentence(commune.name),
        period_from=spoken.spoken_date(date_from),
        period_to=spoken.spoken_date(date_to),
    ).strip()
    return announcement


@rollback_on_violation
def record_broadcast(
    actor: User | None,
    commune: Area,
    broadcast_on: date,
    text: str,
    period_from: date | None = None,
    period_to: date | None = None,
) -> Broadcast:
    """Record that the commune's radio read ``text`` on ``broadcast_on``: every household of
    the commune (and of the legacy communes merged into it) is informed through the
    loudspeaker that day, an outreach event each naming the broadcast, so the "informed"
    target and each household's trail show it.

    Rules: a current commune (fetched in the caller's scope); the day is not in the
    future; the text read is given. A household already recorded as informed through the
    loudspeaker that day is not recorded twice. One audit event, on the broadcast."""
    _check_commune(commune)
    text = (text or "").replace("\r\n", "\n").strip()
    if broadcast_on > today():
        raise RuleViolation(_l("The date cannot be in the future."), field="broadcast_on")
    if not text:
        raise RuleViolation(_l("Please enter what was read."), field="text")
    if len(text) > LONGEST_TEXT:
        raise RuleViolation(_l("At most %(n)d characters, please.", n=LONGEST_TEXT), field="text")
    if period_from and period_to:
        _check_period(period_from, period_to)
    broadcast = Broadcast(
        area_id=commune.id,
        broadcast_on=broadcast_on,
        text=text,
        period_from=period_from,
        period_to=period_to,
        recorded_by_id=actor.id if actor else None,
    )
    db.session.add(broadcast)
    db.session.flush()
    in_commune = Household.area_id.in_(subtree_ids(commune))
    already = exists().where(
        OutreachEvent.household_id == Household.id,
        OutreachEvent.informed_on == broadcast_on,
        OutreachEvent.channel == OutreachChannel.LOUDSPEAKER,
    )
    columns = OutreachEvent.__table__.c
    reached = select(
        Household.id,
        literal(broadcast_on, columns.informed_on.type),
        literal(OutreachChannel.LOUDSPEAKER, columns.channel.type),
        literal(broadcast.recorded_by_id, columns.recorded_by_id.type),
        literal(utcnow(), columns.created_at.type),
        literal(broadcast.id, columns.broadcast_id.type),
    ).where(in_commune, not_(already))
    names = ["household_id", "informed_on", "channel", "recorded_by_id", "created_at",
             "broadcast_id"]  # fmt: skip
    db.session.execute(insert(OutreachEvent).from_select(names, reached))
    broadcast.households = db.session.scalar(
        select(func.count()).where(OutreachEvent.broadcast_id == broadcast.id)
    )
    # an outreach event informs (``informed_by_records``): the rule, without re-asking it
    db.session.execute(
        update(Household)
        .where(in_commune, not_(Household.is_informed))
        .values(is_informed=True)
        .execution_options(synchronize_session=False)
    )
    record_event(
        actor,
        "broadcast.record",
        broadcast,
        after={
            "area_id": commune.id,
            "broadcast_on": broadcast_on.isoformat(),
            "households": broadcast.households,
            "period_from": period_from.isoformat() if period_from else None,
            "period_to": period_to.isoformat() if period_to else None,
        },
    )
    db.session.commit()
    return broadcast


def list_broadcasts(user: User, limit: int = 100) -> list[Broadcast]:
    """The latest broadcasts of the user's scope, newest first."""
    statement = (
        select(Broadcast)
        .where(visible_broadcasts(user))
        .options(selectinload(Broadcast.area), selectinload(Broadcast.recorded_by))
        .order_by(Broadcast.broadcast_on.desc(), Broadcast.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))


def broadcasts_heard_by(household: Household) -> dict[int, Broadcast]:
    """The broadcasts that informed a household, by id (for its trail)."""
    ids = [event.broadcast_id for event in household.outreach if event.broadcast_id]
    if not ids:
        return {}
    return {b.id: b for b in db.session.scalars(select(Broadcast).where(Broadcast.id.in_(ids)))}
