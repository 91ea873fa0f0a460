"""A household's request to correct or delete its personal data, and its answer."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import Base, str_enum, utcnow

if TYPE_CHECKING:
    from lms.auth.models import User
    from lms.households.models import Household


class RequestKind(StrEnum):
    CORRECT = "correct"
    DELETE = "delete"


class RequestStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    REFUSED = "refused"


KIND_LABELS = {
    RequestKind.CORRECT: _l("Correct my data"),
    RequestKind.DELETE: _l("Delete my data"),
}
STATUS_LABELS = {
    RequestStatus.OPEN: _l("Waiting"),
    RequestStatus.DONE: _l("Done"),
    RequestStatus.REFUSED: _l("Refused"),
}


class DataRequest(Base):
    """Filed by the household (or staff on its behalf), answered by an official of its area."""

    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    kind: Mapped[RequestKind] = mapped_column(str_enum(RequestKind))
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus), default=RequestStatus.OPEN, index=True
    )
    #: what is wrong, or why: the household's words (cleared when its data is deleted)
    details: Mapped[str] = mapped_column(Text, default="")
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None]
    #: the official's answer: what was corrected, or why it was refused
    answer: Mapped[str] = mapped_column(Text, default="")

    household: Mapped[Household] = relationship()
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])

    @property
    def is_open(self) -> bool:
        return self.status is RequestStatus.OPEN
