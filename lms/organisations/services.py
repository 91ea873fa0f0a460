"""Organisations: postal branches, commune offices, the programme office."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.areas.models import Area
from lms.auth.models import User
from lms.core.audit import record_event, snapshot
from lms.core.errors import RuleViolation, flush_unique, rollback_on_violation
from lms.core.scope import visible_organisations
from lms.core.text import clean
from lms.extensions import db
from lms.organisations.models import Organisation

AUDITED_FIELDS = ("code", "name", "kind", "area_id", "is_active")


def list_organisations(user: User) -> list[Organisation]:
    statement = select(Organisation).where(visible_organisations(user)).order_by(Organisation.name)
    return list(db.session.scalars(statement))


@rollback_on_violation
def save_organisation(
    actor: User | None, organisation: Organisation | None, **fields: Any
) -> Organisation:
    """Create (``organisation`` is None) or edit an organisation; its code is unique."""
    before = snapshot(organisation, AUDITED_FIELDS) if organisation else None
    if organisation is None:
        organisation = Organisation()
        db.session.add(organisation)
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.code = clean(organisation.code).upper()
    organisation.name = clean(organisation.name)
    if not organisation.code or not organisation.name:
        raise RuleViolation(_l("Please enter the organisation's code and name."))
    if organisation.area_id is None or db.session.get(Area, organisation.area_id) is None:
        raise RuleViolation(
            _l("Please choose the area the organisation works in."), field="area_id"
        )
    flush_unique(_l("Another organisation already has this code."), field="code")
    action = "organisation.update" if before else "organisation.create"
    record_event(
        actor, action, organisation, before=before, after=snapshot(organisation, AUDITED_FIELDS)
    )
    db.session.commit()
    return organisation
