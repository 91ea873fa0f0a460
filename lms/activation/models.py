"""Activation requests: a household's shop on a marketplace, or its online-payment account.

A request moves ``requested → approved → activated`` or ends ``refused`` (with a reason);
only the gate in ``lms.activation.services`` changes its state. One row per household and
partner: asking again after a refusal reopens the same request.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import Base, TimestampMixin, str_enum, utcnow

if TYPE_CHECKING:
    from lms.auth.models import User
    from lms.households.models import Household
    from lms.products.models import Marketplace


class ActivationStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    ACTIVATED = "activated"
    REFUSED = "refused"
    #: the shop or account was closed (reported by the marketplace)
    CLOSED = "closed"


#: how a request's state reads in the queue, on a household's page and in exports
STATUS_LABELS = {
    ActivationStatus.REQUESTED: _l("Waiting for a decision"),
    ActivationStatus.APPROVED: _l("Approved, to activate"),
    ActivationStatus.ACTIVATED: _l("Activated"),
    ActivationStatus.REFUSED: _l("Refused"),
    ActivationStatus.CLOSED: _l("Closed"),
}
#: how a gate's answer reads: not yet possible, and why (never "refused")
NOT_YET_LABEL = _l("Not yet possible")


class ActivationRequest(TimestampMixin, Base):
    __tablename__ = "activation_requests"
    __table_args__ = (
        UniqueConstraint("household_id", "marketplace_id"),
        # officials' figures: "an activated shop" counted from the index alone
        Index(
            "ix_activation_requests_household_status", "household_id", "status", "marketplace_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    #: a marketplace (Postmart, Voso) or a payment provider: see ``Marketplace.kind``
    marketplace_id: Mapped[int] = mapped_column(ForeignKey("marketplaces.id"), index=True)
    status: Mapped[ActivationStatus] = mapped_column(
        str_enum(ActivationStatus), default=ActivationStatus.REQUESTED, index=True
    )
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: why the request was refused, in the words shown to the household
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    activated_at: Mapped[datetime | None]
    #: the shop or account on the partner's side, once activated
    account_id: Mapped[str] = mapped_column(String(120), default="")
    account_url: Mapped[str] = mapped_column(String(500), default="")
    #: set when the household's certificate was revoked while the account was active
    needs_review: Mapped[bool] = mapped_column(default=False, index=True)
    #: refused by the gate as the household (or a trainer for it) asked: an answer saying
    #: what is missing, not a request anyone refused; it waits in no one's queue
    answered_by_gate: Mapped[bool] = mapped_column(default=False, server_default=false())

    household: Mapped[Household] = relationship()
    marketplace: Mapped[Marketplace] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
