"""The administrator's API key screens: create (shown once), list, revoke."""

from __future__ import annotations

from sqlalchemy import select

from lms.api.models import ApiKey
from lms.core.audit import AuditEvent
from lms.extensions import db
from tests.builders import marketplace


def test_an_admin_creates_a_key_sees_it_once_and_revokes_it(world, client_for, csrf):
    client = client_for(world.admin)
    page = client.get("/admin/api-keys").get_data(as_text=True)
    assert "Chưa có khóa API nào" in page
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/admin/api-keys",
        data={
            "csrf_token": token,
            "name": "Postmart — máy chủ chính",
            "organisation_id": world.org_x.id,
            "marketplace_id": marketplace().id,
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "chỉ hiển thị một lần này" in body
    secret = body.split('<code id="new-key">')[1].split("</code>")[0]
    key = db.session.scalar(select(ApiKey))
    assert secret.startswith("lms_") and key.key_hash != secret and key.prefix == secret[:12]
    listing = client.get("/admin/api-keys").get_data(as_text=True)
    assert secret not in listing and f"{key.prefix}…" in listing
    check = client_for().get(
        "/api/v1/marketplaces/postmart/eligibility?phone=0912345678",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert check.status_code == 200

    # first what revoking does, with the button that revokes; the key works meanwhile
    asked = client.post(f"/admin/api-keys/{key.id}/revoke", data={"csrf_token": token})
    assert asked.status_code == 200 and "Vui lòng xác nhận" in asked.text
    assert f"Thu hồi khóa {key.prefix}… (Postmart — máy chủ chính)?" in asked.text
    assert "mọi lệnh gọi dùng khóa này đều bị từ chối" in asked.text
    assert "không thể hoàn tác" in asked.text and 'name="confirmed" value="1"' in asked.text
    client.post(f"/admin/api-keys/{key.id}/revoke", data={"csrf_token": token, "confirmed": "no"})
    db.session.refresh(key)
    assert key.revoked_at is None
    check = client_for().get(
        "/api/v1/marketplaces/postmart/eligibility?phone=0912345678",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert check.status_code == 200
    client.post(f"/admin/api-keys/{key.id}/revoke", data={"csrf_token": token, "confirmed": "1"})
    db.session.refresh(key)
    assert key.revoked_at is not None
    check = client_for().get(
        "/api/v1/marketplaces/postmart/eligibility?phone=0912345678",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert check.status_code == 401
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("api_key.%")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["api_key.create", "api_key.revoke"]


def test_a_key_needs_a_name_and_an_organisation(world, client_for):
    response = client_for(world.admin).post(
        "/admin/api-keys", data={"name": "", "organisation_id": "", "marketplace_id": ""}
    )
    assert response.status_code == 400
    assert "Vui lòng đặt tên cho khóa" in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiKey)) is None
