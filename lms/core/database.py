"""Database helpers both SQLite and PostgreSQL need: Vietnamese ordering."""

from __future__ import annotations

import sqlite3
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from lms.core.text import vietnamese_sort_key
from lms.extensions import db

#: ICU's Vietnamese collation on PostgreSQL; our own, registered below, on SQLite
COLLATIONS = {"postgresql": "vi-x-icu", "sqlite": "vi"}


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
def _register_sqlite_collation(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_collation("vi", _compare)
