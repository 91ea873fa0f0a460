"""Schemathesis against the served OpenAPI document, in process on the WSGI app: generated
requests (valid and invalid) must never meet a server error nor an answer the document does
not describe. Bounded: a few dozen examples per operation, well under a minute."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from lms.api import services as keys
from lms.core.audit import AuditEvent
from lms.extensions import db
from tests.builders import make_certificate, make_listing, make_product, marketplace

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def api_calls() -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api.call")).all()


@pytest.fixture
def api_key(world):
    """Household A (0912345678) in order for Postmart, with a listing; a Postmart key."""
    make_certificate(world.household_a, serial="NA-2026-000001")
    product = make_product(household=world.household_a, ocop_stars=3, ocop_year=2024)
    make_listing(product=product)
    _key, secret = keys.create_key(world.admin, world.org_x, marketplace(), "Postmart")
    db.session.commit()
    return secret


#: per operation and kind of data: about 20 runs of this many stay well under a minute
EXAMPLES = 25


#: household A is in order for Postmart, household B has no certificate
PHONES = ("0912345678", "0987654321")


def strategies(operation):
    """Valid data, invalid data, then valid data aimed at the key's own marketplace and at
    households that exist, so that the deeper answers (200, 409 with reasons) are met too."""
    yield operation.as_strategy(GenerationMode.POSITIVE)
    yield operation.as_strategy(GenerationMode.NEGATIVE)
    if operation.path == "/certificates/credential":  # the Open Badges credential
        for phone in PHONES:
            yield operation.as_strategy(GenerationMode.POSITIVE, query={"phone": phone})
        return
    if "{code}" not in operation.path:
        yield operation.as_strategy(GenerationMode.POSITIVE, query={"serial": "NA-2026-000001"})
        return
    own = {"path_parameters": {"code": "postmart"}}
    yield operation.as_strategy(GenerationMode.POSITIVE, **own)
    yield operation.as_strategy(GenerationMode.NEGATIVE, **own)
    for phone in PHONES:
        if operation.method == "get":
            yield operation.as_strategy(GenerationMode.POSITIVE, query={"phone": phone}, **own)
        else:
            body = {"phone": phone, "account_id": "PM-1", "account_url": "https://postmart.vn/1"}
            yield operation.as_strategy(GenerationMode.POSITIVE, body=body, **own)


def test_the_api_keeps_to_its_document(app, api_key):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7
    # the WSGI client hands schemathesis the body as sent: an HTTP client would decompress
    # a brotli or gzip answer, this one would not, so it asks for none
    headers = {"Authorization": f"Bearer {api_key}", "Accept-Encoding": "identity"}
    for operation in operations:
        for strategy in strategies(operation):

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            check()
    # the generated requests reached the API (each call is an audit event), the deep ones too
    statuses = [event.after["status"] for event in api_calls()]
    assert len(statuses) > 100 and {200, 400, 404, 409} <= set(statuses)
