"""Login cards: a printed card whose QR code logs a household member in on the phone.

The QR holds a signed token (the member and the card's version) that expires; printing a
new card raises the version, so every earlier card stops working; revoking marks the current
version revoked, so a refused card can say which of the two stopped it. Both also
end the member's open sessions, and revoking voids the printed PIN too: a lost phone or a
lost card opens nothing until a new card is printed.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from lms.auth.models import Role, User
from lms.auth.services import AUDITED_FIELDS, LOGIN_TAKEN, end_sessions, hash_secret
from lms.core.audit import record_event, snapshot
from lms.core.errors import RuleViolation, flush_unique, rollback_on_violation
from lms.core.models import today
from lms.core.permissions import check_can_print_card
from lms.extensions import db
from lms.households.models import Household

SALT = "login-card"


@dataclass(frozen=True)
class LoginCard:
    member: User
    token: str
    #: the new PIN, shown once on the printed card
    pin: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def _member(household: Household) -> User | None:
    """The member who logs in with the household's phone, else its first member."""
    members = db.session.scalars(
        select(User)
        .where(User.household_id == household.id, User.role == Role.HOUSEHOLD)
        .order_by(User.id)
    ).all()
    return next((m for m in members if m.phone == household.phone), members[0] if members else None)


@rollback_on_violation
def issue_login_card(actor: User, household: Household) -> LoginCard:
    """Print a new card: a new PIN and a new QR; every earlier card of the member stops working
    and every open session of the member ends.

    Rules: the actor may print the household's cards (``can_print_card``); the household needs
    a phone number (members log in with it). A household with no member account (registered
    by hand, by an import or as a walk-in) gets one, named after the head of household. A
    member an administrator deactivated stays deactivated: a card never opens it again.
    """
    card = _issue(actor, household)
    db.session.commit()
    return card


def _new_pin() -> tuple[str, str]:
    """A new PIN and its hash (scrypt: about 0.2 s, the cost of a card)."""
    pin = f"{secrets.randbelow(10**6):06d}"
    return pin, hash_secret(pin)


def _issue(
    actor: User | None, household: Household, new_pin: tuple[str, str] | None = None
) -> LoginCard:
    """One card, flushed only: the caller commits."""
    check_can_print_card(actor, household)
    refusal = card_refusal(household, _member(household))
    if refusal:
        raise RuleViolation(refusal)
    pin, secret_hash = new_pin or _new_pin()
    member = _member(household) or _new_member(actor, household, secret_hash)
    member.password_hash = secret_hash
    member.must_change_pin = True  # whoever printed the card has seen the PIN
    # counted in the database: of two cards printed at once, the later one is the newer card
    version = db.session.scalar(
        update(User)
        .where(User.id == member.id)
        .values(card_version=User.card_version + 1)
        .returning(User.card_version)
    )
    set_committed_value(member, "card_version", version)
    end_sessions(member)
    record_event(actor, "user.login_card", member, after={"card_version": version})
    from lms.messages.triggers import pin_changed  # messages build on auth

    pin_changed(member)
    # the version this print got, not what the row holds after the commit (a later print)
    token = _serializer().dumps({"u": member.id, "v": version})
    return LoginCard(member, token, pin)


def card_refusal(household: Household, member: User | None):
    """Why no card can be printed for the household, or None."""
    if not household.phone:
        return _l("The household needs a phone number before a login card can be printed.")
    if member is not None and not member.is_active:
        return _l(
            "The household's account was deactivated by an administrator: no login card can "
            "be printed until an administrator activates it again."
        )
    if member is None and db.session.scalar(select(User.id).where(User.phone == household.phone)):
        return LOGIN_TAKEN
    return None


def _new_member(actor: User | None, household: Household, secret_hash: str) -> User:
    """The household's login, made when its first card is printed (flushes)."""
    member = User(
        role=Role.HOUSEHOLD,
        full_name=household.head_name,
        phone=household.phone,
        household_id=household.id,
        is_active=True,
        password_hash=secret_hash,
    )
    db.session.add(member)
    flush_unique(LOGIN_TAKEN)
    record_event(actor, "user.create", member, after=snapshot(member, AUDITED_FIELDS))
    return member


