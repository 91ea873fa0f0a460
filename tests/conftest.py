"""Fixtures for the whole suite.

The database is SQLite in a temporary folder, or PostgreSQL when ``TEST_DATABASE_URL`` is
set (CI runs both). The schema is made once per run by the migrations, as in production;
every test starts from empty tables, except the reference data the migrations seed.

Tests that only read a world, such as the access matrix's thousand cases, share one instead:
``shared_world`` and ``shared_matrix_world`` commit it once, and each test runs in a
transaction that is rolled back at its end (``rolled_back``), so what one test's requests
write is gone before the next.
"""

from __future__ import annotations

import copy
import os
from unittest import mock

import flask_babel
import flask_migrate
import pytest
from flask import current_app, g, has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session
from sqlalchemy import DateTime, create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from lms import create_app
from lms.core.models import utcnow
from lms.extensions import db
from tests.builders import World, build_world

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_report_header(config) -> str | None:
    if (TEST_DATABASE_URL or "").startswith("postgresql"):
        return "PostgreSQL run: tests marked database_independent are deselected (run on SQLite)"
    return None


def pytest_collection_modifyitems(config, items) -> None:
    """On PostgreSQL, leave out the tests marked ``database_independent`` (a page's layout
    and accessibility in Chromium, the CI script's own checks): nothing of theirs reads the
    database differently, and CI has just run them on SQLite. Deselected (the run's header
    says so), never skipped."""
    if not (TEST_DATABASE_URL or "").startswith("postgresql"):
        return
    left = [item for item in items if item.get_closest_marker("database_independent")]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = [item for item in items if not item.get_closest_marker("database_independent")]


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


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist, each worker has a database of its own on the server of
    ``TEST_DATABASE_URL``: its name followed by the worker's (``test_gw0``), made if missing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url is None or worker is None:
        return url
    own = make_url(url).set(database=f"{make_url(url).database}_{worker}")
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    server.dispose()
    return own.render_as_string(hide_password=False)


