"""Digital-skills training for farming households going online.

`create_app()` is the only way an application is made: configuration, extensions,
blueprints, CLI commands and template filters are all bound here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from lms import config as config_module
from lms.extensions import babel, csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides everything else (used by tests)."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("LMS_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    # the certificate's design lives apart, in certificates/, under its own template prefix
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader({"certificates": FileSystemLoader(PROJECT_ROOT / "certificates")}),
        ]
    )
    config_module.load(app, config)
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:  # the client's address and scheme, as the proxies in front received them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.json.ensure_ascii = False  # the API's Vietnamese reads as Vietnamese, not \u escapes

    _import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from lms.core import assets, i18n, origin, permissions, security, web

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    web.init_app(app)
    origin.init_app(app)
    permissions.init_app(app)
    _register_domains(app)
    from lms.jobs.worker import celery_init_app

    celery_init_app(app)
    return app


def _import_models() -> None:
    """Every table, known to SQLAlchemy and Alembic before anything runs."""
    import lms.activation.models
    import lms.api.models
    import lms.areas.models
    import lms.assisted.models
    import lms.attendance.models
    import lms.auth.models
    import lms.certificates.models
    import lms.core.audit
    import lms.core.database
    import lms.core.throttle
    import lms.courses.models
    import lms.flagship.models
    import lms.households.models
    import lms.jobs.models
    import lms.messages.models
    import lms.organisations.models
    import lms.outreach.models
    import lms.privacy.models
    import lms.products.models  # noqa: F401


def _register_domains(app: Flask) -> None:
    from lms.activation.cli import cli as activation_cli
    from lms.activation.services import on_certificate_issued, on_certificate_revoked
    from lms.activation.views import bp as activation_bp
    from lms.admin.views import bp as admin_bp
    from lms.api.views import bp as api_bp
    from lms.areas.cli import cli as areas_cli
    from lms.areas.views import bp as areas_bp
    from lms.assisted.views import bp as assisted_bp
    from lms.attendance.views import bp as attendance_bp
    from lms.attendance.views import checkin_bp
    from lms.auth.cli import cli as users_cli
    from lms.auth.views import bp as auth_bp
    from lms.certificates.cli import cli as certificates_cli
    from lms.certificates.services import on_progress_changed
    from lms.certificates.views import bp as certificates_bp
    from lms.certificates.views import verify_bp
    from lms.core.events import certificate_issued, certificate_revoked, progress_changed
    from lms.courses.cli import cli as courses_cli
    from lms.courses.views import bp as courses_bp
    from lms.demo.cli import cli as demo_cli
    from lms.flagship.cli import cli as products_cli
    from lms.flagship.views import bp as flagship_bp
    from lms.households.cli import cli as households_cli
    from lms.households.views import bp as households_bp
    from lms.jobs.cli import cli as jobs_cli
    from lms.jobs.views import bp as jobs_bp
    from lms.messages.cli import cli as messages_cli
    from lms.messages.triggers import on_certificate_issued as message_certificate_issued
    from lms.messages.views import bp as messages_bp
    from lms.offline.views import bp as offline_bp
    from lms.organisations.views import bp as organisations_bp
    from lms.outreach.views import bp as outreach_bp
    from lms.privacy.cli import cli as privacy_cli
    from lms.privacy.views import bp as privacy_bp
    from lms.products.views import bp as products_bp
    from lms.reports.cli import cli as reports_cli
    from lms.reports.views import bp as reports_bp

    for blueprint in (
        auth_bp,
        admin_bp,
        areas_bp,
        organisations_bp,
        households_bp,
        products_bp,
        attendance_bp,
        checkin_bp,
        certificates_bp,
        verify_bp,
        courses_bp,
        reports_bp,
        activation_bp,
        flagship_bp,
        jobs_bp,
        messages_bp,
        offline_bp,
        outreach_bp,
        privacy_bp,
        assisted_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    for group in (
        areas_cli,
        users_cli,
        demo_cli,
        households_cli,
        courses_cli,
        certificates_cli,
        activation_cli,
        reports_cli,
        products_cli,
        jobs_cli,
        messages_cli,
        privacy_cli,
    ):
        app.cli.add_command(group)
    progress_changed.connect(on_progress_changed)
    certificate_revoked.connect(on_certificate_revoked)
    certificate_issued.connect(on_certificate_issued)
    certificate_issued.connect(message_certificate_issued)
