"""The JSON API for marketplaces and partners, under /api/v1.

Every call needs an API key (``Authorization: Bearer <key>`` or ``X-API-Key``) and is rate
limited per key. Calls refused for their key (none, unknown, revoked) count against their
address, which is refused (429) past ``API_REFUSED_RATE_LIMIT`` before its key is even looked
up. A call with a known key is an audit event whatever its answer; a call without one is an
audit event only as the first from its address in each minute, so that made-up keys cannot
fill the audit trail (the limiter counts the rest). Errors are
``{"error": {"code": ..., "message": ...}}`` with the stable codes listed in the OpenAPI
document. State changes go through ``lms.activation.services``, the same gate as the screens.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask.wrappers import Response
from flask_babel import gettext as _
from limits import RateLimitItem, parse, parse_many
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests

from lms.activation import services as activation
from lms.activation.models import ActivationRequest, ActivationStatus
from lms.api import openapi
from lms.api import services as keys
from lms.certificates import services as certificates
from lms.certificates.models import Certificate
from lms.core.errors import JSON_MESSAGES, RuleViolation, json_error
from lms.core.text import mask_name, normalize_national_id, normalize_phone
from lms.extensions import csrf, db, limiter
from lms.households.models import Household
from lms.products.models import Marketplace

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies here: a key in a header cannot be sent by another site's form

#: endpoints anyone may read without a key
PUBLIC = {"api.openapi_document"}
#: how often a call without a known key becomes an audit event, per address
AUDITED_WITHOUT_KEY = parse("1 per minute")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.http_status, self.code, self.message = status, code, message
        self.extra = extra


@bp.app_errorhandler(ApiError)  # app-wide: calls to no route are authenticated too
def _api_error(error: ApiError) -> Response:
    return json_error(error.http_status, error.code, error.message, **error.extra)


def _presented_key() -> str:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.headers.get("X-API-Key", "").strip()


def rate_limit_key() -> str:
    """Each key has its own allowance; calls without one share their address's."""
    presented = _presented_key()
    if presented:
        return "key:" + hashlib.sha256(presented.encode()).hexdigest()[:16]
    return "addr:" + (request.remote_addr or "")


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(bp)


def _is_api_call() -> bool:
    return request.path.startswith(bp.url_prefix + "/")


