"""Database helpers: Vietnamese ordering on SQLite and PostgreSQL; SQLite shared by workers."""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, any_, bindparam, event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from lms.core.text import vietnamese_sort_key
from lms.extensions import db

#: ICU's Vietnamese collation on PostgreSQL; our own, registered below, on SQLite
COLLATIONS = {"postgresql": "vi-x-icu", "sqlite": "vi"}
SQLITE_BUSY_TIMEOUT_MS = 15_000


def vietnamese(column: ColumnElement) -> ColumnElement:
    """``order_by(vietnamese(Household.head_name))`` sorts in Vietnamese, not by code point."""
    return column.collate(COLLATIONS[db.engine.dialect.name])


@lru_cache(maxsize=65536)
def _key(text: str) -> tuple:
    return vietnamese_sort_key(text)


def _compare(left: str, right: str) -> int:
    a, b = _key(left), _key(right)
    return (a > b) - (a < b)


@event.listens_for(Engine, "connect")
def _prepare_connection(dbapi_connection, _record) -> None:
    """SQLite: Vietnamese collation, and a file that several gunicorn workers can share:
    readers do not block the writer (WAL), and a writer waits for another instead of failing.

    PostgreSQL: no JIT compilation. Officials' reports over a province are planned as
    costly enough to compile, which takes longer (1–1.5 s) than running them (0.1–0.3 s)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_collation("vi", _compare)
        dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")
        # a province's indexes (households: ten) do not fit SQLite's default 2 MB page
        # cache: an import's inserts into them would read their pages again and again
        dbapi_connection.execute("PRAGMA cache_size = -32768")
    elif type(dbapi_connection).__module__.startswith("psycopg"):
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.commit()  # a SET in a rolled-back transaction would be undone


def paginate(statement, page: int | None = None):
    """One page (``PAGE_SIZE`` rows) of ``statement``; the page asked for in the URL by
    default. A page past the end is empty, never an error."""
    from flask import current_app, request

    return db.paginate(
        statement,
        page=page if page is not None else request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )


@dataclass
class ListPage:
    """One page of a list already in memory, shaped like ``db.paginate``'s result (for the
    pagination macro)."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate_list(items: list, page: int | None = None) -> ListPage:
    """One page (``PAGE_SIZE`` items) of ``items``, as ``paginate`` does for a statement."""
    from flask import current_app, request

    number = page if page is not None else request.args.get("page", 1, type=int)
    number = max(1, number or 1)
    per_page = current_app.config["PAGE_SIZE"]
    start = (number - 1) * per_page
    return ListPage(items[start : start + per_page], number, per_page, len(items))


#: rows refreshed per UPDATE (SQLite limits the parameters of one statement)
REFRESH_CHUNK = 900


def refresh_derived(model: type, ids: Iterable[int], **values: ColumnElement) -> None:
    """Recompute derived columns of the rows given, from SQL expressions about ``model``
    (correlated subqueries), in the caller's transaction (flushes only).

    The rows are locked first, in id order: a transaction changing the same rows elsewhere
    commits before the expressions are read, so its changes count (PostgreSQL would
    otherwise evaluate them in the snapshot taken before the wait)."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), REFRESH_CHUNK):
        chunk = model.id.in_(ids[start : start + REFRESH_CHUNK])
        db.session.execute(select(model.id).where(chunk).order_by(model.id).with_for_update())
        db.session.execute(
            update(model).where(chunk).values(**values),
            execution_options={"synchronize_session": "fetch"},
        )


def read_concurrently(statements: list, workers: int) -> list[list]:
    """The rows of independent SELECTs, run side by side on their own connections.

    For reports over a whole province: each statement takes a few hundred milliseconds, and
    running them at once lets the database use every core. Each connection sees what is
    committed, which is what a report reads. An in-memory SQLite database exists only on
    the session's own connection, so there (and with ``workers`` < 2) they run one by one.
    """
    from concurrent.futures import ThreadPoolExecutor

    engine = db.engine
    if workers < 2 or len(statements) < 2 or engine.url.database in (None, "", ":memory:"):
        return [db.session.execute(statement).all() for statement in statements]

    def read(statement) -> list:
        with engine.connect() as connection:
            return connection.execute(statement).all()

    with ThreadPoolExecutor(max_workers=min(workers, len(statements))) as pool:
        return list(pool.map(read, statements))


def insert_returning(
    table: Table,
    rows: list[dict[str, Any]],
    returning: tuple[str, ...] = (),
    batch: int = 500,
    processed: bool = False,
) -> list[tuple]:
    """Insert ``rows`` (dicts with the same keys) through the driver, and return the
    ``returning`` columns of the rows written, in no promised order. For writes of tens of
    thousands of rows (an import's households and their audit events), where SQLAlchemy's
    processing of each row's parameters costs more than the write; each column's bind
    processing (dates on SQLite) is still applied, unless the values are ``processed``
    already (as the driver takes them).

    SQLite gets multi-row ``INSERT … VALUES`` of ``batch`` rows. PostgreSQL gets the rows
    by ``COPY`` into a temporary table, then one ``INSERT … SELECT``: a statement with a
    placeholder a value costs psycopg more to parse than the server to write.
    """
    if not rows:
        return []
    connection = db.session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    processors = [(i, table.c[name].type.bind_processor(dialect)) for i, name in enumerate(names)]
    processors = [(i, process) for i, process in processors if process and not processed]
    # names are columns of the table (table.c[name] above): no value is in the text
    columns = ", ".join(names)
    tail = f" RETURNING {', '.join(returning)}" if returning else ""
    values = [[row[name] for name in names] for row in rows]
    for i, process in processors:
        for row in values:
            row[i] = process(row[i])
    if dialect.name == "postgresql":
        return _copy_returning(connection, table.name, columns, values, tail)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    one_row = f"({', '.join([mark] * len(names))})"
    written = []
    for start in range(0, len(values), batch):
        chunk = values[start : start + batch]
        rows_marks = ", ".join([one_row] * len(chunk))
        statement = f"INSERT INTO {table.name} ({columns}) VALUES {rows_marks}{tail}"  # noqa: S608
        result = connection.exec_driver_sql(statement, tuple(v for row in chunk for v in row))
        if returning:
            written.extend(result.fetchall())
    return written


def _copy_returning(connection, table: str, columns: str, values: list[list], tail: str) -> list:
    """PostgreSQL: the rows copied into a temporary table of the same columns (dropped at
    commit), then inserted from it in one statement."""
    twin = f"bulk_{table}_{zlib.crc32(columns.encode()):08x}"  # one a set of columns
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {twin} ON COMMIT DROP "  # noqa: S608
        f"AS SELECT {columns} FROM {table} WITH NO DATA"
    )
    cursor = connection.connection.cursor()
    with cursor.copy(f"COPY {twin} ({columns}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)
    cursor.close()
    result = connection.exec_driver_sql(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {twin}{tail}"  # noqa: S608
    )
    written = result.fetchall() if tail else []
    connection.exec_driver_sql(f"TRUNCATE {twin}")
    return written


def one_of(column: ColumnElement, values: Iterable[Any]) -> list[ColumnElement]:
    """``column IN values`` for thousands of values, as the clauses to query one by one:
    on PostgreSQL a single ``= ANY(array)`` (one parameter); on SQLite chunks of 900,
    under its limit of parameters a statement."""
    values = sorted(set(values))
    if not values:
        return []
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return [column == any_(bindparam(None, values, type_=ARRAY(column.type)))]
    return [column.in_(values[start : start + 900]) for start in range(0, len(values), 900)]
