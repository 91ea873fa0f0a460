"""The administrator's organisation screens."""

from __future__ import annotations

from sqlalchemy import select

from lms.core.audit import AuditEvent
from lms.extensions import db
from lms.organisations.models import Organisation, OrganisationKind


def test_admin_creates_and_edits_an_organisation(world, client_for):
    client = client_for(world.admin)
    response = client.post(
        "/organisations/new",
        data={
            "code": "ubnd-dc",
            "name": "UBND xã Diễn Châu",
            "kind": "commune_office",
            "area_id": str(world.commune_1.id),
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == "UBND-DC"))
    assert organisation.kind is OrganisationKind.COMMUNE_OFFICE
    client.post(
        f"/organisations/{organisation.id}/edit",
        data={
            "code": "UBND-DC",
            "name": "UBND xã Diễn Châu",
            "kind": "commune_office",
            "area_id": str(world.commune_1.id),
        },
    )
    db.session.expire_all()
    assert db.session.get(Organisation, organisation.id).is_active is False
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.target_type == "Organisation")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["organisation.create", "organisation.update"]


def test_a_duplicate_code_is_refused(world, client_for):
    response = client_for(world.admin).post(
        "/organisations/new",
        data={
            "code": "VNPOST",
            "name": "Bản sao",
            "kind": "postal",
            "area_id": str(world.province.id),
        },
    )
    assert response.status_code == 400
    assert "Mã này đã được dùng cho một đơn vị khác." in response.get_data(as_text=True)
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Bản sao")) is None