def needs_new_pin(member: User | None) -> bool:
    """A household member needs a new card (and PIN) when it has no login yet, has never had a
    card nor logged in, or its cards were revoked. One who logs in already keeps its PIN."""
    if member is None:
        return True
    if (
        member.revoked_card_version is not None
        and member.revoked_card_version == member.card_version
    ):
        return True
    return member.card_version == 0 and member.last_login_at is None


@dataclass(frozen=True)
class RosterCard:
    """A household of a roster, as the cards page shows it."""

    household: Household
    member: User | None
    needs_pin: bool
    #: why no card can be printed for it (None: it can)
    refusal: str | None


def roster_cards(households: Sequence[Household]) -> list[RosterCard]:
    """For each household: whether it needs a new card, and whether one can be printed."""
    rows = []
    for household in households:
        member = _member(household)
        refusal = card_refusal(household, member)
        rows.append(
            RosterCard(household, member, needs_new_pin(member), str(refusal) if refusal else None)
        )
    return rows


@dataclass
class CardBatch:
    cards: list[tuple[Household, LoginCard]]
    #: households left out, and why
    refused: list[tuple[Household, str]]


@rollback_on_violation
def issue_login_cards(
    actor: User, households: Sequence[Household], progress: Callable[..., None] | None = None
) -> CardBatch:
    """Print the cards of several households at once (a class's roster), in one transaction.

    Same rules as one card (``issue_login_card``); a household that cannot have a card (no
    phone, a deactivated account, its phone already another account's login) is left out
    and reported, and the others are printed. ``progress`` is told each household done.

    The PINs are hashed first, before anything is written: the transaction that writes the
    cards is short (SQLite's one writer is not held for the seconds 40 hashes take).
    """
    batch = CardBatch([], [])
    wanted = list(dict.fromkeys(households))
    pins: dict[int, tuple[str, str]] = {}
    for number, household in enumerate(wanted, start=1):
        check_can_print_card(actor, household)
        refusal = card_refusal(household, _member(household))
        if refusal:
            batch.refused.append((household, str(refusal)))
        else:
            pins[household.id] = _new_pin()
        if progress:
            progress(done=number, total=len(wanted))
    for household in wanted:
        if household.id in pins:
            batch.cards.append((household, _issue(actor, household, pins[household.id])))
    db.session.commit()
    return batch


def revoke_login_cards(actor: User, household: Household) -> None:
    """Every card printed for the household stops working (a lost phone, a lost card): its QR,
    its printed PIN and every open session of its members, until a new card is printed."""
    check_can_print_card(actor, household)
    for member in db.session.scalars(select(User).where(User.household_id == household.id)):
        member.revoked_card_version = member.card_version
        # a PIN no one knows: the printed one stops working, and a login takes as long as ever
        member.password_hash = hash_secret(secrets.token_urlsafe(32))
        end_sessions(member)
        record_event(
            actor, "user.revoke_cards", member, after={"revoked_card_version": member.card_version}
        )
    db.session.commit()


def card_expiry() -> date:
    """The last day a card printed today works."""
    return today() + timedelta(days=current_app.config["LOGIN_CARD_DAYS"])


def member_from_card(token: str) -> User:
    """The member a card logs in, or a refusal saying why (expired, revoked, replaced by a
    newer card, unreadable)."""
    max_age = current_app.config["LOGIN_CARD_DAYS"] * 24 * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise RuleViolation(
            _l("This login card has expired. Ask your trainer for a new one.")
        ) from error
    except BadSignature as error:
        raise RuleViolation(_l("This login link is not valid.")) from error
    member = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if member is None or member.role is not Role.HOUSEHOLD or not member.is_active:
        raise RuleViolation(_l("This login link is not valid."))
    if data.get("v") == member.revoked_card_version:
        raise RuleViolation(_l("This login card was cancelled. Ask your trainer for a new one."))
    if data.get("v") != member.card_version:
        raise RuleViolation(_l("This login card was replaced by a newer one. Use the newest card."))
    return member
