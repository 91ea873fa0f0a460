"""The providers behind one small interface: ``channel.send(phone, template, text, params)``
answers a ``Delivery`` (sent with the provider's id, or refused with why, and whether a
later attempt may succeed).

- Zalo ZNS: ``POST {ZALO_ZNS_URL}`` with the Official Account's ``access_token`` header and
  ``{phone: "84…", template_id, template_data, tracking_id}``; the answer is
  ``{"error": 0, "message", "data": {"msg_id", "sent_time", "quota"}}`` or a negative error
  (Zalo's table of ZNS error codes: -108 invalid phone, -115 out of quota, -109/-112/-117
  template problems, -118/-119 no Zalo account that can receive, -124 invalid token, -144
  the OA's daily limit, -100 an unknown error to try again).
- SMS brandname through eSMS.vn: ``POST {ESMS_URL}`` (SendMultipleMessage_V4_post_json)
  with ``ApiKey, SecretKey, Brandname, SmsType, Phone, Content, IsUnicode, RequestId``; the
  answer's ``CodeResult`` is "100" with an ``SMSID``, or an error (99 blocked number, 101
  wrong keys, 103 no balance, 104 unknown brandname, 108 invalid phone, 124 the RequestId was
  already sent, 146 a text that matches no registered template).
- in-app: the household's message box; always works.

Only configuration names the hosts, so tests point them at a fake provider on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from lms.messages.models import Channel


@dataclass(frozen=True)
class Delivery:
    sent: bool
    provider_message_id: str | None = None
    #: a stable code: quota, invalid_phone, template, no_account, credentials, provider, network
    error_code: str | None = None
    #: what the provider said, for staff
    error: str | None = None
    #: a later attempt may succeed (a network error, a provider's unknown error)
    retry: bool = False


NOT_CONFIGURED = _l("Not sent: channel not configured")


class ChannelAdapter:
    channel: Channel

    def is_configured(self, template: str) -> bool:
        raise NotImplementedError

    def send(
        self, phone: str, template: str, text: str, params: dict[str, str], key: str
    ) -> Delivery:
        raise NotImplementedError


def request_id(key: str) -> str:
    """The id a provider is given for a message: the idempotency key hashed (unique as the
    key is, and within both providers' 48-character limits)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


def international(phone: str) -> str:
    """0912345678 → 84912345678, as both providers ask."""
    return "84" + phone[1:] if phone.startswith("0") else phone


def _post_json(url: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
    """POST JSON, read JSON: (status, body) — or raise OSError when nothing answered. Only
    http(s) URLs from the configuration are called."""
    if not url.startswith(("https://", "http://")):
        raise OSError(f"not an http(s) URL: {url}")
    request = urllib.request.Request(  # noqa: S310 - checked just above
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", **headers},
        method="POST",
    )
    timeout = current_app.config["MESSAGES_TIMEOUT"]
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.loads(error.read() or b"null")
        except ValueError:
            return error.code, None


def _network_failure(error: Exception) -> Delivery:
    return Delivery(
        False, error_code="network", error=f"{type(error).__name__}: {error}", retry=True
    )


#: Zalo's ZNS error codes → our codes (and whether to try again)
ZALO_ERRORS = {
    -108: ("invalid_phone", False),
    -118: ("no_account", False),
    -119: ("no_account", False),
    -114: ("no_account", False),
    -139: ("no_account", False),
    -115: ("quota", False),
    -144: ("quota", False),
    -109: ("template", False),
    -111: ("template", False),
    -112: ("template", False),
    -117: ("template", False),
    -124: ("credentials", False),
    -100: ("provider", True),
}


class ZaloZns(ChannelAdapter):
    channel = Channel.ZALO

    def template_id(self, template: str) -> str | None:
        return (current_app.config.get("ZALO_TEMPLATES") or {}).get(template)

    def is_configured(self, template: str) -> bool:
        config = current_app.config
        return bool(config.get("ZALO_ACCESS_TOKEN") and config.get("ZALO_ZNS_URL")) and bool(
            self.template_id(template)
        )

    def send(self, phone, template, text, params, key) -> Delivery:
        config = current_app.config
        body = {
            "phone": international(phone),
            "template_id": self.template_id(template),
            "template_data": params,
            "tracking_id": request_id(key),
        }
        try:
            status, answer = _post_json(
                config["ZALO_ZNS_URL"], body, {"access_token": config["ZALO_ACCESS_TOKEN"]}
            )
        except (TimeoutError, OSError) as error:
            return _network_failure(error)
        if not isinstance(answer, dict) or "error" not in answer:
            return Delivery(
                False, error_code="provider", error=f"HTTP {status}", retry=status >= 500
            )
        code = answer.get("error")
        if code == 0:
            return Delivery(True, provider_message_id=str((answer.get("data") or {}).get("msg_id")))
        ours, retry = ZALO_ERRORS.get(code, ("provider", False))
        return Delivery(
            False, error_code=ours, error=f"Zalo {code}: {answer.get('message', '')}", retry=retry
        )


#: eSMS's CodeResult values → our codes (and whether to try again)
ESMS_ERRORS = {
    "99": ("invalid_phone", False),
    "108": ("invalid_phone", False),
    "101": ("credentials", False),
    "102": ("credentials", False),
    "104": ("credentials", False),
    "103": ("quota", False),
    "146": ("template", False),
}


class EsmsBrandname(ChannelAdapter):
    channel = Channel.SMS

    def is_configured(self, template: str) -> bool:
        config = current_app.config
        return all(
            config.get(name)
            for name in ("ESMS_URL", "ESMS_API_KEY", "ESMS_SECRET_KEY", "ESMS_BRANDNAME")
        )

    def send(self, phone, template, text, params, key) -> Delivery:
        config = current_app.config
        body = {
            "ApiKey": config["ESMS_API_KEY"],
            "SecretKey": config["ESMS_SECRET_KEY"],
            "Brandname": config["ESMS_BRANDNAME"],
            "SmsType": str(config["ESMS_SMS_TYPE"]),
            "Phone": international(phone),
            "Content": text,
            "IsUnicode": "0",
            # eSMS refuses a RequestId it already sent (124): a message sent, then retried
            # because its answer was lost, is not sent (nor paid) twice
            "RequestId": request_id(key),
            "Sandbox": "1" if config.get("ESMS_SANDBOX") else "0",
        }
        try:
            status, answer = _post_json(config["ESMS_URL"], body, {})
        except (TimeoutError, OSError) as error:
            return _network_failure(error)
        if not isinstance(answer, dict) or "CodeResult" not in answer:
            return Delivery(
                False, error_code="provider", error=f"HTTP {status}", retry=status >= 500
            )
        code = str(answer["CodeResult"])
        if code == "100":
            return Delivery(True, provider_message_id=str(answer.get("SMSID") or ""))
        if code == "124":  # already sent under this RequestId: sent once, as wanted
            return Delivery(True, provider_message_id=str(answer.get("SMSID") or request_id(key)))
        ours, retry = ESMS_ERRORS.get(code, ("provider", False))
        message = answer.get("ErrorMessage") or ""
        return Delivery(False, error_code=ours, error=f"eSMS {code}: {message}", retry=retry)


class InApp(ChannelAdapter):
    """The household's message box on its home page: written, so delivered."""

    channel = Channel.IN_APP

    def is_configured(self, template: str) -> bool:
        return True

    def send(self, phone, template, text, params, key) -> Delivery:
        return Delivery(True, provider_message_id=None)


ADAPTERS: dict[Channel, ChannelAdapter] = {
    Channel.ZALO: ZaloZns(),
    Channel.SMS: EsmsBrandname(),
    Channel.IN_APP: InApp(),
}