def _address_counter(name: str) -> tuple[str, ...]:
    """The identifiers of a count kept per client address in the limiter's storage (shared
    by every worker when that is Redis)."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "lms"
    return (prefix, name, request.remote_addr or "")


def _refused_limits() -> list[RateLimitItem]:
    return parse_many(current_app.config["API_REFUSED_RATE_LIMIT"])


@bp.before_app_request
def _authenticate() -> None:
    """Every call under /api/v1 (a path of no route too) but the public document needs a
    known key. An address refused too often is refused again before its key is looked up;
    each refusal counts (counted after it, so calls racing at once may pass a few more)."""
    if not _is_api_call():
        return
    g.api_key = None
    if request.endpoint in PUBLIC:
        return
    counter = _address_counter("api-refused")
    if limiter.enabled:
        for limit in _refused_limits():
            if not limiter.limiter.test(limit, *counter):
                reset_at = limiter.limiter.get_window_stats(limit, *counter).reset_time
                raise TooManyRequests(retry_after=max(1, math.ceil(reset_at - time.time())))
    presented = _presented_key()
    g.api_key = keys.authenticate(presented) if presented else None
    if g.api_key is None:
        for limit in _refused_limits():
            limiter.limiter.hit(limit, *counter)
        if not presented:
            raise ApiError(401, "unauthorized", str(JSON_MESSAGES[401]))
        raise ApiError(401, "unauthorized", _("This API key is unknown or was revoked."))


@bp.after_app_request
def _audit(response: Response) -> Response:
    """A call with a known key is an audit event whatever its answer; one without is only
    the first from its address in each minute (a flood of made-up keys is not one row each)."""
    if not _is_api_call():
        return response
    if response.status_code >= 500:
        db.session.rollback()
    if g.get("api_key") is None and not limiter.limiter.hit(
        AUDITED_WITHOUT_KEY, *_address_counter("api-audit")
    ):
        return response
    error = response.get_json(silent=True) if response.status_code >= 400 else None
    keys.record_call(
        g.get("api_key"),
        method=request.method,
        path=request.path[:200],
        status=response.status_code,
        code=(error or {}).get("error", {}).get("code"),
    )
    return response


# ---------------------------------------------------------------- helpers


def _partner(code: str) -> Marketplace:
    partner = db.session.scalar(select(Marketplace).where(Marketplace.code == code[:30]))
    if partner is None:
        raise ApiError(404, "marketplace_not_found", _("No marketplace has this code."))
    if g.api_key.marketplace_id != partner.id:
        raise ApiError(
            403,
            "forbidden_marketplace",
            _("This API key does not act for %(name)s.", name=partner.name),
        )
    return partner


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_request", _("The body must be a JSON object."))
    return body


def _text(source: dict[str, Any], name: str, limit: int) -> str:
    value = source.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > limit:
        raise ApiError(
            400,
            "invalid_request",
            _("'%(field)s' must be text of at most %(n)d characters.", field=name, n=limit),
            field=name,
        )
    return value.strip()


def _household(source: dict[str, Any]) -> Household:
    """The household named by ``phone`` or ``national_id`` (and, when given, ``head_name``),
    in the key's organisation's area; a call that describes someone else is a 409."""
    phone, national_id = _text(source, "phone", 20), _text(source, "national_id", 20)
    if not phone and not national_id:
        raise ApiError(
            400, "invalid_request", _("Give the household's phone or national ID."), field="phone"
        )
    if phone and normalize_phone(phone) is None:
        raise ApiError(
            400, "invalid_request", _("This is not a Vietnamese phone number."), field="phone"
        )
    if national_id and normalize_national_id(national_id) is None:
        raise ApiError(
            400,
            "invalid_request",
            _("A national ID (CCCD) has 12 digits."),
            field="national_id",
        )
    head_name = _text(source, "head_name", 120)
    try:
        household = activation.identify_household(
            phone, national_id, head_name, keys.households_of(g.api_key)
        )
    except RuleViolation as error:
        raise ApiError(409, "identity_mismatch", str(error.message)) from error
    if household is None:
        raise ApiError(
            404,
            "household_not_found",
            _("No household with this phone or national ID in your organisation's area."),
        )
    return household


def _request_json(request_: ActivationRequest | None) -> dict[str, Any] | None:
    if request_ is None:
        return None
    return {
        "status": request_.status.value,
        "refusal_reason": request_.refusal_reason,
        "account_id": request_.account_id,
        "account_url": request_.account_url,
        "activated_at": request_.activated_at.isoformat() if request_.activated_at else None,
        "needs_review": request_.needs_review,
    }


def _report(household: Household, partner: Marketplace, request_: ActivationRequest) -> Response:
    if request_.status is ActivationStatus.REFUSED:
        raise ApiError(
            409,
            "gate_refused",
            _("The household may not have an account yet."),
            reasons=(request_.refusal_reason or "").splitlines(),
        )
    return jsonify(
        household_id=household.id, marketplace=partner.code, request=_request_json(request_)
    )


# ---------------------------------------------------------------- endpoints


@bp.get("/openapi.json")
def openapi_document() -> Response:
    server = url_for("api.openapi_document", _external=True).rsplit("/", 1)[0]
    return jsonify(openapi.document(server))


@bp.get("/certificates/verify")
def verify_certificate() -> Response:
    token, serial = _text(request.args, "token", 400), _text(request.args, "serial", 40)
    if bool(token) == bool(serial):
        raise ApiError(400, "invalid_request", _("Give either a token or a serial number."))
    certificate: Certificate | None
    if token:
        certificate = certificates.verify_token(token).certificate
    else:
        certificate = certificates.find_by_serial(serial)
    if certificate is None:
        raise ApiError(404, "certificate_not_found", _("No certificate matches."))
    return jsonify(
        serial=certificate.serial,
        status=certificate.status.value,
        holder=mask_name(certificate.holder_name),
        commune=certificate.commune_name,
        programme=certificate.programme.name,
        issued_on=certificate.issued_on.isoformat(),
        revoked_on=certificate.revoked_at.date().isoformat() if certificate.revoked_at else None,
        replaced_by=certificate.replaced_by.serial if certificate.replaced_by else None,
    )


@bp.get("/certificates/credential")
def certificate_credential() -> Response:
    """The certificate as a signed Open Badges 3.0 credential: by the token of its QR code
    (the household shows it), or by the household's phone or national ID in the key's
    organisation's area (its valid certificate)."""
    token = _text(request.args, "token", 400)
    if token:
        certificate = certificates.verify_token(token).certificate
    else:
        certificate = certificates.valid_certificate(_household(request.args).id)
    if certificate is None:
        raise ApiError(404, "certificate_not_found", _("No certificate matches."))
    return Response(
        json.dumps(certificates.open_badge_for(certificate), ensure_ascii=False),
        mimetype=certificates.CREDENTIAL_MEDIA_TYPE,
    )


