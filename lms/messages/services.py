"""The outbox: writing messages, sending them once, consent, and what staff read of them.

A message is written in the transaction of the change it tells about (``enqueue``, called
by ``lms.messages.triggers``), so a change rolled back sends nothing; once that transaction
commits, the worker is asked to send it (``messages.send``), and a periodic sweep
(``messages.send_due``) sends whatever is due and was not sent (held by quiet hours, a
retry, a broker that was down).

Channels: every message goes to the household's message box (in-app, which always works
and needs no consent: it is part of the service the household logs into, and no data
leaves the product), and to one external channel: Zalo ZNS, or SMS brandname when Zalo
cannot carry it (not configured, no consent, no Zalo account, refused). An external channel
needs the household's consent to the processing of its data *and* to that channel; a
message without it is recorded as not sent, with the reason, never dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from lms.areas.models import Area
from lms.attendance.models import AttendanceMark, ClassSession
from lms.auth.models import Role, User
from lms.core.audit import AuditEvent, record_event
from lms.core.database import vietnamese
from lms.core.errors import RuleViolation, rollback_on_violation
from lms.core.models import PROGRAMME_TIMEZONE, today, utcnow
from lms.core.permissions import can_run_session
from lms.core.scope import visible_messages
from lms.core.text import clean
from lms.extensions import db
from lms.households.models import Household
from lms.messages import rendering
from lms.messages.channels import ADAPTERS, NOT_CONFIGURED
from lms.messages.models import (
    Channel,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Message,
    MessageState,
)

log = logging.getLogger(__name__)

#: each external channel, and the one tried when it cannot carry a message
FALLBACK = {Channel.ZALO: Channel.SMS}
#: the consent each channel needs besides the processing of the household's data
CHANNEL_PURPOSE = {Channel.ZALO: ConsentPurpose.ZALO, Channel.SMS: ConsentPurpose.SMS}
#: seconds before the next attempt, after the first, second … failure worth retrying
BACKOFF = (60, 300, 1800)
#: a message claimed this long ago and still "being sent" is shown to staff as stuck
STUCK_MINUTES = 10

REASONS = {
    "not_configured": NOT_CONFIGURED,
    "no_consent": _l("Not sent: the household has not agreed to messages on this channel"),
    "withdrawn": _l("Not sent: the household withdrew its consent"),
    "no_phone": _l("Not sent: the household has no phone number"),
    "cancelled": _l("Not sent: the class was cancelled or moved"),
    "quota": _l("Failed: the provider's quota is used up"),
    "invalid_phone": _l("Failed: the provider says the phone number is not valid"),
    "no_account": _l("Failed: this phone has no Zalo account that can receive it"),
    "template": _l("Failed: the provider refused the template"),
    "credentials": _l("Failed: the provider refused the product's credentials"),
    "provider": _l("Failed: the provider answered with an error"),
    "network": _l("Failed: the provider could not be reached"),
}


def reason_label(message: Message) -> str:
    label = REASONS.get(message.error_code or "")
    return str(label) if label else (message.error or "")


# ---------------------------------------------------------------- writing


def enqueue(
    household: Household,
    template_name: str,
    subject: Any,
    values: dict[str, object],
    occasion: str = "",
    now: datetime | None = None,
) -> list[Message]:
    """Write a message to the household's box and to its external channel (flushes; the
    caller's transaction commits it); the rows written. The same template, subject,
    occasion and household again writes nothing more (an empty list)."""
    template = rendering.template(template_name)
    params = rendering.fit_params(template, values)
    kind, subject_id = type(subject).__name__, subject.id
    box = _write(household, template_name, kind, subject_id, occasion, Channel.IN_APP, params)
    written = [box] if box is not None else []
    if box is not None:
        box.state, box.sent_at = MessageState.SENT, utcnow()
        external = _write(
            household, template_name, kind, subject_id, occasion, Channel.ZALO, params
        )
        if external is not None:
            written += _route(external, now or utcnow())
    db.session.flush()
    return written


def _key(
    household_id: int, template: str, kind: str, subject_id: int, occasion: str, channel: Channel
) -> str:
    return f"{template}|{kind}|{subject_id}|{occasion}|{channel.value}|{household_id}"[:200]


def _write(
    household: Household,
    template: str,
    kind: str,
    subject_id: int,
    occasion: str,
    channel: Channel,
    params: dict[str, str],
) -> Message | None:
    """Insert the row unless its key is already there (the database decides, so two
    triggers at once write one row); the new row, or None."""
    db.session.flush()
    values = {
        "household_id": household.id,
        "template": template,
        "subject_type": kind,
        "subject_id": subject_id,
        "occasion": occasion,
        "channel": channel,
        "state": MessageState.PENDING,
        "idempotency_key": _key(household.id, template, kind, subject_id, occasion, channel),
        "params": params,
        "attempts": 0,
        "created_at": utcnow(),
    }
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(Message).values(**values).on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    inserted = db.session.execute(statement.returning(Message.id)).scalar()
    return db.session.get(Message, inserted) if inserted is not None else None


def _route(message: Message, now: datetime) -> list[Message]:
    """Decide at once what needs no provider: a message that cannot go on its channel is
    not sent, with why, and the fallback channel is tried; one that can waits for the worker
    (until morning in quiet hours). The rows written."""
    written = [message]
    refusal = _refusal(message)
    if refusal:
        _not_sent(message, refusal)
        written += _fall_back(message, now)
        return written
    message.not_before = quiet_until(now, message.channel)
    if message.not_before is None:
        db.session.info.setdefault(DISPATCH_KEY, []).append(message.id)
    return written


def _fall_back(message: Message, now: datetime | None = None) -> list[Message]:
    """The same message on the next channel (Zalo → SMS), once; the rows written."""
    channel = FALLBACK.get(message.channel)
    if channel is None:
        return []
    household = db.session.get(Household, message.household_id)
    other = _write(
        household,
        message.template,
        message.subject_type,
        message.subject_id,
        message.occasion,
        channel,
        message.params,
    )
    return _route(other, now or utcnow()) if other is not None else []


def _not_sent(message: Message, code: str) -> None:
    message.state, message.error_code, message.error = (
        MessageState.NOT_SENT,
        code,
        str(REASONS[code]),
    )


def _refusal(message: Message) -> str | None:
    """Why the message cannot go on its channel now, or None."""
    if not message.channel.is_external:
        return None
    if message.subject_type == "ClassSession" and not _still_planned(message):
        return "cancelled"
    if not ADAPTERS[message.channel].is_configured(message.template):
        return "not_configured"
    household = message.household or db.session.get(Household, message.household_id)
    if not household.phone:
        return "no_phone"
    for purpose in (ConsentPurpose.DATA, CHANNEL_PURPOSE[message.channel]):
        consent = current_consent(household.id, purpose)
        if consent is None:
            return "no_consent"
        if not consent.is_given:
            return "withdrawn"
    return None


def _still_planned(message: Message) -> bool:
    """A reminder held until morning is not sent for a class cancelled or moved meanwhile
    (a moved class has its own reminder, for its new time)."""
    session = db.session.get(ClassSession, message.subject_id)
    return (
        session is not None
        and not session.is_cancelled
        and session.starts_at.isoformat() == message.occasion
    )


def quiet_until(now: datetime, channel: Channel) -> datetime | None:
    """The end of quiet hours (Vietnam time) when ``now`` is inside them, for a channel
    that rings a phone; None otherwise."""
    if not channel.is_external:
        return None
    start, end = current_app.config["MESSAGES_QUIET_HOURS"]
    if start == end:  # no quiet hours
        return None
    local = now.astimezone(PROGRAMME_TIMEZONE)
    if end <= local.hour < start:
        return None
    morning = local.date() + timedelta(days=1 if local.hour >= start else 0)
    return datetime.combine(morning, time(end), PROGRAMME_TIMEZONE).astimezone(now.tzinfo)


# ---------------------------------------------------------------- asking the worker

DISPATCH_KEY = "messages_to_send"


@event.listens_for(Session, "after_commit")
def _dispatch(session: Session) -> None:
    """Once the messages' transaction committed, the worker is asked to send them; if the
    broker is down, the sweep sends them later."""
    ids = session.info.pop(DISPATCH_KEY, None)
    if not ids or not current_app.config.get("MESSAGES_DISPATCH", True):
        return
    celery = current_app.extensions["celery"]
    for message_id in ids:
        try:
            celery.send_task("messages.send", args=[message_id], retry=False)
        except Exception:
            log.warning("message %s not queued; the sweep will send it", message_id)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(DISPATCH_KEY, None)


# ---------------------------------------------------------------- sending


def send_message(message_id: int, now: datetime | None = None) -> MessageState | None:
    """Send one message if it is due, once: consent and configuration are checked again
    (a withdrawal is honoured at once), quiet hours and the channel's rate limit hold it,
    then the row is claimed (pending → sending) by a guarded UPDATE — only the worker whose
    UPDATE changed the row calls the provider. A failure worth retrying waits
    (``BACKOFF``) up to MESSAGES_MAX_ATTEMPTS; a refusal, or the last failure, is final,
    and the fallback channel is tried. The state it was left in (None: nothing to do)."""
    now = now or utcnow()
    message = db.session.get(Message, message_id)
    if message is None or message.state is not MessageState.PENDING:
        return None
    if message.not_before is not None and message.not_before > now:
        return None
    refusal = _refusal(message)
    held = quiet_until(now, message.channel) or _rate_limited(message.channel, now)
    if refusal or held:
        if refusal:
            _not_sent(message, refusal)
            _fall_back(message, now)
        else:
            message.not_before = held
        db.session.commit()
        return message.state
    claimed = db.session.execute(
        update(Message)
        .where(Message.id == message.id, Message.state == MessageState.PENDING)
        .values(state=MessageState.SENDING, attempts=Message.attempts + 1, claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if claimed != 1:
        return None  # another worker took it
    message = db.session.get(Message, message_id)
    template = rendering.template(message.template)
    text = rendering.render(template, message.channel, message.params)
    household = message.household
    delivery = ADAPTERS[message.channel].send(
        household.phone, message.template, text, message.params, message.idempotency_key
    )
    if delivery.sent:
        message.state, message.sent_at = MessageState.SENT, utcnow()
        message.provider_message_id = delivery.provider_message_id
        message.error_code = message.error = None
    else:
        message.error_code, message.error = delivery.error_code, delivery.error
        if delivery.retry and message.attempts < current_app.config["MESSAGES_MAX_ATTEMPTS"]:
            message.state = MessageState.PENDING
            wait = BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
            message.not_before = now + timedelta(seconds=wait)
        else:
            message.state = MessageState.FAILED
            _fall_back(message, now)
    db.session.commit()
    return message.state


def _rate_limited(channel: Channel, now: datetime) -> datetime | None:
    """When the channel sent its MESSAGES_RATE_PER_MINUTE in the last minute: the time
    the oldest of them leaves the window (approximate across workers: a few may pass at
    once at its edge)."""
    limit = current_app.config["MESSAGES_RATE_PER_MINUTE"].get(channel.value)
    if not limit:
        return None
    window = now - timedelta(minutes=1)
    recent = select(Message.claimed_at).where(
        Message.channel == channel, Message.claimed_at > window
    )
    claimed = db.session.scalars(recent.order_by(Message.claimed_at.desc()).limit(limit)).all()
    if len(claimed) < limit:
        return None
    return min(claimed) + timedelta(minutes=1)


def due_messages(now: datetime | None = None, limit: int = 500) -> list[int]:
    now = now or utcnow()
    statement = select(Message.id).where(
        Message.state == MessageState.PENDING,
        or_(Message.not_before.is_(None), Message.not_before <= now),
    )
    return list(db.session.scalars(statement.order_by(Message.id).limit(limit)))


def send_due(now: datetime | None = None) -> int:
    """Send every message due now (the sweep); the number sent."""
    sent = 0
    for message_id in due_messages(now):
        sent += send_message(message_id, now) is MessageState.SENT
    return sent


# ---------------------------------------------------------------- the periodic scans


def local_time(moment: datetime) -> str:
    """A time as messages write it (ZNS time parameters: at most 20 characters)."""
    return moment.astimezone(PROGRAMME_TIMEZONE).strftime("%H:%M %d/%m/%Y")


def enqueue_class_reminders(now: datetime | None = None) -> int:
    """The day before a session (Vietnam dates), a reminder to each household on its
    roster; a session moved to another time reminds again. Commits; the number written."""
    now = now or utcnow()
    tomorrow = now.astimezone(PROGRAMME_TIMEZONE).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(0), PROGRAMME_TIMEZONE)
    sessions = db.session.scalars(
        select(ClassSession).where(
            ClassSession.cancelled_at.is_(None),
            ClassSession.starts_at >= start,
            ClassSession.starts_at < start + timedelta(days=1),
        )
    ).all()
    written = 0
    for session in sessions:
        marks = db.session.scalars(
            select(AttendanceMark).where(AttendanceMark.session_id == session.id)
        ).all()
        for mark in marks:
            rows = enqueue(
                mark.household,
                "class_reminder",
                session,
                {
                    "ho": mark.household.head_name,
                    "lop": session.title,
                    "thoi_gian": local_time(session.starts_at),
                    "dia_diem": session.place,
                    "ma_diem_danh": session.checkin_code or "—",
                },
                occasion=session.starts_at.isoformat(),
                now=now,
            )
            written += bool(rows)
    db.session.commit()
    return written


def enqueue_expiry_warnings(day: date | None = None) -> int:
    """What keeps a product listed now eligible to list, ending within
    MESSAGES_EXPIRY_WARNING_DAYS, after which the product would no longer be eligible: a
    warning to its household, once per end date. Two ends are watched: a certification's
    expiry (no OCOP rating or other certification valid beyond it), and an OCOP rating of 3
    stars or more whose decision date is known, 36 months after it (``ocop_valid_until``;
    no certification valid beyond it). A rating known only by its year has no known end
    and is not warned about. Commits; the number written."""
    from lms.products.models import CERTIFICATION_LABELS, Certification, Listing, Product
    from lms.products.services import (
        MIN_OCOP_STARS,
        earliest_valid_decision,
        is_eligible,
        ocop_valid_until,
    )

    day = day or today()
    horizon = day + timedelta(days=current_app.config["MESSAGES_EXPIRY_WARNING_DAYS"])
    listed = select(Listing.product_id).where(Listing.delisted_on.is_(None))
    expiring = db.session.scalars(
        select(Certification)
        .join(Product)
        .where(
            Certification.expires_on >= day,
            Certification.expires_on <= horizon,
            # a rating without its date never ends: the product stays eligible
            or_(Product.ocop_stars < MIN_OCOP_STARS, Product.ocop_decided_on.is_not(None)),
            Product.id.in_(listed),
        )
    ).all()
    written = 0
    for certification in expiring:
        product = certification.product
        if is_eligible(product, certification.expires_on + timedelta(days=1)):
            continue
        rows = enqueue(
            product.household,
            "certification_expiring",
            certification,
            {
                "ho": product.household.head_name,
                "san_pham": product.name,
                "chung_nhan": str(CERTIFICATION_LABELS.get(certification.kind, certification.kind)),
                "ngay_het_han": certification.expires_on.strftime("%d/%m/%Y"),
            },
            occasion=certification.expires_on.isoformat(),
        )
        written += bool(rows)
    ending_ratings = db.session.scalars(
        select(Product).where(
            Product.ocop_stars >= MIN_OCOP_STARS,
            # its last day between today and the horizon
            Product.ocop_decided_on >= earliest_valid_decision(day),
            Product.ocop_decided_on < earliest_valid_decision(horizon + timedelta(days=1)),
            Product.id.in_(listed),
        )
    ).all()
    for product in ending_ratings:
        until = ocop_valid_until(product)
        if until is None or is_eligible(product, until + timedelta(days=1)):
            continue
        rows = enqueue(
            product.household,
            "ocop_rating_expiring",
            product,
            {
                "ho": product.household.head_name,
                "san_pham": product.name,
                "sao": product.ocop_stars,
                "ngay_het_han": until.strftime("%d/%m/%Y"),
            },
            occasion=until.isoformat(),
        )
        written += bool(rows)
    db.session.commit()
    return written


# ---------------------------------------------------------------- consent


def current_consent(household_id: int, purpose: ConsentPurpose) -> Consent | None:
    """The newest record of the household and purpose: its consent now (None: never asked)."""
    return db.session.scalar(
        select(Consent)
        .where(Consent.household_id == household_id, Consent.purpose == purpose)
        .order_by(Consent.id.desc())
        .limit(1)
    )


def current_consents(household: Household) -> dict[ConsentPurpose, Consent | None]:
    return {purpose: current_consent(household.id, purpose) for purpose in ConsentPurpose}


def consent_history(household: Household) -> list[Consent]:
    """Every consent given or withdrawn, newest first (the household's 'Dữ liệu của tôi')."""
    statement = select(Consent).where(Consent.household_id == household.id)
    return list(db.session.scalars(statement.order_by(Consent.id.desc())))


def can_record_consent(user: User, household: Household) -> bool:
    """A household gives or withdraws its own consent on its phone."""
    return user.role is Role.HOUSEHOLD and user.household_id == household.id


def on_roster(session: ClassSession, household: Household) -> bool:
    return bool(
        db.session.scalar(
            select(AttendanceMark.id).where(
                AttendanceMark.session_id == session.id,
                AttendanceMark.household_id == household.id,
            )
        )
    )


@rollback_on_violation
def record_consent(
    actor: User, household: Household, purpose: ConsentPurpose, given: bool, reason: str = ""
) -> Consent | None:
    """The household gives or withdraws a consent on its phone, on the text's current
    version.

    Rules: only the household's own member (``can_record_consent``); the same answer as
    the current one records nothing (None). A withdrawal is honoured at once: the messages
    waiting on the channels it closes are not sent. Audited."""
    if not can_record_consent(actor, household):
        raise RuleViolation(_l("Only the household itself gives or withdraws its consent."))
    consent = _record(actor, household, purpose, given, reason, ConsentMethod.PHONE, None)
    db.session.commit()
    return consent


@rollback_on_violation
def record_paper_consents(
    actor: User,
    session: ClassSession,
    household: Household,
    answers: dict[ConsentPurpose, str],
    reason: str = "",
) -> int:
    """A trainer records the paper form a household signed at a class: per purpose "yes"
    (agreed), "no" (refused or withdrawn) or "" (not on the form). One transaction.

    Rules: a trainer who runs the session (``can_run_session``), for a household on its
    roster; at least one answer. The number of consents that changed."""
    if not (can_run_session(actor, session) and on_roster(session, household)):
        raise RuleViolation(
            _l("Only a trainer of this session records paper consent, for its roster.")
        )
    chosen = {purpose: answer for purpose, answer in answers.items() if answer in ("yes", "no")}
    if not chosen:
        raise RuleViolation(_l("Choose what the household agreed to on the paper form."))
    changed = 0
    for purpose, answer in chosen.items():
        recorded = _record(
            actor, household, purpose, answer == "yes", reason, ConsentMethod.PAPER, session
        )
        changed += recorded is not None
    db.session.commit()
    return changed


def _record(actor, household, purpose, given, reason, method, session) -> Consent | None:
    """One consent record, flushed (None: the answer is the current one)."""
    current = current_consent(household.id, purpose)
    if (current.is_given if current else None) == given:
        return None
    consent = Consent(
        household_id=household.id,
        purpose=purpose,
        is_given=given,
        method=method,
        text_version=rendering.consent_text(purpose).version,
        reason=clean(reason)[:500] if not given else "",
        recorded_by_id=actor.id,
        session_id=session.id if session else None,
        recorded_at=utcnow(),
    )
    db.session.add(consent)
    db.session.flush()
    if not given:
        _honour_withdrawal(household, purpose)
    record_event(
        actor,
        "consent.give" if given else "consent.withdraw",
        consent,
        after={
            "household_id": household.id,
            "purpose": purpose.value,
            "method": method.value,
            "text_version": consent.text_version,
            "reason": consent.reason,
        },
    )
    return consent


def latest_consents(household_ids: list[int]) -> dict[tuple[int, ConsentPurpose], Consent]:
    """The current consents of many households at once (a roster), by household and purpose."""
    if not household_ids:
        return {}
    newest = (
        select(func.max(Consent.id))
        .where(Consent.household_id.in_(household_ids))
        .group_by(Consent.household_id, Consent.purpose)
    )
    rows = db.session.scalars(select(Consent).where(Consent.id.in_(newest)))
    return {(row.household_id, row.purpose): row for row in rows}


@dataclass(frozen=True)
class RosterConsent:
    household: Household
    consents: dict[ConsentPurpose, Consent | None]


def roster_consents(session: ClassSession) -> list[RosterConsent]:
    """Each household on the session's roster with its current consents (two queries)."""
    households = list(
        db.session.scalars(
            select(Household)
            .join(AttendanceMark, AttendanceMark.household_id == Household.id)
            .where(AttendanceMark.session_id == session.id)
            .order_by(Household.name_key, Household.id)
        )
    )
    latest = latest_consents([h.id for h in households])
    return [
        RosterConsent(h, {p: latest.get((h.id, p)) for p in ConsentPurpose}) for h in households
    ]


def _honour_withdrawal(household: Household, purpose: ConsentPurpose) -> None:
    closed = [c for c, p in CHANNEL_PURPOSE.items() if purpose in (p, ConsentPurpose.DATA)]
    waiting = db.session.scalars(
        select(Message).where(
            Message.household_id == household.id,
            Message.channel.in_(closed),
            Message.state == MessageState.PENDING,
        )
    )
    for message in list(waiting):
        _not_sent(message, "withdrawn")
        _fall_back(message)


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class BoxItem:
    title: str
    body: str
    sent_at: datetime


def inbox(household: Household, limit: int = 5) -> list[BoxItem]:
    """The household's newest in-app messages, rendered."""
    messages = db.session.scalars(
        select(Message)
        .where(
            Message.household_id == household.id,
            Message.channel == Channel.IN_APP,
            Message.state == MessageState.SENT,
        )
        .order_by(Message.id.desc())
        .limit(limit)
    )
    items = []
    for message in messages:
        template = rendering.template(message.template)
        body = rendering.render(template, Channel.IN_APP, message.params)
        items.append(BoxItem(template.title, body, message.sent_at or message.created_at))
    return items


@dataclass
class CommuneDelivery:
    commune: str
    #: (channel, state) → count
    counts: dict[tuple[str, str], int]

    def count(self, channel: Channel, state: MessageState) -> int:
        return self.counts.get((channel.value, state.value), 0)


def delivery_by_commune(user: User) -> list[CommuneDelivery]:
    """Messages per commune of the user's scope, by channel and state."""
    rows = db.session.execute(
        select(Area.id, Area.name, Message.channel, Message.state, func.count(Message.id))
        .join(Household, Household.id == Message.household_id)
        .join(Area, Area.id == Household.area_id)
        .where(visible_messages(user))
        .group_by(Area.id, Area.name, Message.channel, Message.state)
        .order_by(vietnamese(Area.name), Area.id)
    ).all()
    communes: dict[int, CommuneDelivery] = {}
    for area_id, name, channel, state, count in rows:
        commune = communes.setdefault(area_id, CommuneDelivery(name, {}))
        commune.counts[(Channel(channel).value, MessageState(state).value)] = count
    return list(communes.values())


def problems(user: User, limit: int = 100) -> list[Message]:
    """What staff must look at, newest first: messages not sent, failed, or claimed long
    ago and never answered (maybe sent: never sent again by itself)."""
    stuck = utcnow() - timedelta(minutes=STUCK_MINUTES)
    statement = (
        select(Message)
        .join(Household, Household.id == Message.household_id)
        .where(
            visible_messages(user),
            or_(
                Message.state.in_([MessageState.FAILED, MessageState.NOT_SENT]),
                (Message.state == MessageState.SENDING) & (Message.claimed_at < stuck),
            ),
        )
        .order_by(Message.id.desc())
        .limit(limit)
        .options(selectinload(Message.household).joinedload(Household.area))
    )
    return list(db.session.scalars(statement))


# ---------------------------------------------------------------- the household's rights


def consent_rows(household: Household) -> list[dict[str, Any]]:
    """The household's consents, oldest first, for 'Dữ liệu của tôi' (``lms.privacy``):
    what, the answer, how, on which text version, when, why withdrawn."""
    from lms.messages.models import METHOD_LABELS, PURPOSE_LABELS

    return [
        {
            "purpose": str(PURPOSE_LABELS[c.purpose]),
            "given": c.is_given,
            "method": str(METHOD_LABELS[c.method]),
            "text_version": c.text_version,
            "recorded_at": c.recorded_at.isoformat(),
            "reason": c.reason,
        }
        for c in reversed(consent_history(household))
    ]


def message_rows(household: Household) -> list[dict[str, Any]]:
    """The household's messages, oldest first: which, on which channel, their state, when."""
    from lms.messages.models import CHANNEL_LABELS, STATE_LABELS

    statement = select(Message).where(Message.household_id == household.id)
    return [
        {
            "message": rendering.template(m.template).title,
            "via": str(CHANNEL_LABELS[m.channel]),
            "state": str(STATE_LABELS[m.state]),
            "written_at": m.created_at.isoformat(),
            "sent_at": m.sent_at.isoformat() if m.sent_at else None,
        }
        for m in db.session.scalars(statement.order_by(Message.id))
    ]


def erase_household_messages(household: Household) -> None:
    """A household's personal data deleted (``lms.privacy``): its messages keep their
    template, channel and state (the delivery figures) but lose their parameters (its
    name, its products, its account), and its consents lose the reasons it gave, here
    and in their audit events (flushes)."""
    for message in db.session.scalars(select(Message).where(Message.household_id == household.id)):
        message.params, message.error = {}, None
        if message.state is MessageState.PENDING:
            _not_sent(message, "no_phone")  # its phone is deleted too
    consents = list(db.session.scalars(select(Consent).where(Consent.household_id == household.id)))
    for consent in consents:
        consent.reason = ""
    if consents:
        events = select(AuditEvent).where(
            AuditEvent.target_type == "Consent",
            AuditEvent.target_id.in_([c.id for c in consents]),
        )
        for event in db.session.scalars(events):
            event.after = {**(event.after or {}), "reason": ""}
    db.session.flush()
