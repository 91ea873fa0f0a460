"""The OpenAPI 3.1 document of the JSON API, served at /api/v1/openapi.json.

Written by hand, next to the views it describes; a test compares its paths with the URL map
and schemathesis checks every answer against it.
"""

from __future__ import annotations

from typing import Any

PHONE = {
    "name": "phone",
    "in": "query",
    "required": False,
    "description": "The household's phone number (any usual form: 0912 345 678, +84…).",
    "schema": {"type": "string", "maxLength": 20},
    "example": "0912345678",
}
NATIONAL_ID = {
    "name": "national_id",
    "in": "query",
    "required": False,
    "description": "The head of household's national ID (CCCD, 12 digits).",
    "schema": {"type": "string", "maxLength": 20},
}
HEAD_NAME = {
    "name": "head_name",
    "in": "query",
    "required": False,
    "description": "The head of household's name, when the partner has it: a name that is "
    "not the household's is refused (`identity_mismatch`).",
    "schema": {"type": "string", "maxLength": 120},
}
IDENTITY_MISMATCH = (
    "The phone and national ID belong to two households, or the national ID or name is not "
    "the registered household's (`identity_mismatch`)."
)
MARKETPLACE = {
    "name": "code",
    "in": "path",
    "required": True,
    "description": "The marketplace or payment provider's code, e.g. postmart, voso.",
    "schema": {"type": "string", "pattern": "^[a-z0-9-]{1,30}$"},
    "example": "postmart",
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


ERRORS = {
    "400": _error("The input is not valid (code `invalid_request`)."),
    "401": _error("No API key, or an unknown or revoked one (code `unauthorized`)."),
    "429": _error(
        "Too many requests for this key, or too many calls refused for their key from this "
        "address (code `rate_limited`)."
    ),
}
SCOPED_ERRORS = {
    **ERRORS,
    "403": _error("The key acts for another marketplace (code `forbidden_marketplace`)."),
    "404": _error(
        "No such marketplace (`marketplace_not_found`), or no household with this phone or "
        "national ID in the key's organisation's area (`household_not_found`)."
    ),
}
REPORT_BODY_PROPERTIES = {
    "phone": {"type": "string", "maxLength": 20, "example": "0912345678"},
    "national_id": {"type": "string", "maxLength": 20},
    "head_name": {"type": "string", "maxLength": 120},
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {
                        "type": "string",
                        "description": "Stable, for programs: invalid_request, unauthorized, "
                        "forbidden_marketplace, marketplace_not_found, household_not_found, "
                        "certificate_not_found, not_found, method_not_allowed, gate_refused, "
                        "invalid_state, rate_limited, internal_error.",
                    },
                    "message": {"type": "string", "description": "For people, in Vietnamese."},
                    "reasons": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "With gate_refused: why the household may not, yet.",
                    },
                    "field": {"type": "string"},
                },
            }
        },
    },
    "Certificate": {
        "type": "object",
        "required": ["serial", "status", "holder", "commune", "programme", "issued_on"],
        "properties": {
            "serial": {"type": "string", "example": "NA-2026-000123"},
            "status": {"type": "string", "enum": ["valid", "revoked"]},
            "holder": {"type": "string", "description": "The head of household, masked."},
            "commune": {"type": "string"},
            "programme": {"type": "string"},
            "issued_on": {"type": "string", "format": "date"},
            "revoked_on": {"type": ["string", "null"], "format": "date"},
            "replaced_by": {"type": ["string", "null"], "description": "Serial of the new one."},
        },
    },
    "Request": {
        "type": ["object", "null"],
        "description": "The household's activation request for this marketplace, if any.",
        "required": ["status", "account_id", "account_url", "needs_review"],
        "properties": {
            "status": {
                "type": "string",
                "enum": ["requested", "approved", "activated", "refused", "closed"],
            },
            "refusal_reason": {"type": ["string", "null"]},
            "account_id": {"type": "string"},
            "account_url": {"type": "string"},
            "activated_at": {"type": ["string", "null"], "format": "date-time"},
            "needs_review": {
                "type": "boolean",
                "description": "Activated, but the household's certificate was revoked since.",
            },
        },
    },
    "Eligibility": {
        "type": "object",
        "required": ["household", "marketplace", "eligible", "reasons", "request"],
        "properties": {
            "household": {
                "type": "object",
                "required": ["id", "holder", "commune"],
                "properties": {
                    "id": {"type": "integer"},
                    "holder": {"type": "string", "description": "Masked name."},
                    "commune": {"type": "string"},
                },
            },
            "marketplace": {"type": "string"},
            "eligible": {"type": "boolean"},
            "reasons": {"type": "array", "items": {"type": "string"}},
            "request": {"$ref": "#/components/schemas/Request"},
        },
    },
    "Report": {
        "type": "object",
        "required": ["household_id", "marketplace", "request"],
        "properties": {
            "household_id": {"type": "integer"},
            "marketplace": {"type": "string"},
            "request": {"$ref": "#/components/schemas/Request"},
        },
    },
    "ActivationReport": {
        "type": "object",
        "description": "Give phone or national_id (or both).",
        "required": ["account_id"],
        "properties": {
            **REPORT_BODY_PROPERTIES,
            "account_id": {"type": "string", "minLength": 1, "maxLength": 120, "example": "PM-1"},
            "account_url": {
                "type": "string",
                "maxLength": 500,
                "description": "The shop's address, starting with https:// (or http://).",
            },
        },
    },
    "FlagshipProduct": {
        "type": "object",
        "required": [
            "slug",
            "title",
            "province",
            "year",
            "page_url",
            "ocop",
            "certifications",
            "shops",
            "households_by_commune",
        ],
        "properties": {
            "slug": {"type": "string", "example": "che-xanh-dien-chau"},
            "title": {"type": "string"},
            "title_en": {"type": "string"},
            "summary": {"type": "string"},
            "province": {"type": "string"},
            "year": {"type": "integer"},
            "page_url": {"type": "string", "description": "The public page (its QR code's)."},
            "ocop": {
                "type": "array",
                "description": "Current OCOP ratings only (an expired one is left out).",
                "items": {
                    "type": "object",
                    "required": ["stars", "year"],
                    "properties": {"stars": {"type": "integer"}, "year": {"type": "integer"}},
                },
            },
            "certifications": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind", "valid"],
                    "properties": {
                        "kind": {"type": "string"},
                        "issuer": {"type": "string"},
                        "expires_on": {"type": ["string", "null"], "format": "date"},
                        "valid": {"type": "boolean"},
                    },
                },
            },
            "shops": {
                "type": "array",
                "description": "Live listings of products still eligible to list.",
                "items": {
                    "type": "object",
                    "required": ["marketplace", "url"],
                    "properties": {"marketplace": {"type": "string"}, "url": {"type": "string"}},
                },
            },
            "households_by_commune": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
                "description": "Producing households counted by commune; never named.",
            },
        },
    },
    "ClosureReport": {
        "type": "object",
        "description": "Give phone or national_id (or both).",
        "properties": REPORT_BODY_PROPERTIES,
    },
}


