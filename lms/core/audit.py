"""The audit trail: who did what to which record, when, from where, before and after."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.database import insert_returning
from lms.core.models import Base, utcnow
from lms.extensions import db

if TYPE_CHECKING:
    from lms.auth.models import User


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: None for the system itself (CLI imports, demo data)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: "<domain>.<verb>", e.g. "user.create", "area.import"
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(60))
    target_id: Mapped[int | None] = mapped_column(index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip_address: Mapped[str | None] = mapped_column(String(45))

    actor: Mapped[User | None] = relationship()


def snapshot(record: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a record as JSON-safe values, for ``before`` / ``after``."""
    return {name: _jsonable(getattr(record, name)) for name in fields}


def record_event(
    actor: User | None,
    action: str,
    target: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    target_id: int | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction; the calling service commits it.

    ``target`` is a record, or a model class for an action on many records (an import), or
    a model class and ``target_id`` for a record written without loading it (bulk writes).
    """
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target.__name__ if isinstance(target, type) else type(target).__name__,
        target_id=target_id if isinstance(target, type) else getattr(target, "id", None),
        before=before,
        after=after,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def record_events(
    actor: User | None,
    action: str,
    target_type: type,
    events: list[tuple[int, dict[str, Any] | None, dict[str, Any] | None]],
) -> None:
    """Insert one audit event per ``(target_id, before, after)`` in bulk: the events of a
    write of thousands of records (an import's new households), without loading them."""
    connection = db.session.connection()
    created_at = AuditEvent.__table__.c.created_at.type.bind_processor(connection.dialect)
    actor_id = actor.id if actor is not None else None
    ip_address = request.remote_addr if has_request_context() else None
    now = created_at(utcnow()) if created_at else utcnow()  # stored as the ORM stores it
    rows = [
        {
            "actor_id": actor_id, "action": action, "target_type": target_type.__name__,
            "target_id": target_id,
            "before": None if before is None else json.dumps(before, ensure_ascii=False),
            "after": None if after is None else json.dumps(after, ensure_ascii=False),
            "ip_address": ip_address, "created_at": now,
        }
        for target_id, before, after in events
    ]  # fmt: skip
    # through the driver: SQLAlchemy's processing of each row's parameters costs more than
    # writing it
    insert_returning(AuditEvent.__table__, rows, processed=True, batch=1000)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
