"""Security headers on every response (a CSP with no inline script, no framing, no
sniffing, no copy kept of a page or a file), and input no one types refused before anything
reads it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import BadRequest

from lms.core.errors import JSON_PREFIX, ControlCharacters, NestedTooDeep

#: C0 controls but tab, line feed and carriage return, and DEL: a NUL or a terminal escape
#: is never typed by a person, and PostgreSQL cannot store a NUL
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: no real body nests deeper (the API takes flat objects); a deeper one is refused, not walked
MAX_JSON_DEPTH = 32

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
    def refuse_json_outside_the_api() -> None:
        # pages take forms; Flask-WTF would read a JSON body as one and fail on a list (500)
        if request.is_json and not request.path.startswith(JSON_PREFIX):
            raise BadRequest()

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
        if request.endpoint != "static" and response.cache_control.max_age is None:
            # pages and files hold personal data, and a commune's computer is shared: no
            # copy stays behind; static assets, and a view that sets its own max-age (lesson
            # images, the same for every learner), keep their caching
            response.headers["Cache-Control"] = "no-store"
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
        yield from _strings(_json_body())


def _json_body() -> Any:
    """The parsed JSON body (None when it is not JSON); too deep for the parser is a 400."""
    try:
        return request.get_json(silent=True)
    except RecursionError:  # the parser gives up near 1,000 levels, with no ValueError
        raise NestedTooDeep() from None


def _strings(document: Any) -> Iterator[str]:
    """The keys and strings of a JSON document, walked with a stack of its own: a nesting
    that would exhaust Python's recursion is refused at ``MAX_JSON_DEPTH`` instead."""
    stack = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise NestedTooDeep()
            if isinstance(value, dict):
                yield from (str(key) for key in value)
                value = list(value.values())
            stack.extend((item, depth + 1) for item in value)
