"""The security review, as tests: headers on every route, no open redirect through the
login forms, and secrets (passwords, PINs, their hashes) never in logs, audit or exports."""

from __future__ import annotations

import io
import logging

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.auth.models import Role, User
from lms.auth.services import create_user
from lms.core.audit import AuditEvent
from lms.extensions import db
from tests.builders import PASSWORD, PIN
from tests.test_access import ACTORS, MATRIX, TWINS

READERS = ("member_a", "official_1", "official_2", "trainer_x", "admin", "anonymous")
EVIL_NEXT = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    " //evil.example/",
    "javascript:alert(1)",
    "http:/evil.example",
    "/%2F%2Fevil.example",
]


def test_every_route_answers_with_the_security_headers(matrix_world, client_for):
    for endpoint, method, path, expected in MATRIX:
        actor = next((a for a in READERS if expected.get(a, 403) == 200), "anonymous")
        user = None if actor == "anonymous" else getattr(matrix_world, actor)
        headers = client_for(user).open(path(matrix_world), method=method).headers
        policy = headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, endpoint
        assert "'unsafe-inline'" not in policy, endpoint
        assert headers.get("X-Content-Type-Options") == "nosniff", endpoint
        assert headers.get("Referrer-Policy") == "same-origin", endpoint


#: lesson images (course content, the same for every learner) and the favicon: kept for good
#: on purpose; the service worker and the web app manifest are the same for everyone too, and
#: a browser asks for the worker again on every visit whatever it keeps (docs/offline.md)
KEPT = {"courses.media", "favicon", "offline.service_worker", "offline.manifest"}


def test_no_page_or_file_a_logged_in_actor_opens_is_kept_by_the_browser(matrix_world, client_for):
    """Commune computers are shared: every page and every file (exports, certificate PDFs,
    login cards, attendance sheets) that the matrix opens (200) to a logged-in actor says
    ``no-store``, so the next person on the machine finds no copy in its cache."""
    kept, files = [], set()
    for endpoint, method, path, expected in MATRIX:
        if endpoint in KEPT:
            continue
        for actor in ACTORS[1:]:
            if expected.get(actor, expected.get(TWINS.get(actor, ""), 403)) != 200:
                continue
            response = client_for(getattr(matrix_world, actor)).open(
                path(matrix_world), method=method
            )
            assert response.status_code == 200, (endpoint, actor)
            if "no-store" not in response.headers.get("Cache-Control", ""):
                kept.append((endpoint, actor, response.headers.get("Cache-Control")))
            if "attachment" in response.headers.get("Content-Disposition", ""):
                files.add(response.mimetype)
    assert kept == []
    assert {"application/pdf", "text/csv"} <= files  # the files were among them


def test_static_assets_keep_their_caching(client):
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_logging_in_never_sends_anyone_to_another_site(world, client_for, target):
    client = client_for()
    client.get("/login/staff", query_string={"next": target})
    response = client.post(
        "/login/staff",
        data={"email": world.admin.email, "password": PASSWORD, "next": target},
    )
    location = response.headers["Location"]
    cleaned = "".join(c for c in location if c > " ")  # what a browser does with it
    assert response.status_code == 302
    assert cleaned.startswith("/") and not cleaned.startswith(("//", "/\\")), location


def test_secrets_are_never_logged_audited_or_exported(world, client_for, caplog):
    caplog.set_level(logging.DEBUG)
    new_password = "Bí-mật-rất-dài-2026"
    create_user(
        world.admin, role=Role.TRAINER, full_name="Giảng viên Mới", email="moi@example.vn",
        secret=new_password, organisation_id=world.trainer_x.organisation_id,
        area_id=world.trainer_x.area_id,
    )  # fmt: skip
    client_for().post("/login/staff", data={"email": "moi@example.vn", "password": "sai-mat-khau"})
    client_for().post("/login/staff", data={"email": "moi@example.vn", "password": new_password})
    client_for().post("/login", data={"phone": world.member_a.phone, "pin": PIN})
    client_for().post("/login", data={"phone": world.member_a.phone, "pin": "000000"})
    hashes = [u.password_hash for u in db.session.scalars(select(User))]

    audit = " ".join(f"{e.before} {e.after}" for e in db.session.scalars(select(AuditEvent)))
    export = client_for(world.admin).get("/households/export.xlsx").data
    cells = " ".join(
        str(cell)
        for row in load_workbook(io.BytesIO(export)).active.iter_rows(values_only=True)
        for cell in row
    )
    csv = client_for(world.admin).get("/households/export.csv").get_data(as_text=True)
    for place, text in {"logs": caplog.text, "audit": audit, "xlsx": cells, "csv": csv}.items():
        for secret in (new_password, "sai-mat-khau", PIN, "000000", PASSWORD, *hashes):
            assert secret not in text, f"a secret is in the {place}"
        assert "scrypt" not in text, f"a password hash is in the {place}"
