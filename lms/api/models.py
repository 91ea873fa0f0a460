"""API keys: how a marketplace or partner organisation calls the JSON API.

A key is shown once when an admin creates it and only its SHA-256 is stored (the key is a
long random token, so a fast hash is enough). A key belongs to an organisation, acts only on
the households of that organisation's area, and for at most one marketplace or payment
provider; a revoked key stops at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import Base, TimestampMixin

if TYPE_CHECKING:
    from lms.auth.models import User
    from lms.organisations.models import Organisation
    from lms.products.models import Marketplace


class ApiKey(TimestampMixin, Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what the key is for, e.g. "Postmart — máy chủ chính"
    name: Mapped[str] = mapped_column(String(120))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: the one marketplace or payment provider the key acts for; None: verification only
    marketplace_id: Mapped[int | None] = mapped_column(ForeignKey("marketplaces.id"), index=True)
    #: the key's first characters, to recognise it in lists and logs (not a secret)
    prefix: Mapped[str] = mapped_column(String(16))
    #: hex SHA-256 of the whole key
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    marketplace: Mapped[Marketplace | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.organisation.is_active
