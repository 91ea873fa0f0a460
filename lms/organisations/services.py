"""Organisations: postal branches, commune offices, the programme office."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.areas.models import Area
from lms.auth.models import User
from lms.core.audit import record_event, snapshot
from lms.core.database import vietnamese
from lms.core.errors import RuleViolation, flush_unique, rollback_on_violation
from lms.core.scope import visible_organisations
from lms.core.text import clean
from lms.extensions import db
from lms.organisations.models import Organisation
from lms.products.models import Marketplace, partner_operators

AUDITED_FIELDS = ("code", "name", "kind", "area_id", "is_active", "partner_ids")


def list_organisations(user: User) -> list[Organisation]:
    statement = (
        select(Organisation)
        .where(visible_organisations(user))
        .order_by(vietnamese(Organisation.name))
    )
    return list(db.session.scalars(statement))


@rollback_on_violation
def save_organisation(
    actor: User | None, organisation: Organisation | None, **fields: Any
) -> Organisation:
    """Create (``organisation`` is None) or edit an organisation; its code is unique.

    ``partner_ids``: the marketplaces and payment services it runs; its trainers decide their
    activation requests (``lms.core.permissions.can_decide_activation``).
    """
    before = _audited(organisation) if organisation else None
    if organisation is None:
        organisation = Organisation()
        db.session.add(organisation)
    partner_ids = fields.pop("partner_ids", None)
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
    if partner_ids is not None:
        _set_partners(organisation, partner_ids)
    action = "organisation.update" if before else "organisation.create"
    record_event(actor, action, organisation, before=before, after=_audited(organisation))
    db.session.commit()
    return organisation


def all_partners() -> list[Marketplace]:
    """Every marketplace and payment service, open or not: an organisation may run either."""
    return list(
        db.session.scalars(
            select(Marketplace).order_by(Marketplace.kind, vietnamese(Marketplace.name))
        )
    )


def partners_run_by(organisation: Organisation) -> list[Marketplace]:
    statement = (
        select(Marketplace)
        .join(partner_operators)
        .where(partner_operators.c.organisation_id == organisation.id)
        .order_by(vietnamese(Marketplace.name))
    )
    return list(db.session.scalars(statement))


def _set_partners(organisation: Organisation, partner_ids: list[int]) -> None:
    wanted = set(partner_ids)
    chosen = list(db.session.scalars(select(Marketplace).where(Marketplace.id.in_(wanted))))
    if len(chosen) != len(wanted):
        raise RuleViolation(_l("Please choose from the list."), field="partner_ids")
    for partner in partners_run_by(organisation):
        if partner.id not in wanted:
            partner.operators.remove(organisation)
    for partner in chosen:
        if organisation not in partner.operators:
            partner.operators.append(organisation)
    db.session.flush()


def _audited(organisation: Organisation) -> dict[str, Any]:
    fields = snapshot(organisation, AUDITED_FIELDS[:-1])
    return fields | {"partner_ids": [partner.id for partner in partners_run_by(organisation)]}
