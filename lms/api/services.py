"""API keys: create (shown once), revoke, authenticate; and what a key may reach."""

from __future__ import annotations

import hashlib
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import selectinload

from lms.api.models import ApiKey
from lms.auth.models import User
from lms.core.audit import record_event
from lms.core.errors import RuleViolation, rollback_on_violation
from lms.core.models import utcnow
from lms.core.scope import subtree_ids
from lms.core.text import clean
from lms.extensions import db
from lms.households.models import Household
from lms.organisations.models import Organisation
from lms.products.models import Marketplace

KEY_PREFIX = "lms_"


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@rollback_on_violation
def create_key(
    actor: User | None, organisation: Organisation, partner: Marketplace | None, name: str
) -> tuple[ApiKey, str]:
    """A new key for ``organisation``, acting for ``partner`` (None: verification only).
    Returns the key and its secret, which is never stored and cannot be shown again."""
    name = clean(name)
    if not name:
        raise RuleViolation(_l("Please name the key (who uses it, where)."), field="name")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name[:120],
        organisation=organisation,
        marketplace=partner,
        prefix=secret[:12],
        key_hash=hash_key(secret),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(key)
    db.session.flush()
    record_event(
        actor,
        "api_key.create",
        key,
        after={
            "name": key.name,
            "prefix": key.prefix,
            "organisation": organisation.code,
            "marketplace": partner.code if partner else None,
        },
    )
    db.session.commit()
    return key, secret


def revoke_key(actor: User | None, key: ApiKey) -> ApiKey:
    """The key stops working at once; the record stays for the audit trail."""
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record_event(actor, "api_key.revoke", key, after={"prefix": key.prefix})
        db.session.commit()
    return key


def list_keys() -> list[ApiKey]:
    statement = select(ApiKey).options(
        selectinload(ApiKey.organisation), selectinload(ApiKey.marketplace)
    )
    return list(db.session.scalars(statement.order_by(ApiKey.revoked_at.is_not(None), ApiKey.id)))


def authenticate(secret: str) -> ApiKey | None:
    """The active key with this secret, or None (unknown, revoked, organisation inactive)."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(secret)))
    return key if key is not None and key.is_active else None


def record_call(key: ApiKey | None, **call: str | int | None) -> None:
    """Every API call, answered or refused, is an audit event (with its key when known)."""
    if key is not None:
        key.last_used_at = utcnow()
    record_event(
        None,
        "api.call",
        key if key is not None else ApiKey,
        after={**call, "key": key.prefix if key is not None else None},
    )
    db.session.commit()


def households_of(key: ApiKey) -> ColumnElement[bool]:
    """A key reaches the households of its organisation's area, and no others."""
    return Household.area_id.in_(subtree_ids(key.organisation.area))
