"""The outbox (one row per message and channel) and the household's consents."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import Base, str_enum, utcnow
from lms.households.models import Household


class Channel(StrEnum):
    ZALO = "zalo"
    SMS = "sms"
    IN_APP = "in_app"

    @property
    def is_external(self) -> bool:
        """Leaves the product through a provider (paid, quiet hours, consent of its own)."""
        return self is not Channel.IN_APP


CHANNEL_LABELS = {
    Channel.ZALO: _l("Zalo (ZNS)"),
    Channel.SMS: _l("SMS"),
    Channel.IN_APP: _l("In the app"),
}


class MessageState(StrEnum):
    #: waiting to be sent (``not_before``: held until then: quiet hours, a retry)
    PENDING = "pending"
    #: claimed by a worker, the provider being called; a row left here was maybe sent and
    #: is never sent again by itself (it would be paid twice): staff see it
    SENDING = "sending"
    SENT = "sent"
    #: the provider refused it, or every attempt failed
    FAILED = "failed"
    #: never handed to a provider: no consent, channel not configured, no phone
    NOT_SENT = "not_sent"


STATE_LABELS = {
    MessageState.PENDING: _l("Waiting"),
    MessageState.SENDING: _l("Being sent"),
    MessageState.SENT: _l("Sent"),
    MessageState.FAILED: _l("Failed"),
    MessageState.NOT_SENT: _l("Not sent"),
}


class Message(Base):
    """One message to one household on one channel.

    ``idempotency_key`` (template, the object it is about, the occasion, channel, household)
    is unique: a trigger fired twice, or a retry, finds the row already there, so a message
    is written once, and a worker sends it only after claiming it (pending → sending) by a
    guarded UPDATE, so it is sent and paid for once.
    """

    __tablename__ = "messages"
    __table_args__ = (
        # the sweep: pending messages due now
        Index("ix_messages_state_not_before", "state", "not_before"),
        # the household's box and the delivery figures
        Index("ix_messages_household_channel", "household_id", "channel"),
        # the rate limit: a channel's calls of the last minute
        Index("ix_messages_channel_claimed_at", "channel", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    #: the template's name, a file in lms/messages/texts/ ("class_reminder")
    template: Mapped[str] = mapped_column(String(40))
    #: the record the message is about ("ClassSession", 12)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    #: which time of the subject it tells about ("" for a once-only message; a session's
    #: start, so a session moved is reminded of again)
    occasion: Mapped[str] = mapped_column(String(40), default="")
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    state: Mapped[MessageState] = mapped_column(
        str_enum(MessageState), default=MessageState.PENDING
    )
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    #: the template's parameters, as given when the message was written (never a secret)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the provider calls made (a retry adds one)
    attempts: Mapped[int] = mapped_column(default=0)
    #: not sent before this time (quiet hours, the next retry)
    not_before: Mapped[datetime | None]
    #: the provider's id of the message (Zalo msg_id, eSMS SMSID)
    provider_message_id: Mapped[str | None] = mapped_column(String(100))
    #: why it was not sent or failed: a stable code ("no_consent", "quota") and, in
    #: Vietnamese, what staff read
    error_code: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    household: Mapped[Household] = relationship()

    def __repr__(self) -> str:
        return f"<Message {self.id} {self.template} {self.channel} {self.state}>"


class ConsentPurpose(StrEnum):
    """What a household agrees to: the processing of its data, and each message channel."""

    DATA = "data"
    ZALO = "zalo"
    SMS = "sms"


PURPOSE_LABELS = {
    ConsentPurpose.DATA: _l("Processing of the household's data"),
    ConsentPurpose.ZALO: _l("Messages by Zalo"),
    ConsentPurpose.SMS: _l("Messages by SMS"),
}


class ConsentMethod(StrEnum):
    #: given or withdrawn by the household itself, logged in on its phone
    PHONE = "phone"
    #: signed on paper at a class; recorded by the trainer
    PAPER = "paper"


METHOD_LABELS = {
    ConsentMethod.PHONE: _l("On its phone"),
    ConsentMethod.PAPER: _l("On paper, at a class"),
}


class Consent(Base):
    """A consent given or withdrawn: a row each time, never changed afterwards.

    The newest row of a household and purpose is its consent now (``is_given``); the older
    ones are its history. The text agreed to is the file
    ``lms/messages/consent_texts/<purpose>-v<text_version>.md``.
    """

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_household_purpose", "household_id", "purpose", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    purpose: Mapped[ConsentPurpose] = mapped_column(str_enum(ConsentPurpose))
    #: True: given; False: withdrawn
    is_given: Mapped[bool]
    method: Mapped[ConsentMethod] = mapped_column(str_enum(ConsentMethod))
    #: the version of the text shown (consent_texts/<purpose>-v<version>.md)
    text_version: Mapped[int]
    #: why it was withdrawn, as the household said it
    reason: Mapped[str] = mapped_column(Text, default="")
    #: who recorded it: the household's member (phone) or the trainer (paper)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: the class where the paper was signed
    session_id: Mapped[int | None] = mapped_column(ForeignKey("class_sessions.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    household: Mapped[Household] = relationship()
