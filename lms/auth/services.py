"""Logging in and managing accounts.

Repeated failures lock the identifier (e-mail or phone) for a while, whether or not an
account exists, so a locked login says nothing about who is registered.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import format_time
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from lms.areas.models import Area, AreaLevel
from lms.auth.models import Role, User
from lms.core import throttle
from lms.core.audit import record_event, snapshot
from lms.core.database import paginate, vietnamese
from lms.core.errors import LoginLocked, RuleViolation, flush_unique, rollback_on_violation
from lms.core.models import utcnow
from lms.core.text import clean, normalize_phone
from lms.extensions import db
from lms.households.models import Household
from lms.organisations.models import Organisation

LOGIN_TAKEN = _l("This e-mail or phone number is already used by another account.")

AUDITED_FIELDS = (
    "role",
    "full_name",
    "email",
    "phone",
    "area_id",
    "organisation_id",
    "household_id",
    "is_active",
)
MIN_PASSWORD_LENGTH = 8

# A real hash to check against when the account does not exist, so both cases take as long.
_DUMMY_HASH: dict[str, str] = {}


def hash_secret(secret: str) -> str:
    return generate_password_hash(secret, method=current_app.config["PASSWORD_HASH_METHOD"])


def authenticate_staff(email: str, password: str) -> User:
    """Staff log in with e-mail + password."""
    identifier = (email or "").strip().lower()
    user = db.session.scalar(
        select(User).where(func.lower(User.email) == identifier, User.role != Role.HOUSEHOLD)
    )
    return _authenticate(identifier, user, password, _l("The e-mail or password is not correct."))


def authenticate_household(phone: str, pin: str) -> User:
    """Household members log in with their phone number + 6-digit PIN."""
    identifier = normalize_phone(phone) or clean(phone)
    user = db.session.scalar(
        select(User).where(User.phone == identifier, User.role == Role.HOUSEHOLD)
    )
    return _authenticate(identifier, user, pin, _l("The phone number or PIN is not correct."))


def _authenticate(identifier: str, user: User | None, secret: str, wrong_message) -> User:
    """Check the secret; count failures and lock the identifier after too many.

    Rule: after LOGIN_MAX_FAILURES wrong attempts in a row the identifier is locked for
    LOGIN_LOCK_MINUTES, even with the right secret; a success resets the count. Each attempt
    is counted, and committed, before the slow hash: attempts sent at once each see the
    others, so no more than LOGIN_MAX_FAILURES of them are ever checked.
    """
    key = f"login:{identifier}"
    config = current_app.config
    attempt = throttle.count_attempt(
        key, config["LOGIN_MAX_FAILURES"], config["LOGIN_LOCK_MINUTES"]
    )
    db.session.commit()
    if attempt.is_refused:
        raise LoginLocked(_locked_message(attempt.lock_minutes))

    stored_hash = user.password_hash if user is not None else _dummy_hash()
    right_secret = check_password_hash(stored_hash, secret or "") and user is not None
    if right_secret and user.is_active:
        throttle.clear(key)
        user.last_login_at = utcnow()
        db.session.commit()
        return user

    if attempt.lock_minutes:
        raise LoginLocked(_locked_message(attempt.lock_minutes))
    # only the account's own secret learns that it was deactivated: a wrong one is told what
    # an unknown phone or e-mail is told, so guessing reveals no account
    if right_secret:
        raise RuleViolation(
            _l("This account has been deactivated. Please contact the administrator.")
        )
    raise RuleViolation(wrong_message)


def user_for_session(session_id: str) -> User | None:
    """The user a session cookie logs in (Flask-Login's user loader), or None.

    Rule: a session opened before the user's sessions were ended (a logout, a new login card,
    revoked cards, a new PIN or password, a deactivation) logs no one in, nor does a session
    of a deactivated account or one without a session version (cookies older than versions).
    """
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    # a household member's pages all need the household: read with the user, one statement
    user = db.session.get(User, int(user_id), options=[joinedload(User.household)])
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def end_sessions(user: User) -> None:
    """Every open session of ``user``, on every device, logs no one in from its next request
    (flushes). Counted in SQL, so two ends at once both count."""
    user.session_version = User.session_version + 1
    db.session.flush()


def log_out(user: User) -> None:
    """Logging out ends every session of the user: a cookie copied before, on this device or
    another, opens nothing afterwards."""
    end_sessions(user)
    db.session.commit()


def _locked_message(minutes: int):
    """Says when to try again by the clock (Vietnam time) as well as in minutes: a household
    handed the phone back an hour later knows whether the wait is over."""
    return _l(
        "Too many failed attempts. Logging in is locked; please try again in %(minutes)d "
        "minutes, at %(time)s.",
        minutes=minutes,
        time=format_time(utcnow() + timedelta(minutes=minutes), "HH:mm"),
    )


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash("not-a-password", method=method)
    return _DUMMY_HASH[method]


@rollback_on_violation
def create_user(actor: User | None, **fields: Any) -> User:
    """Create an account. Rules: staff have an e-mail and a password of at least 8
    characters; household members have a phone, a 6-digit PIN and a household; officials
    and trainers have an area; trainers belong to an organisation."""
    secret = fields.pop("secret", None)
    user = User(is_active=True)
    _apply(user, fields)
    if not secret:
        raise RuleViolation(_l("Please enter a password or PIN."), field="secret")
    _check_secret(user, secret)
    user.password_hash = hash_secret(secret)
    db.session.add(user)
    flush_unique(LOGIN_TAKEN)
    record_event(actor, "user.create", user, after=snapshot(user, AUDITED_FIELDS))
    db.session.commit()
    return user


@rollback_on_violation
def update_user(actor: User, user: User, **fields: Any) -> User:
    """Change an account; a new secret is set only when one is given.

    Rule: a new PIN or password, or a deactivation, ends every open session of the account.
    """
    before = snapshot(user, AUDITED_FIELDS)
    secret = fields.pop("secret", None)
    if user.id == actor.id and fields.get("is_active") is False:
        raise RuleViolation(_l("You cannot deactivate your own account."), field="is_active")
    if user.id == actor.id and fields.get("role", user.role) != user.role:
        raise RuleViolation(_l("You cannot change your own role."), field="role")
    _apply(user, fields)
    if secret:
        _check_secret(user, secret)
        user.password_hash = hash_secret(secret)
    flush_unique(LOGIN_TAKEN)
    if secret or not user.is_active:
        end_sessions(user)
    after = snapshot(user, AUDITED_FIELDS)
    record_event(actor, "user.update", user, before=before, after=after)
    if secret:
        record_event(actor, "user.reset_secret", user)
    db.session.commit()
    return user


def deactivate_user(actor: User, user: User) -> User:
    """A deactivated account can no longer log in, and its open sessions end; its records
    stay."""
    return update_user(actor, user, is_active=False)


def _apply(user: User, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_name = clean(user.full_name)
    if not user.full_name:
        raise RuleViolation(_l("Please enter the full name."), field="full_name")
    role = Role(user.role)
    if role.is_staff:
        user.email = clean(user.email).lower() or None
        user.phone = normalize_phone(user.phone) if user.phone else None
        user.household_id = None
        if not user.email:
            raise RuleViolation(_l("Staff need an e-mail address to log in."), field="email")
    else:
        user.phone = normalize_phone(user.phone)
        user.email = None
        user.area_id = user.organisation_id = None
        if not user.phone:
            raise RuleViolation(_l("The phone number is not valid."), field="phone")
        if user.household_id is None or db.session.get(Household, user.household_id) is None:
            raise RuleViolation(
                _l("A household member must belong to a household."), field="household_id"
            )
    if role in (Role.OFFICIAL, Role.TRAINER):
        if user.area_id is None or db.session.get(Area, user.area_id) is None:
            raise RuleViolation(_l("Officials and trainers need an area."), field="area_id")
    elif role is Role.DIGITAL_TEAM:
        # a commune's team: its scope is that commune (lms.core.scope)
        area = db.session.get(Area, user.area_id) if user.area_id else None
        if area is None or area.level is not AreaLevel.COMMUNE:
            raise RuleViolation(
                _l("A community digital technology team member belongs to a commune."),
                field="area_id",
            )
    elif role is Role.ADMIN:
        user.area_id = None
    if role is Role.TRAINER and (
        user.organisation_id is None or db.session.get(Organisation, user.organisation_id) is None
    ):
        raise RuleViolation(
            _l("A trainer must belong to an organisation."), field="organisation_id"
        )


def _check_secret(user: User, secret: str) -> None:
    if user.role is Role.HOUSEHOLD:
        if not (len(secret) == 6 and secret.isdigit()):
            raise RuleViolation(_l("The PIN must be exactly 6 digits."), field="secret")
    elif len(secret) < MIN_PASSWORD_LENGTH:
        raise RuleViolation(
            _l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            field="secret",
        )


def list_users(actor: User, page: int):
    """Accounts in the actor's scope, by role then name, one page at a time."""
    from lms.core.scope import visible_users

    return paginate(
        select(User)
        .where(visible_users(actor))
        .order_by(User.role, vietnamese(User.full_name), User.id),
        page,
    )
