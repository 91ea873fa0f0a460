"""Fixtures for the whole suite.

The database is SQLite in a temporary folder, or PostgreSQL when ``TEST_DATABASE_URL`` is
set (CI runs both). The schema is made once per run by the migrations, as in production;
every test starts from empty tables, except the reference data the migrations seed.
"""

from __future__ import annotations

import os

import flask_babel
import flask_migrate
import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import select, text

from lms import create_app
from lms.extensions import db
from tests.builders import World, build_world

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


class LmsClient(FlaskClient):
    """A test client that forgets what the previous request cached in ``g``.

    pytest-flask keeps one request context (and so one ``g``) for the whole test, and
    Flask-Login caches the user there, Flask-Babel the locale: without this, a logged-in
    user or a language would leak into the next request of the same test, even from
    another client.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
            flask_babel.refresh()
        return super().open(*args, **kwargs)


def make_test_app(tmp_path_factory, **overrides):
    database_url = TEST_DATABASE_URL or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    )
    config = {
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        # a run's own PDF cache: serials repeat from test to test and from run to run
        "CERTIFICATE_PDF_FOLDER": str(tmp_path_factory.mktemp("certificate-pdfs")),
        **overrides,
    }
    app = create_app(config)
    app.test_client_class = LmsClient
    return app


#: tables the migrations fill with reference data: tests read them, never empty them
SEEDED_TABLES = {"marketplaces"}


def _drop_everything() -> None:
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = make_test_app(tmp_path_factory)
    with app.app_context():
        _drop_everything()
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        _drop_everything()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request):
    """Every test that uses the database starts from empty tables."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    if has_app_context():
        db.session.remove()  # the test's own session, pushed by pytest-flask
    with app.app_context():
        tables = [table for table in db.metadata.sorted_tables if table.name not in SEEDED_TABLES]
        with db.engine.begin() as connection:
            for table in reversed(tables):
                connection.execute(table.delete())
            if connection.dialect.name == "postgresql":
                # ids start again at 1, as SQLite's do; DELETE and setval cost a test a few
                # milliseconds where TRUNCATE, which makes new files for every table, took 0.1 s
                restarts = ", ".join(
                    f"setval(pg_get_serial_sequence('{table.name}', 'id'), 1, false)"
                    for table in tables
                    if "id" in table.c
                )
                connection.execute(text(f"SELECT {restarts}"))


@pytest.fixture
def csrf(app, monkeypatch):
    """Switch CSRF protection back on for one test."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture
def world(app) -> World:
    """Two communes, two postal organisations, and one account per role and scope."""
    world = build_world()
    db.session.commit()
    return world


@pytest.fixture
def courses(world):
    """The shipped courses, required by the programme of the world's province."""
    from tests.builders import load_shipped_courses, make_programme

    loaded = load_shipped_courses()
    make_programme(world.province, loaded)
    db.session.commit()
    return loaded


def login_as(client: FlaskClient, user) -> FlaskClient:
    """Log ``user`` in on ``client`` without going through the form."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client


@pytest.fixture
def client_for(app):
    """``client_for(user)``: a fresh client logged in as ``user`` (one client per actor)."""

    def make(user=None) -> FlaskClient:
        client = app.test_client()
        return login_as(client, user) if user is not None else client

    return make


@pytest.fixture
def queries(app):
    """``with queries() as seen:`` — the SQL statements run inside the block, in order."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def count():
        seen: list[str] = []

        def record(_conn, _cursor, statement, *_args) -> None:
            seen.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return count


@pytest.fixture
def matrix_world(world, tmp_path):
    """The world, with a small course in its programme and a quiz attempt of household B."""
    from lms.courses.loading import load_courses
    from lms.courses.models import CourseVersion, QuizAttempt
    from lms.courses.services import list_courses
    from tests.builders import make_programme
    from tests.courses.test_loading import write_course

    write_course(tmp_path)
    load_courses(tmp_path)
    make_programme(world.province, list_courses())
    version = db.session.scalar(select(CourseVersion))
    world.attempt_b = QuizAttempt(
        household_id=world.household_b.id, course_version_id=version.id, nonce="b",
        answers={}, correct=8, total=8, percent=100, pass_mark=70, passed=True,
    )  # fmt: skip
    db.session.add(world.attempt_b)
    from datetime import date

    from lms.certificates.models import Certificate
    from lms.courses.models import Programme

    world.certificate_b = Certificate(
        serial="NA-2026-000001", prefix="NA", year=2026, number=1, household_id=world.household_b.id,
        programme_id=db.session.scalar(select(Programme.id)), issued_on=date(2026, 11, 1),
        holder_name="Trần Văn Đức", commune_name="Xã Yên Thành", issuer="Văn phòng Chương trình", courses=[],
    )  # fmt: skip
    db.session.add(world.certificate_b)
    db.session.commit()
    from lms.activation.services import request_activation
    from lms.api.services import create_key
    from tests.builders import marketplace

    world.request_b = request_activation(world.member_b, world.household_b, marketplace())
    world.api_key, _secret = create_key(world.admin, world.org_y, marketplace("voso"), "Voso")
    return world
