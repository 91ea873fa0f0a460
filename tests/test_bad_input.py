"""Bad input, everywhere: every form of the application, found by reading every page of the
access matrix, receives empty, huge, malformed, wrong-type, wrong-encoding, script and SQL
input. The answer is never a server error; a refusal says why and changes nothing; what is
accepted (text that merely looks like an attack) is stored as text and shown escaped.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from sqlalchemy import inspect, select, text

from lms.core.wtforms_i18n import WTFORMS_MESSAGES
from lms.extensions import db
from tests.test_access import MATRIX

READERS = ("anonymous", "member_a", "official_1", "official_2", "trainer_x", "admin")
#: forms whose whole job is elsewhere: leaving, switching language
SKIPPED_ACTIONS = ("/logout", "/language/")
#: tables a refused request may still write: failed logins are counted by design
BOOKKEEPING = {"failed_attempts", "alembic_version"}
INJECTIONS = {"script", "sql"}
PAYLOADS = {
    "empty": "",
    "huge": "Nguyễn " * 20_000,
    "malformed": "31/02/20x6 25:61 ++84 abc@@",
    "wrong-type": "-99999999999999999999999.5e400",
    # a NUL, a terminal escape, and Windows-1258 bytes that are not UTF-8 (read as U+FFFD)
    "wrong-encoding": "Nguy\x00\x1b[31m" + b"\xd2n \xf0\x28".decode("utf-8", "replace"),
    "script": '<script>alert("xss")</script>"><img src=x onerror=alert(1)>',
    "sql": "Robert'); DROP TABLE households; -- ' OR '1'='1",
}
REFUSAL_MARKS = ('class="error"', "flash-error", 'role="alert"', 'class="reason"')


def english_messages() -> list[str]:
    """WTForms' built-in messages as they read in English, up to their first placeholder:
    the Vietnamese interface shows none of them."""
    texts = {message.split("%")[0].split("'")[0].strip() for message in WTFORMS_MESSAGES}
    return sorted(text for text in texts if len(text) >= 8)


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    editable: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


class FormParser(HTMLParser):
    """The POST forms of a page: their action, hidden values and the fields a person fills."""

    def __init__(self, page_path: str) -> None:
        super().__init__()
        self.page_path = page_path
        self.forms: list[Form] = []
        self.current: Form | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self.current = Form(a.get("action") or self.page_path)
        elif self.current and tag in ("input", "select", "textarea") and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self.current.files.append(a["name"])
            elif kind in ("hidden", "submit", "button"):
                self.current.fields.setdefault(a["name"], a.get("value") or "")
            elif a["name"] not in self.current.editable:
                self.current.editable.append(a["name"])

    def handle_endtag(self, tag):
        if tag == "form" and self.current:
            self.forms.append(self.current)
            self.current = None


def fingerprint() -> str:
    """A digest of every row of every table but the bookkeeping ones."""
    digest = hashlib.sha256()
    for table in sorted(inspect(db.engine).get_table_names()):
        if table in BOOKKEEPING:
            continue
        rows = db.session.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')).all()  # noqa: S608
        digest.update(f"{table}:{rows!r}".encode())
    db.session.rollback()
    return digest.hexdigest()


def harvest(world, client_for) -> dict[tuple[str, str], Form]:
    """Every POST form on every page the matrix lets someone read, with who can send it."""
    forms: dict[tuple[str, str], Form] = {}
    for _endpoint, method, path, expected in MATRIX:
        for actor in (a for a in READERS if method == "GET" and expected.get(a, 403) == 200):
            response = client_for(getattr(world, actor, None)).get(path(world))
            if response.mimetype != "text/html":
                continue
            parser = FormParser(path(world).split("?")[0])
            parser.feed(response.get_data(as_text=True))
            for form in parser.forms:
                if (form.editable or form.files) and not form.action.startswith(SKIPPED_ACTIONS):
                    forms.setdefault((actor, form.action), form)
    return forms


def test_every_form_survives_the_bad_input_corpus(matrix_world, client_for):
    forms = harvest(matrix_world, client_for)
    assert len(forms) >= 35, sorted(forms)  # the harvest itself must not silently shrink
    english_texts = english_messages()
    assert "Not a valid choice." in english_texts
    problems = []
    for (actor, action), form in sorted(forms.items()):
        for kind, payload in PAYLOADS.items():
            data = {**form.fields, **dict.fromkeys(form.editable, payload)}
            for name in form.files:
                data[name] = (io.BytesIO(payload.encode("utf-8", "replace")), "x.xlsx")
            before = fingerprint()
            response = client_for(getattr(matrix_world, actor, None)).post(
                action, data=data, content_type="multipart/form-data"
            )
            changed = fingerprint() != before
            where = f"{action} as {actor} with {kind}"
            body = response.get_data(as_text=True)
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
            elif changed and kind not in INJECTIONS and response.status_code != 302:
                problems.append(f"{where}: refused ({response.status_code}) but the data changed")
            elif (
                response.status_code in (200, 400, 409, 422)
                and not changed
                and not any(mark in body for mark in REFUSAL_MARKS)
            ):
                problems.append(f"{where}: refused without saying why")
            if '<script>alert("xss")' in body or "<img src=x onerror" in body:
                problems.append(f"{where}: the payload came back unescaped")
            english = [text for text in english_texts if text in body]
            if english:
                problems.append(f"{where}: English in the Vietnamese interface: {english}")
    assert not problems, "\n".join(problems)


def test_an_accepted_injection_is_stored_as_text_and_shown_escaped(world, client_for):
    """An address that looks like an attack is an address: kept as typed, never run or
    interpreted. (A name holds letters only, so there the same text is refused.)"""
    client = client_for(world.official_1)
    edit = f"/households/{world.household_a.id}/edit"
    form = {
        "head_name": world.household_a.head_name,
        "phone": world.household_a.phone,
        "area_id": world.household_a.area_id,
    }
    assert client.post(edit, data={**form, "head_name": PAYLOADS["sql"]}).status_code == 400
    response = client.post(edit, data={**form, "address": PAYLOADS["sql"]})
    assert response.status_code == 302
    db.session.expire_all()
    assert world.household_a.address == PAYLOADS["sql"]
    assert db.session.scalar(select(db.func.count()).select_from(text("households"))) >= 1
    response = client.post(edit, data={**form, "address": PAYLOADS["script"]})
    page = client.get(f"/households/{world.household_a.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page


@pytest.mark.parametrize("path", ["/households/import", "/areas/import"])
def test_an_upload_over_the_limit_is_refused_before_it_is_read(app, world, client_for, path):
    limit = app.config["MAX_CONTENT_LENGTH"]
    before = fingerprint()
    response = client_for(world.admin).post(
        path,
        data={"file": (io.BytesIO(b"0" * (limit + 1)), "lon.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "quá lớn" in response.get_data(as_text=True)
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("POST", "/login", {"phone": "0912\x00345678", "pin": "1"}),
        ("GET", "/households/?q=nguy%00en", None),
        ("GET", "/v/abc%00def", None),
        ("POST", "/login/staff", {"email": "a@b.vn\x1b[2J", "password": "x"}),
    ],
)
def test_control_characters_are_refused_before_anything_reads_them(
    world, client_for, method, path, data
):
    response = client_for(world.admin).open(path, method=method, data=data)
    assert response.status_code == 400
    assert "ký tự điều khiển" in response.get_data(as_text=True)


#: the probe's body: far past Python's recursion limit, well under MAX_CONTENT_LENGTH
DEEP = 100_000
NESTED_JSON = {
    "arrays": "[" * DEEP + "]" * DEEP,
    "objects": '{"a":' * DEEP + "1" + "}" * DEEP,
    # deep enough to walk through Python's recursion limit, shallow enough to parse
    "parseable": '{"phone":' * 900 + '"0912345678"' + "}" * 900,
    "just past the limit": "[" * 33 + "]" * 33,
}


@pytest.mark.parametrize("kind", NESTED_JSON)
@pytest.mark.parametrize(
    "path", ["/login", "/login/staff", "/api/v1/marketplaces/postmart/activations"]
)
def test_a_deeply_nested_json_body_is_a_400_never_a_500(app, client_for, path, kind):
    response = client_for().post(path, data=NESTED_JSON[kind], content_type="application/json")
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("body", ["[]", "[[1]]", '"0912345678"', "3", '[["phone", "x", "y"]]'])
def test_a_page_takes_a_form_never_json(app, client_for, body):
    # Flask-WTF would read a JSON body as the form's data, and fail on a list (500)
    response = client_for().post("/login", data=body, content_type="application/json")
    assert response.status_code == 400


def test_deep_nesting_in_a_form_or_a_query_is_only_text(app, client_for):
    deep = "[" * DEEP
    response = client_for().post("/login", data={"phone": deep, "pin": "{" * DEEP, deep: deep})
    assert response.status_code == 400
    assert client_for().get("/login", query_string={"next": deep, deep: "1"}).status_code == 200
