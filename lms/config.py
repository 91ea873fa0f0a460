"""Settings: small defaults per environment; secrets come from the environment or the
instance folder, never from the repository.

``LMS_ENV`` picks the environment (``development`` by default, ``production``); tests pass
their settings to ``create_app`` directly.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask


class Config:
    #: a server's connection may have dropped while pooled (a restart): tried before use.
    #: Not for SQLite (``load``): a file does not drop, and the ping is a statement per page
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a class form left open on a phone must still submit
    #: uploads are refused above this size before anything is parsed (413)
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024
    IMPORT_MAX_BYTES = 20 * 1024 * 1024
    IMPORT_MAX_ROWS = 200_000
    #: the memory (bytes) of the child process that reads an .xls or .ods file
    IMPORT_READER_MEMORY = 1536 * 2**20
    #: where uploaded imports are kept (default: the instance folder's imports/)
    IMPORT_FOLDER = None
    #: werkzeug hash method for passwords and PINs (scrypt: slow on purpose)
    PASSWORD_HASH_METHOD = "scrypt"
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    PAGE_SIZE = 50
    #: independent report queries run side by side, each on its own connection (1: in turn)
    REPORT_QUERY_WORKERS = 4
    #: the course files loaded by ``flask courses load``
    COURSES_FOLDER = str(Path(__file__).resolve().parent.parent / "courses")
    #: a lesson counts as read once open this share of its estimated reading time
    LESSON_READING_SHARE = 0.3
    #: days after a session's end from which only an admin may change its marks
    ATTENDANCE_LOCK_DAYS = 7
    #: wrong self check-in codes before a short lock
    CHECKIN_MAX_FAILURES = 5
    CHECKIN_LOCK_MINUTES = 10
    #: who issues the certificates, as printed on them
    CERTIFICATE_ISSUER = "Văn phòng Chương trình đưa hộ SXNN lên sàn TMĐT"
    #: the Ed25519 signing key (PEM); default: generated into the instance folder
    CERTIFICATE_KEY_PATH = None
    #: the site's public address, for links printed outside a request (certificate QR codes)
    PUBLIC_BASE_URL = None
    #: where rendered certificate PDFs are cached (default: the instance folder)
    CERTIFICATE_PDF_FOLDER = None
    #: how long a printed login card logs its household in
    LOGIN_CARD_DAYS = 180
    #: where Flask-Limiter keeps its counts: memory (one instance) or e.g. redis://host:6379
    #: (several instances share it; needs the ``redis`` extra)
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    #: login attempts per address (a class of 40 behind one commune Wi-Fi must get in; the
    #: per-phone lock of LOGIN_MAX_FAILURES stops guessing one account's PIN)
    LOGIN_RATE_LIMIT = "60 per minute; 600 per hour"
    #: API calls per key (per address without a key)
    API_RATE_LIMIT = "120 per minute"
    #: API calls refused for their key (none, unknown, revoked) per address; past it the
    #: address is refused before any key is looked up
    API_REFUSED_RATE_LIMIT = "20 per minute"
    #: serials looked up on the public verification page, per address (serials follow each
    #: other: without it, a province's certificates could be read one after another)
    VERIFY_RATE_LIMIT = "20 per minute; 200 per day"
    #: proxies in front that set X-Forwarded-For and -Proto (nginx alone: 1). With 0 none is
    #: trusted: a client's own X-Forwarded-For is ignored, and the rate limits and the audit
    #: trail see the address that connected
    TRUSTED_PROXIES = 0
    #: the Celery broker: Redis where the product spans machines (redis://127.0.0.1:6379/0);
    #: None: kombu's SQLAlchemy transport on a SQLite file in the instance folder (no server)
    CELERY_BROKER_URL = None
    #: Celery's own result store (jobs keep their state in their row; None: none)
    CELERY_RESULT_BACKEND = None
    #: the queue the jobs go to
    CELERY_QUEUE = "lms"
    #: days a job's result file (a bundle, an export) is kept before it is removed
    JOB_RESULT_DAYS = 7
    #: minutes without a sign of life after which a queued or running job is sent again
    #: (a worker killed mid-way); the worker checks every five minutes
    JOB_STALE_MINUTES = 30
    #: where result files are written (default: the instance folder's jobs/)
    JOB_FOLDER = None
    #: an export of more rows than this is a job (written to a file, then downloaded); a
    #: smaller one is answered at once (5,000 rows: about half a second for an .xlsx)
    EXPORT_JOB_ROWS = 5000
    #: an uploaded household list larger than this (bytes; an .xlsx counts four times its
    #: size, being zipped) is analysed by a job; a smaller one (a few thousand rows) in the
    #: request
    IMPORT_JOB_BYTES = 256 * 1024
    #: a marketplace's seller export larger than this (bytes, counted as for imports) is
    #: read and matched once by a job, whose matches its pages read; a smaller one is read
    #: again on each page
    RECONCILE_JOB_BYTES = 256 * 1024
    #: an import of more rows than this is committed by a job
    IMPORT_JOB_ROWS = 5000
    #: a report of more communes than this is laid out by a job (PDF and .docx)
    REPORT_JOB_COMMUNES = 10
    #: login cards for more households than this are printed by a job (a PIN hash each,
    #: about 0.2 s: five cards are a second)
    CARDS_JOB_HOUSEHOLDS = 4

    # ---- messages to households (lms/messages; docs/messages.md). Without credentials a
    # channel is "not configured": its messages are recorded as not sent, never dropped
    #: Zalo ZNS: the send-template endpoint and the Official Account's access token
    ZALO_ZNS_URL = "https://business.openapi.zalo.me/message/template"
    ZALO_ACCESS_TOKEN = None
    #: our template name → the id of its ZNS template approved by Zalo
    #: (LMS_ZALO_TEMPLATES='{"class_reminder": "123456", …}')
    ZALO_TEMPLATES: dict[str, str] = {}
    #: SMS brandname through eSMS.vn (SendMultipleMessage_V4_post_json)
    ESMS_URL = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    ESMS_API_KEY = None
    ESMS_SECRET_KEY = None
    ESMS_BRANDNAME = None
    #: 2: customer-care brandname messages (texts registered with the carriers)
    ESMS_SMS_TYPE = "2"
    ESMS_SANDBOX = False
    #: seconds a provider has to answer
    MESSAGES_TIMEOUT = 10
    #: provider calls per minute and channel, across workers
    MESSAGES_RATE_PER_MINUTE = {"zalo": 60, "sms": 30}
    #: Vietnam hours [start, end) when no Zalo or SMS rings a phone: held until `end`
    MESSAGES_QUIET_HOURS = (21, 7)
    #: calls to a provider for one message before it is failed (errors worth retrying)
    MESSAGES_MAX_ATTEMPTS = 3
    #: a certification expiring within this many days is warned about
    MESSAGES_EXPIRY_WARNING_DAYS = 60
    #: ask the worker to send each message once its transaction committed (else the
    #: sweep, every minute, sends it)
    MESSAGES_DISPATCH = True


class DevelopmentConfig(Config):
    SESSION_COOKIE_SECURE = False


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


class TestingConfig(Config):
    TESTING = True
    SESSION_COOKIE_SECURE = False
    #: the real algorithm, cheaper parameters: the suite hashes hundreds of PINs
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    #: the whole suite logs in from 127.0.0.1; tests/*/test_rate_limits.py lower them
    LOGIN_RATE_LIMIT = "10000 per minute"
    API_RATE_LIMIT = "10000 per minute"
    API_REFUSED_RATE_LIMIT = "10000 per minute"
    VERIFY_RATE_LIMIT = "10000 per minute"


ENVIRONMENTS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def load(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Apply the environment's settings, then ``DATABASE_URL`` / ``SECRET_KEY``, then overrides."""
    overrides = overrides or {}
    env = overrides.get("ENV_NAME") or os.environ.get("LMS_ENV", "development")
    if env not in ENVIRONMENTS:
        raise RuntimeError(f"LMS_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    app.config.from_object(ENVIRONMENTS[env])
    app.config["ENV_NAME"] = env
    app.config.from_prefixed_env("LMS")  # LMS_PAGE_SIZE=20 etc. (values parsed as JSON)

    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    app.config.update(overrides)

    instance = Path(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        if env == "production":
            raise RuntimeError("DATABASE_URL must be set in production")
        instance.mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'lms.sqlite3'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(instance)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "pool_pre_ping": False}


def check_rate_limit_storage(config: Mapping[str, Any], processes: int) -> None:
    """Counts kept in memory are per process: with several processes, each would allow the
    whole limit (4 gunicorn workers let 210 of 400 logins through "60 per minute")."""
    storage = str(config["RATELIMIT_STORAGE_URI"])
    if processes > 1 and storage.split("://", 1)[0].endswith("memory"):
        raise RuntimeError(
            f"{processes} worker processes would each count the rate limits in their own "
            f"memory ({storage}), so every limit would be {processes} times too high. Set "
            "LMS_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 (with the 'redis' extra: "
            "pip install -e '.[redis]'), or run one worker (GUNICORN_WORKERS=1)."
        )


def _instance_secret_key(instance: Path) -> str:
    """Read the generated key from the instance folder, creating it on first run."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
