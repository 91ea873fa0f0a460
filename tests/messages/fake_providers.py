"""Fake Zalo ZNS and eSMS.vn servers on 127.0.0.1, speaking their documented HTTP APIs: a
threaded ``http.server`` that checks each request's shape and answers as the provider
documents — success, or the error a test scripts (quota exceeded, invalid phone, template
rejected). What it received is kept for the test to read."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ZALO_PATH = "/message/template"
ESMS_PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
TOKEN = "oa-access-token-test"
API_KEY, SECRET_KEY, BRANDNAME = "esms-api-key", "esms-secret", "TAPHUAN"

#: the answers each provider documents for the cases the tests play
ZALO_ANSWERS = {
    "quota": {"error": -115, "message": "Out of quota"},
    "invalid_phone": {"error": -108, "message": "Phone number invalid"},
    "template": {"error": -112, "message": "Template data invalid"},
    "unknown": {"error": -100, "message": "Unknown error"},
}
ESMS_ANSWERS = {
    "quota": {"CodeResult": "103", "ErrorMessage": "Balance not enough to send message"},
    "invalid_phone": {"CodeResult": "108", "ErrorMessage": "Phone number is not in correct format"},
    "template": {"CodeResult": "146", "ErrorMessage": "Wrong customer care template"},
}


@dataclass
class Providers:
    url: str
    #: (provider, body) of every well-formed request, in order
    received: list[tuple[str, dict]] = field(default_factory=list)
    #: what was wrong with a request (the test asserts there is nothing)
    problems: list[str] = field(default_factory=list)
    #: provider → the answers to give next, in order (then success)
    scripted: dict[str, list[str]] = field(default_factory=lambda: {"zalo": [], "sms": []})
    request_ids: set[str] = field(default_factory=set)

    def reset(self) -> None:
        self.received.clear(), self.problems.clear(), self.request_ids.clear()
        for answers in self.scripted.values():
            answers.clear()

    def sent(self, provider: str) -> list[dict]:
        return [body for name, body in self.received if name == provider]


def _zalo(providers: Providers, headers, body: dict) -> dict:
    wrong = []
    if headers.get("access_token") != TOKEN:
        return {"error": -124, "message": "Access token invalid"}
    if set(body) != {"phone", "template_id", "template_data", "tracking_id"}:
        wrong.append(f"zalo keys {sorted(body)}")
    if not re.fullmatch(r"84\d{9}", str(body.get("phone"))):
        wrong.append(f"zalo phone {body.get('phone')!r}")
    data = body.get("template_data")
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        wrong.append(f"zalo template_data {data!r}")
    if wrong:
        providers.problems.extend(wrong)
        return {"error": -112, "message": "Template data invalid"}
    providers.received.append(("zalo", body))
    scripted = providers.scripted["zalo"]
    if scripted:
        return ZALO_ANSWERS[scripted.pop(0)]
    n = len(providers.sent("zalo"))
    return {
        "error": 0,
        "message": "Success",
        "data": {
            "msg_id": f"zns-{n}",
            "sent_time": "1764567890123",
            "quota": {"remainingQuota": "99"},
        },
    }


def _esms(providers: Providers, body: dict) -> dict:
    expected = {
        "ApiKey",
        "SecretKey",
        "Brandname",
        "SmsType",
        "Phone",
        "Content",
        "IsUnicode",
        "RequestId",
        "Sandbox",
    }
    if set(body) != expected:
        providers.problems.append(f"esms keys {sorted(body)}")
        return {"CodeResult": "99", "ErrorMessage": "bad request"}
    if (body["ApiKey"], body["SecretKey"]) != (API_KEY, SECRET_KEY):
        return {"CodeResult": "101", "ErrorMessage": "Authorize Failed"}
    if body["Brandname"] != BRANDNAME:
        return {"CodeResult": "104", "ErrorMessage": "Brandname not exist"}
    content = body["Content"]
    if body["IsUnicode"] != "0" or not content.isascii() or len(content) > 459:
        providers.problems.append(f"esms content {content!r}")
    if not re.fullmatch(r"84\d{9}", body["Phone"]):
        providers.problems.append(f"esms phone {body['Phone']!r}")
    if body["RequestId"] in providers.request_ids:  # documented: 124 Duplicate RequestId
        return {"CodeResult": "124", "ErrorMessage": "Duplicate RequestId"}
    providers.received.append(("sms", body))
    scripted = providers.scripted["sms"]
    if scripted:
        return ESMS_ANSWERS[scripted.pop(0)]
    providers.request_ids.add(body["RequestId"])
    return {"CodeResult": "100", "CountRegenerate": 0, "SMSID": f"sms-{len(providers.request_ids)}"}


def start(providers_holder: list) -> tuple[ThreadingHTTPServer, Providers]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            providers = providers_holder[0]
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length).decode("utf-8"))
            except ValueError:
                providers.problems.append("not JSON")
                body = {}
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                providers.problems.append(f"content type {self.headers.get('Content-Type')}")
            if self.path == ZALO_PATH:
                answer = _zalo(providers, self.headers, body)
            elif self.path == ESMS_PATH:
                answer = _esms(providers, body)
            else:
                self.send_error(404)
                return
            payload = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    providers = Providers(url=f"http://127.0.0.1:{server.server_address[1]}")
    providers_holder.append(providers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, providers
