"""The partners' JSON API: keys, scope, the gate, errors, the audit trail, the OpenAPI document."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import func, select

from lms.activation.models import ActivationRequest, ActivationStatus
from lms.api import services as keys
from lms.api.models import ApiKey
from lms.certificates.services import revoke_certificate, token_for
from lms.core.audit import AuditEvent
from lms.extensions import db
from tests.builders import (
    make_certificate,
    make_listing,
    make_organisation,
    make_product,
    marketplace,
)


@pytest.fixture
def api(world):
    """Household A in order for Postmart; keys of two organisations."""
    world.certificate_a = make_certificate(world.household_a)
    world.product_a = make_product(
        household=world.household_a, name="Nhút Thanh Chương", ocop_stars=4, ocop_year=2024
    )
    # VNPost's key: the whole province, for Postmart
    _key, world.postmart_key = keys.create_key(world.admin, world.org_x, marketplace(), "Postmart")
    # a ViettelPost office of commune 2 only, for Voso
    org_z = make_organisation(code="VTP-YT", name="Viettel Post Yên Thành", area=world.commune_2)
    _key, world.voso_key = keys.create_key(world.admin, org_z, marketplace("voso"), "Voso YT")
    _key, world.verify_key = keys.create_key(world.admin, world.org_y, None, "Xác minh")
    db.session.commit()
    return world


def call(client, method, path, key=None, **kwargs):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


def test_a_key_is_shown_once_and_stored_hashed(api):
    stored = db.session.scalars(select(ApiKey.key_hash)).all()
    assert hashlib.sha256(api.postmart_key.encode()).hexdigest() in stored
    assert api.postmart_key not in stored and len(api.postmart_key) > 40


def test_no_key_an_unknown_key_and_a_revoked_key_are_refused(api, client):
    response = call(client, "GET", "/marketplaces/postmart/eligibility?phone=0912345678")
    assert response.status_code == 401 and error_code(response) == "unauthorized"
    assert "API" in response.get_json()["error"]["message"]
    assert call(client, "GET", "/certificates/verify?serial=X", "lms_guess").status_code == 401
    key = db.session.scalar(select(ApiKey).where(ApiKey.name == "Postmart"))
    keys.revoke_key(api.admin, key)
    response = call(
        client, "GET", "/marketplaces/postmart/eligibility?phone=0912345678", api.postmart_key
    )
    assert response.status_code == 401 and "thu hồi" in response.get_json()["error"]["message"]


def test_the_x_api_key_header_works_too(api, client):
    response = client.get(
        "/api/v1/marketplaces/postmart/eligibility",
        query_string={"national_id": "040186001234"},
        headers={"X-API-Key": api.postmart_key},
    )
    assert response.status_code == 200 and response.get_json()["eligible"] is True


def test_verify_a_certificate_by_serial_or_token(api, client):
    serial = api.certificate_a.serial
    body = call(client, "GET", f"/certificates/verify?serial={serial}", api.verify_key).get_json()
    assert body["status"] == "valid" and body["holder"] == "Nguyễn T. H."
    token = token_for(api.certificate_a)
    revoke_certificate(api.admin, api.certificate_a, "Sai tên")
    by_token = call(
        client, "GET", "/certificates/verify", api.verify_key, query_string={"token": token}
    )
    assert by_token.get_json()["status"] == "revoked" and by_token.get_json()["revoked_on"]
    for query in ("", f"?serial={serial}&token={token}"):
        response = call(client, "GET", f"/certificates/verify{query}", api.verify_key)
        assert response.status_code == 400 and error_code(response) == "invalid_request"
    response = call(client, "GET", "/certificates/verify?token=forged.token", api.verify_key)
    assert response.status_code == 404 and error_code(response) == "certificate_not_found"


def test_eligibility_says_why_not_in_vietnamese(api, client):
    revoke_certificate(api.admin, api.certificate_a, "Sai tên chủ hộ")
    response = call(
        client, "GET", "/marketplaces/postmart/eligibility?phone=0912 345 678", api.postmart_key
    )
    body = response.get_json()
    assert body["eligible"] is False and body["request"] is None
    assert "đã bị thu hồi" in body["reasons"][0] and body["household"]["holder"] == "Nguyễn T. H."
    assert "đã bị thu hồi".encode() in response.data  # UTF-8 as written, not \u escapes


@pytest.mark.parametrize(
    ("query", "message"),
    [
        # household A's phone, household B's CCCD
        ("phone=0912345678&national_id=040084002345", "thuộc hai hộ khác nhau"),
        ("phone=0912345678&national_id=040199999999", "không phải số đã đăng ký"),
        ("phone=0912345678&head_name=Lê Văn Khác", "không phải tên chủ hộ"),
    ],
    ids=["phone-and-cccd-of-two-households", "another-cccd", "another-name"],
)
def test_a_call_describing_someone_else_is_refused_not_answered(api, client, query, message):
    """The identity rule of imports holds for partners too: the API never answers
    "eligible" for whichever household one of the call's identifiers happens to match."""
    response = call(client, "GET", f"/marketplaces/postmart/eligibility?{query}", api.postmart_key)
    assert response.status_code == 409 and error_code(response) == "identity_mismatch"
    assert message in response.get_json()["error"]["message"]
    payload = dict(pair.split("=") for pair in query.split("&")) | {"account_id": "PM-1"}
    report = call(
        client, "POST", "/marketplaces/postmart/activations", api.postmart_key, json=payload
    )
    assert report.status_code == 409 and error_code(report) == "identity_mismatch"
    assert db.session.scalar(select(ActivationRequest)) is None


