"""The application factory and its settings."""

from __future__ import annotations

import pytest

from lms import create_app


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("LMS_ENV", raising=False)
    return tmp_path


def test_sqlite_in_the_instance_folder_is_the_default(instance):
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'lms.sqlite3'}"
    assert app.config["ENV_NAME"] == "development"


def test_a_secret_key_is_generated_once_into_the_instance_folder(instance):
    first = create_app().config["SECRET_KEY"]
    assert len(first) == 64
    assert (instance / "secret_key").read_text() == first
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0
    assert create_app().config["SECRET_KEY"] == first


def test_environment_variables_win(instance, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://lms@127.0.0.1/lms")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://lms@127.0.0.1/lms"
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (instance / "secret_key").exists()


def test_production_needs_a_database_url(instance, monkeypatch):
    monkeypatch.setenv("LMS_ENV", "production")
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app()


def test_production_cookies_are_secure(instance, monkeypatch):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://lms@127.0.0.1/lms")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"


def test_unknown_environment_is_refused(instance, monkeypatch):
    monkeypatch.setenv("LMS_ENV", "staging")
    with pytest.raises(RuntimeError, match="LMS_ENV"):
        create_app()


def test_testing_settings(app):
    assert app.config["TESTING"] and app.config["ENV_NAME"] == "testing"