@bp.get("/marketplaces/<code>/eligibility")
def eligibility(code: str) -> Response:
    partner = _partner(code)
    household = _household(request.args)
    reasons = activation.refusal_reasons(household, partner)
    return jsonify(
        household={
            "id": household.id,
            "holder": mask_name(household.head_name),
            "commune": household.area.name,
        },
        marketplace=partner.code,
        eligible=not reasons,
        reasons=reasons,
        request=_request_json(activation.requests_of(household).get(partner.id)),
    )


@bp.post("/marketplaces/<code>/activations")
def report_activation(code: str) -> Response:
    partner, body = _partner(code), _body()
    household = _household(body)
    account_id, account_url = _text(body, "account_id", 120), _text(body, "account_url", 500)
    try:
        request_ = activation.report_activated(None, household, partner, account_id, account_url)
    except RuleViolation as error:
        raise _violation(error) from error
    return _report(household, partner, request_)


@bp.post("/marketplaces/<code>/closures")
def report_closure(code: str) -> Response:
    partner, body = _partner(code), _body()
    household = _household(body)
    request_ = activation.requests_of(household).get(partner.id)
    if request_ is None:
        raise ApiError(409, "invalid_state", _("Only an activated account can be closed."))
    try:
        activation.report_closed(None, request_)
    except RuleViolation as error:
        raise _violation(error) from error
    return _report(household, partner, request_)


def _flagship_json(flagship) -> dict[str, Any]:
    """A flagship product as the marketplaces read it: the story's title and summary and the
    registry's facts of today (current ratings, certifications with validity, linked shops,
    producing households counted by commune)."""
    from lms.flagship import services as flagship_services

    story, facts = flagship.story.current, flagship_services.facts_of(flagship)
    return {
        "slug": flagship.slug,
        "title": story.title,
        "title_en": story.title_en,
        "summary": story.summary,
        "province": flagship.area.name,
        "year": flagship.year,
        "page_url": url_for("flagship.detail", slug=flagship.slug, _external=True),
        "ocop": [{"stars": r.stars, "year": r.year} for r in facts.current_ratings],
        "certifications": [
            {
                "kind": c.label,
                "issuer": c.issuer,
                "expires_on": c.expires_on.isoformat() if c.expires_on else None,
                "valid": c.is_valid,
            }
            for c in facts.certifications
        ],
        "shops": [{"marketplace": s.marketplace, "url": s.url} for s in facts.shops],
        "households_by_commune": facts.communes,
    }


@bp.get("/flagship-products")
def flagship_products() -> Response:
    from lms.flagship import services as flagship_services

    return jsonify(items=[_flagship_json(f) for f in flagship_services.public_flagships()])


@bp.get("/flagship-products/<slug>")
def flagship_product(slug: str) -> Response:
    from lms.flagship import services as flagship_services

    flagship = flagship_services.public_flagship(slug)
    if flagship is None:
        raise ApiError(404, "not_found", _("No flagship product has this name."))
    return jsonify(_flagship_json(flagship))


def _violation(error: RuleViolation) -> ApiError:
    """A refused input names its field (400); a refused move is a conflict (409)."""
    if error.field:
        return ApiError(400, "invalid_request", str(error.message), field=error.field)
    return ApiError(409, "invalid_state", str(error.message))
