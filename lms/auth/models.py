"""Accounts: staff log in with e-mail + password, household members with phone + PIN."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.areas.models import Area
from lms.core.models import Base, TimestampMixin, str_enum
from lms.households.models import Household
from lms.organisations.models import Organisation


class Role(StrEnum):
    ADMIN = "admin"
    OFFICIAL = "official"
    TRAINER = "trainer"
    #: a member of a commune's community digital technology team (tổ công nghệ số cộng
    #: đồng): helps the households of its commune learn at class sessions there
    DIGITAL_TEAM = "digital_team"
    HOUSEHOLD = "household"

    @property
    def is_staff(self) -> bool:
        return self is not Role.HOUSEHOLD


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.OFFICIAL: _l("Official"),
    Role.TRAINER: _l("Trainer"),
    Role.DIGITAL_TEAM: _l("Community digital technology team member"),
    Role.HOUSEHOLD: _l("Household member"),
}


def role_label(role: Role) -> str:
    return str(ROLE_LABELS[Role(role)])


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    full_name: Mapped[str] = mapped_column(String(120))
    #: staff log in with it; lower-cased
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    #: household members log in with it; canonical form 0912345678
    phone: Mapped[str | None] = mapped_column(String(15), unique=True)
    #: slow hash of the password (staff) or of the 6-digit PIN (household members)
    password_hash: Mapped[str] = mapped_column(String(255))
    #: the scope of officials and trainers
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    #: the version in the QR of the newest login card; raised by printing one
    card_version: Mapped[int] = mapped_column(default=0)
    #: the card version that was newest when every card was last revoked: that card was
    #: revoked, older ones replaced (None: never revoked). A card that was revoked, then
    #: replaced, then revoked again reads as replaced, which it also was.
    revoked_card_version: Mapped[int | None]
    #: raised to end every open session (logout, a new card or secret, a deactivation); a
    #: session cookie holds the version it was opened at, and an older one logs no one in
    session_version: Mapped[int] = mapped_column(default=0)
    #: the PIN was printed on a card (someone else has seen it): the member is asked to
    #: choose its own at the next login
    must_change_pin: Mapped[bool] = mapped_column(default=False, server_default=false())

    area: Mapped[Area | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    household: Mapped[Household | None] = relationship(foreign_keys=[household_id])

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie: the id and the session version."""
        return f"{self.id}:{self.session_version}"

    @property
    def login(self) -> str:
        """What the user types to log in."""
        return (self.email if self.role.is_staff else self.phone) or ""

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
