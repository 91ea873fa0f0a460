"""How every connection is prepared, on the database under test."""

from __future__ import annotations

from sqlalchemy import text

from lms.extensions import db


def test_connections_are_prepared_for_the_database_in_use(app):
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.rollback()  # the setting outlives a rolled-back transaction
            # reports would otherwise spend longer compiling than running
            assert connection.execute(text("SHOW jit")).scalar() == "off"
        else:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() > 0
            assert connection.execute(text("SELECT 'ă' < 'b' COLLATE vi")).scalar() == 1