def make_test_app(tmp_path_factory, **overrides):
    # SQLite: a file in the run's (or the xdist worker's) own temporary folder
    database_url = _worker_database(TEST_DATABASE_URL) or (
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
    # the run's own instance folder: its uploads, signing key and reconciliations, which
    # another run (or another xdist worker) would otherwise overwrite, numbered alike
    instance = tmp_path_factory.mktemp("instance")
    with mock.patch.dict(os.environ, {"LMS_INSTANCE_PATH": str(instance)}):
        app = create_app(config)
    app.test_client_class = LmsClient
    return app


#: tables the migrations fill with reference data: tests read them, and what a test adds to
#: them or changes in them is undone after it (``_restore_seeded``)
SEEDED_TABLES = {"marketplaces", "scale_classes", "product_groups"}
#: their rows as the migrations left them, read once the schema is made
SEEDED_ROWS: dict[str, list[dict]] = {}


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
        with db.engine.connect() as connection:
            SEEDED_ROWS.update(_seeded_rows(connection))
    yield app
    with app.app_context():
        db.session.remove()
        _drop_everything()
        db.engine.dispose()


class _Shared:
    """What the tables hold beyond the seeded rows while tests run ``rolled_back``: the name
    of a shared world and the world, or nothing (``name`` is None)."""

    name: str | None = None
    value: object = None


@pytest.fixture(autouse=True)
def _empty_tables(request):
    """Every test that uses the database starts from empty tables, except a test run
    ``rolled_back``: it starts from the world it shares with the tests before it, and leaves
    nothing behind."""
    commits = "app" in request.fixturenames and "rolled_back" not in request.fixturenames
    if commits and _Shared.name is not None:
        _empty_database(request.getfixturevalue("app"))
    yield
    if commits:
        _empty_database(request.getfixturevalue("app"))


def _empty_database(app) -> None:
    _Shared.name, _Shared.value = None, None
    if has_app_context():
        db.session.remove()  # the test's own session, pushed by pytest-flask
    with app.app_context():
        tables = [table for table in db.metadata.sorted_tables if table.name not in SEEDED_TABLES]
        with db.engine.begin() as connection:
            if connection.dialect.name != "postgresql":
                for table in reversed(tables):
                    connection.execute(table.delete())
                _restore_seeded(connection)
                return
            # one round trip, not one per table and sequence (a test's teardown took 35 ms):
            # psycopg sends statements without parameters as one script. Ids start again at
            # 1, as SQLite's do (TRUNCATE, which makes new files for every table, took 0.1 s);
            # seeded tables' ids go on from their seeded rows, as SQLite's do
            deletes = [f'DELETE FROM "{table.name}"' for table in reversed(tables)]  # noqa: S608 - our table names
            restarts = "SELECT " + ", ".join(  # noqa: S608 - our table names
                [f"setval('{sequence}', 1, false)" for sequence in _sequences(connection, tables)]
                + [
                    f"setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"  # noqa: S608 - our table names
                    for name in SEEDED_TABLES
                ]
            )
            if _seeded_rows(connection) == SEEDED_ROWS:
                connection.exec_driver_sql("; ".join([*deletes, restarts]))
            else:
                connection.exec_driver_sql("; ".join(deletes))
                _restore_seeded(connection)
                connection.exec_driver_sql(restarts)


_SEQUENCES: list[str] = []


def _sequences(connection, tables) -> list[str]:
    """The id sequences of ``tables``, looked up once per run."""
    if not _SEQUENCES:
        names = [table.name for table in tables if "id" in table.c]
        found = connection.exec_driver_sql(
            "SELECT " + ", ".join(f"pg_get_serial_sequence('{name}', 'id')" for name in names)
        ).one()
        _SEQUENCES.extend(sequence for sequence in found if sequence is not None)
    return _SEQUENCES


def _seeded_rows(connection) -> dict[str, list[dict]]:
    rows = {}
    for name in sorted(SEEDED_TABLES):
        table = db.metadata.tables[name]
        statement = table.select().order_by(*table.primary_key.columns)
        rows[name] = [dict(row) for row in connection.execute(statement).mappings()]
    return rows


def _restore_seeded(connection) -> None:
    """Put the seeded tables back as the migrations left them, if a test changed them (the
    other tables are empty by now, so nothing refers to their rows)."""
    if _seeded_rows(connection) == SEEDED_ROWS:
        return
    for name, rows in SEEDED_ROWS.items():
        table = db.metadata.tables[name]
        connection.execute(table.delete())
        connection.execute(table.insert(), rows)


class _JoinedSession(Session):
    """Flask-SQLAlchemy's session, on the connection it is given: its own ``get_bind`` would
    always pick the engine, and so a connection outside the test's transaction."""

    def get_bind(self, *args, **kwargs):
        return self.bind


class RolledBack:
    """One transaction around a test; see the ``rolled_back`` fixture."""

    def begin(self) -> None:
        db.session.remove()
        self.connection = db.engine.connect()
        #: pysqlite begins a transaction only before a write, so the RELEASE of the first
        #: savepoint would commit: it must leave BEGIN to us (SQLAlchemy's pysqlite notes)
        self.pysqlite = None
        if self.connection.dialect.name == "sqlite":
            self.pysqlite = self.connection.connection.driver_connection
            self.pysqlite.isolation_level = None
        self.transaction = self.connection.begin()
        if self.pysqlite is not None:
            self.connection.exec_driver_sql("BEGIN")
        options = db.session.session_factory.kw
        session = _JoinedSession(
            **{**options, "bind": self.connection, "join_transaction_mode": "create_savepoint"}
        )
        db.session.registry.set(session)

    def end(self) -> None:
        db.session.remove()
        self.transaction.rollback()
        if self.pysqlite is not None:
            self.pysqlite.isolation_level = ""  # pysqlite's default, as the pool lent it
        self.connection.close()

    def share(self, name: str, build):
        """What ``build()`` makes and commits, built once for the tests that ask for ``name``
        one after another; each test gets its rows in its own session."""
        if _Shared.name != name:
            self.end()
            _empty_database(current_app)
            _Shared.name = f"{name}, half built"  # if build() fails, the next test empties
            value = build()
            db.session.commit()
            for record in _records(value):
                db.session.refresh(record)  # loaded, to be merged without a query
            db.session.expunge_all()
            _Shared.name, _Shared.value = name, value
            self.begin()
        value = copy.copy(_Shared.value)
        for field, record in vars(value).items():
            if inspect(record, raiseerr=False) is not None:
                setattr(value, field, db.session.merge(record, load=False))
        return value


def _records(value) -> list:
    return [record for record in vars(value).values() if inspect(record, raiseerr=False)]


@pytest.fixture
def rolled_back(app):
    """The test runs in one transaction, rolled back at its end.

    ``db.session``, in the test and in every request it makes, works on one connection whose
    transaction begins here: the services' commits and rollbacks only release or roll back
    savepoints, so nothing the test writes is left for the next, and no table needs emptying.
    Code with a connection of its own (threads, the live server, a report's parallel reads)
    sees only what was committed before: tests that need real commits do without this.
    """
    transaction = RolledBack()
    transaction.begin()
    yield transaction
    transaction.end()


@pytest.fixture
def shared_world(rolled_back) -> World:
    """The ``world``, built once for the tests that use it in a row; each test is rolled back."""
    return rolled_back.share("world", _committed_world)


@pytest.fixture
def shared_matrix_world(rolled_back, tmp_path_factory) -> World:
    """The ``matrix_world``, built once for the tests that use it in a row (the access
    matrix); each test is rolled back."""
    return rolled_back.share(
        "matrix world",
        lambda: _add_matrix_records(_committed_world(), tmp_path_factory.mktemp("course")),
    )


@pytest.fixture(autouse=True)
def _forget_rate_limits(request):
    """Every test starts with nothing counted: the limiter's memory outlives a test, and a
    test's calls from 127.0.0.1 would count against the next one's."""
    yield
    if "app" not in request.fixturenames:
        return
    from limits.storage import MemoryStorage

    from lms.extensions import limiter

    if isinstance(limiter.storage, MemoryStorage):  # never wipe a shared Redis
        limiter.reset()


@pytest.fixture
def csrf(app, monkeypatch):
    """Switch CSRF protection back on for one test."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture
def world(app) -> World:
    """Two communes, two postal organisations, and one account per role and scope."""
    return _committed_world()


def _committed_world() -> World:
    world = build_world()
    db.session.commit()
    return world


@pytest.fixture
def courses(world):
    """The shipped courses, required by the programme of the world's province."""
    from tests.builders import make_programme

    loaded = shipped_courses()
    make_programme(world.province, loaded)
    db.session.commit()
    return loaded


class _ShippedCourses:
    """The rows that loading the shipped courses into empty tables wrote, table by table."""

    rows: dict[str, list[dict]] | None = None


def shipped_courses() -> list:
    """``load_shipped_courses()``, its files read once per run: most of a load is parsing
    Markdown. Into empty tables, the rows of the run's first load are written again, dated
    now; otherwise, or before that first load, the courses are loaded for real.
    tests/test_fixtures.py checks that both write the same rows."""
    from lms.courses.services import list_courses
    from tests.builders import load_shipped_courses

    if _ShippedCourses.rows is None:
        before = _row_counts()
        loaded = load_shipped_courses()
        written = [name for name, count in _row_counts().items() if count != before[name]]
        if not any(before[name] for name in written):
            _ShippedCourses.rows = {
                name: [dict(row) for row in db.session.execute(_rows_of(name)).mappings()]
                for name in written
            }
        return loaded
    tables = [db.metadata.tables[name] for name in _ShippedCourses.rows]
    if any(db.session.scalar(select(table).exists().select()) for table in tables):
        return load_shipped_courses()
    now = utcnow()
    for table in tables:
        dated = [column.name for column in written_at(table)]
        rows = [{**row, **dict.fromkeys(dated, now)} for row in _ShippedCourses.rows[table.name]]
        db.session.execute(table.insert(), rows)
        if db.engine.dialect.name == "postgresql" and "id" in table.c:
            db.session.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), :id)"),
                {"id": max(row["id"] for row in rows)},
            )
    db.session.commit()
    return list_courses()


def written_at(table) -> list:
    """The columns that a row's writing dates (``created_at`` and the like)."""
    return [
        c
        for c in table.c
        if c.default is not None and isinstance(getattr(c.type, "impl", c.type), DateTime)
    ]


def _row_counts() -> dict[str, int]:
    """Rows per table, in the order the tables' foreign keys let rows go in."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _rows_of(name: str):
    table = db.metadata.tables[name]
    return table.select().order_by(*table.primary_key.columns)


def login_as(client: FlaskClient, user) -> FlaskClient:
    """Log ``user`` in on ``client`` without going through the form (as ``login_user`` does:
    the id and the session version, so ending the user's sessions logs the client out)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
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
    return _add_matrix_records(world, tmp_path)


def _add_matrix_records(world: World, tmp_path) -> World:
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
