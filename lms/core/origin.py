"""Where a quiz answer or a self check-in came from: a device and an address, hashed.

The proxy flags (``lms.assisted.proxies``) look for one device or address answering for many
households. Neither is kept as it is: the device is a random id in a long-lived cookie
(``lms_device``), stored as its SHA-256; the address (IP) is stored as an HMAC keyed with the
application's secret key, so the 4 billion IPv4 addresses cannot be hashed back one by one.
Two records from the same device or address compare equal; nothing else can be read from them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import Flask, Response, current_app, request

DEVICE_COOKIE = "lms_device"
#: about two years: the device stays recognisable across a programme year
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600
#: where a request keeps the id it gave a device without one (the request's own environ:
#: ``g`` can outlive a request when tests share an application context)
NEW_DEVICE = "lms.new_device_id"
#: hex characters kept of each hash (128 bits)
HASH_LENGTH = 32


@dataclass(frozen=True)
class Origin:
    device_hash: str | None
    address_hash: str | None


def hash_device(device_id: str) -> str:
    return hashlib.sha256(device_id.encode()).hexdigest()[:HASH_LENGTH]


def hash_address(address: str) -> str:
    key = hashlib.sha256(f"origin-address:{current_app.secret_key}".encode()).digest()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:HASH_LENGTH]


def _device_id() -> str:
    """The device's id: its cookie, or a new one the response sets."""
    device = request.cookies.get(DEVICE_COOKIE, "")
    if not (16 <= len(device) <= 64 and device.replace("-", "").replace("_", "").isalnum()):
        device = request.environ.get(NEW_DEVICE) or secrets.token_urlsafe(24)
        request.environ[NEW_DEVICE] = device
    return device


def request_origin() -> Origin:
    """The origin of the current request, for a service to record."""
    address = request.remote_addr
    return Origin(hash_device(_device_id()), hash_address(address) if address else None)


def _set_device_cookie(response: Response) -> Response:
    """A page of a logged-in user gives its device an id, so its first quiz or check-in is
    recognised (a check-in by the QR link is a GET: the cookie must already be there)."""
    from flask_login import current_user

    new = request.environ.get(NEW_DEVICE)
    if (
        new is None
        and DEVICE_COOKIE not in request.cookies
        and response.mimetype == "text/html"
        and current_user
        and current_user.is_authenticated
    ):
        new = _device_id()
    if new is not None:
        response.set_cookie(
            DEVICE_COOKIE,
            new,
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response


def init_app(app: Flask) -> None:
    app.after_request(_set_device_cookie)
