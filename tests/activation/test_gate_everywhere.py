"""The gate from every entry point: the household's screen, the trainer's screens, the API
and the CLI each meet the same four cases with the same answer."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from lms.activation.models import ActivationRequest, ActivationStatus
from lms.api import services as keys
from lms.certificates.services import revoke_certificate
from lms.extensions import db
from tests.builders import make_certificate, make_product, marketplace

CASES = {
    # case: a phrase of the reason shown (None: in order, the request goes ahead)
    "no_certificate": "Hộ chưa hoàn thành khóa học",
    "revoked": "đã bị thu hồi",
    "no_eligible_product": "Chưa có sản phẩm đủ điều kiện đưa lên sàn",
    "in_order": None,
}


def arrange(world, case: str) -> None:
    if case != "no_certificate":
        certificate = make_certificate(world.household_a)
    stars = 2 if case == "no_eligible_product" else 3
    make_product(household=world.household_a, ocop_stars=stars, ocop_year=2024)
    db.session.commit()
    if case == "revoked":
        revoke_certificate(world.admin, certificate, "Cấp nhầm")


def via_household(world, client_for, app) -> str:
    client = client_for(world.member_a)
    path = f"/households/{world.household_a.id}/activation"
    return client.post(
        path, data={"marketplace_id": marketplace().id}, follow_redirects=True
    ).get_data(as_text=True)


def via_trainer(world, client_for, app) -> str:
    client = client_for(world.trainer_x)
    path = f"/households/{world.household_a.id}/activation"
    body = client.post(path, data={"marketplace_id": marketplace().id}, follow_redirects=True)
    request = db.session.scalar(select(ActivationRequest))
    if request.status is ActivationStatus.REQUESTED:
        body = client.post(f"/activation/requests/{request.id}/approve", follow_redirects=True)
    return body.get_data(as_text=True)


def via_api(world, client_for, app) -> str:
    _key, secret = keys.create_key(world.admin, world.org_x, marketplace(), "Postmart")
    response = client_for().post(
        "/api/v1/marketplaces/postmart/activations",
        json={"phone": world.household_a.phone, "account_id": "PM-1"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == (200 if response.get_json().get("request") else 409)
    return json.dumps(response.get_json(), ensure_ascii=False)


def via_cli(world, client_for, app) -> str:
    runner = app.test_cli_runner()
    output = runner.invoke(
        args=["activation", "request", world.household_a.phone, "postmart"]
    ).output
    request = db.session.scalar(select(ActivationRequest))
    if request.status is ActivationStatus.REQUESTED:
        output += runner.invoke(args=["activation", "approve", str(request.id)]).output
    return output


ENTRY_POINTS = {
    "web_household": (via_household, ActivationStatus.REQUESTED),
    "web_trainer": (via_trainer, ActivationStatus.APPROVED),
    "api": (via_api, ActivationStatus.ACTIVATED),
    "cli": (via_cli, ActivationStatus.APPROVED),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_the_gate_answers_alike_everywhere(courses, world, client_for, app, entry, case):
    arrange(world, case)
    call, status_when_in_order = ENTRY_POINTS[entry]
    shown = call(world, client_for, app)
    request = db.session.scalar(select(ActivationRequest))
    db.session.refresh(request)
    reason = CASES[case]
    if reason is None:
        assert request.status is status_when_in_order and request.refusal_reason is None
    else:
        assert request.status is ActivationStatus.REFUSED
        assert reason in request.refusal_reason
        assert reason in shown  # the caller was told why, in Vietnamese
