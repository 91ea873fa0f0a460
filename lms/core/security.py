"""Security headers on every response (a CSP with no inline script, no framing, no
sniffing), and input no one types refused before anything reads it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, request

from lms.core.errors import ControlCharacters

#: C0 controls but tab, line feed and carriage return, and DEL: a NUL or a terminal escape
#: is never typed by a person, and PostgreSQL cannot store a NUL
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), microphone=(), camera=(self)",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_control_characters() -> None:
        if any(CONTROL_CHARACTERS.search(value) for value in _submitted_text()):
            raise ControlCharacters()

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response


def _submitted_text() -> Iterator[str]:
    """Every piece of text of the request: path values, query, form fields, file names, JSON."""
    yield from (v for v in (request.view_args or {}).values() if isinstance(v, str))
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            yield key
            yield value
    yield from (f.filename or "" for f in request.files.values())
    if request.is_json:
        yield from _strings(request.get_json(silent=True))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
