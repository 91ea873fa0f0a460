"""Domain errors and the HTTP error pages (Vietnamese and English, never a stack trace)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Flask, jsonify, render_template, request
from flask.wrappers import Response
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException

P = ParamSpec("P")
R = TypeVar("R")


class RuleViolation(Exception):
    """A business rule refused the action; ``message`` is shown to the user as it is."""

    def __init__(self, message: str | LazyString, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        #: the form field the message belongs to, when there is one
        self.field = field


class LoginLocked(RuleViolation):
    """Too many failed logins for one phone or e-mail."""


def rollback_on_violation(service: Callable[P, R]) -> Callable[P, R]:
    """A refused service leaves nothing behind: its pending changes are rolled back."""

    @wraps(service)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        from lms.extensions import db

        try:
            return service(*args, **kwargs)
        except RuleViolation:
            db.session.rollback()
            raise

    return wrapped


def flush_unique(message: str | LazyString, field: str | None = None) -> None:
    """Flush; when a unique constraint refuses it, the refusal is a RuleViolation saying
    ``message`` (the constraint, not a prior query, is what holds under concurrency)."""
    from sqlalchemy.exc import IntegrityError

    from lms.extensions import db

    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise RuleViolation(message, field=field) from error


class ControlCharacters(BadRequest):
    """Input holding control characters (a NUL, an escape): refused before anything reads it."""

    reason = _l(
        "What was sent contains invisible control characters, which no keyboard types. "
        "Please type the text again instead of pasting it."
    )


class NestedTooDeep(BadRequest):
    """A JSON body nested deeper than any real one: refused before anything walks it."""

    reason = _l("What was sent is nested too deeply to be read. Please send plain data.")


ERROR_PAGES = (400, 401, 403, 404, 405, 413, 429, 500)

#: paths answered with a JSON error rather than a page (the partners' API)
JSON_PREFIX = "/api/"
#: the stable code of a JSON error for each HTTP status the API may answer
JSON_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
    500: "internal_error",
}
JSON_MESSAGES = {
    400: _l("The request is not valid."),
    401: _l("An API key is needed: send it as 'Authorization: Bearer <key>' or 'X-API-Key'."),
    403: _l("This API key may not do this."),
    404: _l("Not found."),
    405: _l("This method is not allowed here."),
    413: _l("The request is too large."),
    429: _l("Too many requests. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. The error has been recorded."),
}


def json_error(status: int, code: str | None = None, message=None, **extra) -> Response:
    """The API's one error shape: ``{"error": {"code": ..., "message": ...}}``."""
    body = {"code": code or JSON_CODES[status], "message": str(message or JSON_MESSAGES[status])}
    response = jsonify(error={**body, **extra})
    response.status_code = status
    return response


def init_app(app: Flask) -> None:
    for code in ERROR_PAGES:
        app.register_error_handler(code, _render_error)
    app.register_error_handler(CSRFError, _render_csrf_error)


def _render_csrf_error(error: CSRFError) -> tuple[str, int]:
    reason = _l(
        "The form has expired or did not come from this site. "
        "Please go back, reload the page and try again."
    )
    return render_template("errors/error.html", code=400, reason=reason), 400


def _render_error(error: Exception) -> tuple[str, int] | Response:
    code = error.code if isinstance(error, HTTPException) and error.code else 500
    if code == 500:
        from lms.extensions import db

        db.session.rollback()
    if request.path.startswith(JSON_PREFIX):
        reason = getattr(error, "reason", None)
        response = json_error(code if code in JSON_CODES else 400, message=reason)
        if isinstance(error, HTTPException):  # keep Allow (405) and Retry-After (429)
            for name, value in error.get_headers():
                if name.lower() not in ("content-type", "content-length"):
                    response.headers[name] = value
        return response
    reason = TOO_MANY_REQUESTS if code == 429 else getattr(error, "reason", None)
    return render_template("errors/error.html", code=code, reason=reason), code


TOO_MANY_REQUESTS = _l(
    "Too many attempts from this connection. Please wait a minute, then try again."
)