def test_the_households_name_in_any_case_and_without_marks_is_the_same_person(api, client):
    path = "/marketplaces/postmart/eligibility?phone=0912345678&head_name=NGUYEN THI HUONG"
    response = call(client, "GET", path, api.postmart_key)
    assert response.status_code == 200 and response.get_json()["household"]["id"]


def test_a_reported_activation_goes_through_the_gate(api, client):
    revoke_certificate(api.admin, api.certificate_a, "Sai tên")
    payload = {"phone": "0912345678", "account_id": "PM-1"}
    response = call(
        client, "POST", "/marketplaces/postmart/activations", api.postmart_key, json=payload
    )
    assert response.status_code == 409 and error_code(response) == "gate_refused"
    assert "đã bị thu hồi" in response.get_json()["error"]["reasons"][0]
    request = db.session.scalar(select(ActivationRequest))
    assert request.status is ActivationStatus.REFUSED


def test_activation_then_closure_reported_by_the_marketplace(api, client):
    listing = make_listing(product=api.product_a)
    db.session.commit()
    payload = {
        "national_id": "040186001234",
        "account_id": "PM-77",
        "account_url": "https://postmart.vn/shop/pm-77",
    }
    response = call(
        client, "POST", "/marketplaces/postmart/activations", api.postmart_key, json=payload
    )
    assert response.status_code == 200
    assert response.get_json()["request"]["status"] == "activated"
    again = call(
        client, "POST", "/marketplaces/postmart/activations", api.postmart_key, json=payload
    )
    assert again.status_code == 409 and error_code(again) == "invalid_state"
    closed = call(
        client,
        "POST",
        "/marketplaces/postmart/closures",
        api.postmart_key,
        json={"phone": "0912345678"},
    )
    assert closed.status_code == 200 and closed.get_json()["request"]["status"] == "closed"
    db.session.refresh(listing)
    assert listing.delisted_on is not None


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"account_id": "PM-1"}, "phone", "Hãy cho biết số điện thoại hoặc số CCCD của hộ."),
        ({"phone": "12", "account_id": "PM-1"}, "phone", "Đây không phải số điện thoại Việt Nam."),
        ({"national_id": "0401", "account_id": "PM-1"}, "national_id", "Số CCCD gồm 12 chữ số."),
        ({"phone": "0912345678"}, "account_id", "Vui lòng nhập mã gian hàng hoặc tài khoản."),
        (
            {"phone": "0912345678", "account_id": "PM-1", "account_url": "ftp://x"},
            "account_url",
            "Địa chỉ phải bắt đầu bằng https://",
        ),
        (
            {"phone": 912345678, "account_id": "PM-1"},
            "phone",
            "'phone' phải là chuỗi ký tự, tối đa 20 ký tự.",
        ),
    ],
)
def test_bad_input_is_a_clear_400_and_changes_nothing(api, client, payload, field, message):
    """Partners read the reason in Vietnamese, as written, with the field it is about."""
    response = call(
        client, "POST", "/marketplaces/postmart/activations", api.postmart_key, json=payload
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == {
        "code": "invalid_request",
        "message": message,
        "field": field,
    }
    assert db.session.scalar(select(func.count()).select_from(ActivationRequest)) == 0


def test_a_body_that_is_not_a_json_object_is_refused(api, client):
    response = call(
        client, "POST", "/marketplaces/postmart/closures", api.postmart_key, data="phone=0912345678"
    )
    assert response.status_code == 400 and error_code(response) == "invalid_request"


def test_keys_from_one_organisation_cannot_act_for_another(api, client):
    # the Voso office of commune 2 does not reach household A (commune 1)...
    response = call(client, "GET", "/marketplaces/voso/eligibility?phone=0912345678", api.voso_key)
    assert response.status_code == 404 and error_code(response) == "household_not_found"
    # ...reaches household B (commune 2)...
    response = call(client, "GET", "/marketplaces/voso/eligibility?phone=0987654321", api.voso_key)
    assert response.status_code == 200
    # ...and acts for Voso only, as the Postmart key acts for Postmart only
    payload = {"phone": "0987654321", "account_id": "VS-1"}
    response = call(
        client, "POST", "/marketplaces/postmart/activations", api.voso_key, json=payload
    )
    assert response.status_code == 403 and error_code(response) == "forbidden_marketplace"
    response = call(client, "POST", "/marketplaces/voso/closures", api.postmart_key, json=payload)
    assert response.status_code == 403
    response = call(
        client, "GET", "/marketplaces/voso/eligibility?phone=0987654321", api.verify_key
    )
    assert response.status_code == 403
    response = call(
        client, "GET", "/marketplaces/nowhere/eligibility?phone=0987654321", api.voso_key
    )
    assert response.status_code == 404 and error_code(response) == "marketplace_not_found"
    assert db.session.scalar(select(func.count()).select_from(ActivationRequest)) == 0


def test_every_call_is_an_audit_event(api, client):
    calls = [
        call(client, "GET", "/certificates/verify?serial=NA-1", api.verify_key),
        call(
            client, "GET", "/marketplaces/postmart/eligibility?phone=0912345678", api.postmart_key
        ),
        call(client, "GET", "/marketplaces/postmart/eligibility?phone=0912345678"),
        call(client, "DELETE", "/marketplaces/postmart/closures", api.postmart_key),
        call(client, "GET", "/nowhere", api.postmart_key),
    ]
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "api.call").order_by(AuditEvent.id)
    ).all()
    assert [e.after["status"] for e in events] == [r.status_code for r in calls]
    assert [r.status_code for r in calls] == [404, 200, 401, 405, 404]
    assert events[1].target_type == "ApiKey" and events[1].after["key"] == api.postmart_key[:12]
    assert events[2].target_id is None and events[2].after["code"] == "unauthorized"
    assert "POST" in calls[3].headers["Allow"] and error_code(calls[3]) == "method_not_allowed"


def test_the_api_needs_no_csrf_token(api, client, csrf):
    payload = {"phone": "0912345678", "account_id": "PM-5"}
    response = call(
        client, "POST", "/marketplaces/postmart/activations", api.postmart_key, json=payload
    )
    assert response.status_code == 200


def test_the_openapi_document_describes_exactly_the_api(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    served = {
        re.sub(r"<(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi_document"
    }
    assert set(document["paths"]) == served
    for path, operations in document["paths"].items():
        rule = next(
            r
            for r in app.url_map.iter_rules()
            if r.rule.endswith(re.sub(r"{(\w+)}", r"<\1>", path))
        )
        assert {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}} == set(operations)