def _report(summary: str, body: str, done: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "operationId": body[0].lower() + body[1:],
            "parameters": [MARKETPLACE],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}
                },
            },
            "responses": {
                "200": _ok(done, "Report"),
                **SCOPED_ERRORS,
                "409": _error(
                    "The gate refused (`gate_refused`, with `reasons`; the request is recorded "
                    "as refused), the request is not in a state that allows this "
                    "(`invalid_state`), or the call describes another household "
                    "(`identity_mismatch`)."
                ),
            },
        }
    }


def document(server_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Đưa hộ SXNN lên sàn TMĐT — API for marketplaces",
            "version": "1.0.0",
            "description": (
                "Verify certificates, ask whether a household may have a shop or account, and "
                "report shops activated or closed. Every call needs an API key (ask the "
                "programme's administrator) and is recorded in the audit trail. Messages are "
                "in Vietnamese; codes are stable."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}, {"apiKey": []}],
        "paths": {
            "/certificates/verify": {
                "get": {
                    "summary": "Verify a certificate by its QR code's token or its serial",
                    "operationId": "verifyCertificate",
                    "parameters": [
                        {
                            "name": "token",
                            "in": "query",
                            "required": False,
                            "description": "The code in the certificate's QR link (/v/<token>).",
                            "schema": {"type": "string", "maxLength": 400},
                        },
                        {
                            "name": "serial",
                            "in": "query",
                            "required": False,
                            "description": "The serial number printed on it.",
                            "schema": {"type": "string", "maxLength": 40},
                            "example": "NA-2026-000001",
                        },
                    ],
                    "responses": {
                        "200": _ok("The certificate, valid or revoked.", "Certificate"),
                        **ERRORS,
                        "404": _error("No certificate matches (`certificate_not_found`)."),
                    },
                }
            },
            "/certificates/credential": {
                "get": {
                    "summary": "A certificate as a signed Open Badges 3.0 credential",
                    "description": (
                        "An OpenBadgeCredential (W3C Verifiable Credential 2.0) with a Data "
                        "Integrity proof (`eddsa-rdfc-2022`, did:key of the programme's key). "
                        "The household is named only by a salted hash of the head of "
                        "household's name; revocation is published in the Bitstring Status "
                        "List its `credentialStatus` names. Give the token of the certificate's "
                        "QR code, or the household's phone or national ID (its valid "
                        "certificate, in the key's organisation's area)."
                    ),
                    "operationId": "certificateCredential",
                    "parameters": [
                        {
                            "name": "token",
                            "in": "query",
                            "required": False,
                            "description": "The code in the certificate's QR link (/v/<token>).",
                            "schema": {"type": "string", "maxLength": 400},
                        },
                        PHONE,
                        NATIONAL_ID,
                        HEAD_NAME,
                    ],
                    "responses": {
                        "200": {
                            "description": "The signed credential.",
                            "content": {
                                "application/vc": {
                                    "schema": {
                                        "type": "object",
                                        "required": [
                                            "@context",
                                            "type",
                                            "issuer",
                                            "credentialSubject",
                                            "proof",
                                        ],
                                    }
                                }
                            },
                        },
                        **ERRORS,
                        "404": _error(
                            "No certificate matches (`certificate_not_found`), or no household "
                            "with this phone or national ID in the key's organisation's area "
                            "(`household_not_found`)."
                        ),
                        "409": _error(IDENTITY_MISMATCH),
                    },
                }
            },
            "/flagship-products": {
                "get": {
                    "summary": "This year's public flagship products of the provinces",
                    "operationId": "flagshipProducts",
                    "responses": {
                        "200": {
                            "description": "The flagship products, with the registry's facts.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["items"],
                                        "properties": {
                                            "items": {
                                                "type": "array",
                                                "items": {
                                                    "$ref": "#/components/schemas/FlagshipProduct"
                                                },
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        **ERRORS,
                    },
                }
            },
            "/flagship-products/{slug}": {
                "get": {
                    "summary": "One flagship product, by the name of its page",
                    "operationId": "flagshipProduct",
                    "parameters": [
                        {
                            "name": "slug",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[a-z0-9-]{1,80}$"},
                            "example": "che-xanh-dien-chau",
                        }
                    ],
                    "responses": {
                        "200": _ok("The flagship product.", "FlagshipProduct"),
                        **ERRORS,
                        "404": _error("No public flagship product has this slug (`not_found`)."),
                    },
                }
            },
            "/marketplaces/{code}/eligibility": {
                "get": {
                    "summary": "May this household have a shop (or account) here? If not, why",
                    "operationId": "eligibility",
                    "parameters": [MARKETPLACE, PHONE, NATIONAL_ID, HEAD_NAME],
                    "responses": {
                        "200": _ok("The gate's answer and the request, if any.", "Eligibility"),
                        **SCOPED_ERRORS,
                        "409": _error(IDENTITY_MISMATCH),
                    },
                }
            },
            "/marketplaces/{code}/activations": _report(
                "Report that the household's shop or account was activated",
                "ActivationReport",
                "Recorded: the request is activated.",
            ),
            "/marketplaces/{code}/closures": _report(
                "Report that the household's shop or account was closed",
                "ClosureReport",
                "Recorded: the request is closed and the household's listings here ended.",
            ),
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
            "schemas": SCHEMAS,
        },
    }
