"""What every page shares: the user loader, the role home pages, the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, redirect, request, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.core import errors
from lms.core.text import mask_national_id, mask_phone
from lms.extensions import login_manager

bp = Blueprint("core", __name__)

#: where each role lands after logging in
HOME_ENDPOINTS = {
    "household": "courses.my_courses",
    "trainer": "attendance.sessions",
    "digital_team": "assisted.index",
    "official": "reports.overview",
    "admin": "admin.index",
}


#: the main menu of each role: (endpoint, label)
MENUS = {
    "household": (
        ("courses.my_courses", _l("My courses")),
        ("checkin.checkin", _l("Self check-in")),
        ("certificates.mine", _l("Your certificate")),
        ("activation.mine", _l("Open a shop")),
        ("auth.change_pin", _l("Change your PIN")),
        ("privacy.mine", _l("My data")),
        ("messages.mine", _l("Messages")),
    ),
    "trainer": (
        ("attendance.sessions", _l("Class sessions")),
        ("households.index", _l("Households")),
        ("certificates.index", _l("Certificates")),
        ("activation.queue", _l("Activation requests")),
        ("assisted.index", _l("Assisted learning")),
    ),
    "digital_team": (("assisted.index", _l("Assisted learning")),),
    "official": (
        ("reports.overview", _l("Overview")),
        ("households.index", _l("Households")),
        ("attendance.sessions", _l("Class sessions")),
        ("certificates.index", _l("Certificates")),
        ("activation.queue", _l("Activation requests")),
        ("reports.reconcile", _l("Reconciliation")),
        ("reports.trail", _l("Look up")),
        ("flagship.manage", _l("Flagship products")),
        ("messages.delivery", _l("Message delivery")),
        ("outreach.index", _l("Commune radio")),
        ("privacy.requests", _l("Data requests")),
        ("assisted.proxy_flags", _l("Proxy flags")),
    ),
    "admin": (
        ("admin.index", _l("Administration")),
        ("reports.overview", _l("Overview")),
        ("reports.trail", _l("Look up")),
        ("households.index", _l("Households")),
        ("attendance.sessions", _l("Class sessions")),
        ("activation.queue", _l("Activation requests")),
        ("flagship.manage", _l("Flagship products")),
        ("messages.delivery", _l("Message delivery")),
        ("outreach.index", _l("Commune radio")),
        ("privacy.requests", _l("Data requests")),
    ),
}


def init_app(app: Flask) -> None:
    errors.init_app(app)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        current_locale=lambda: str(get_locale()), main_menu=main_menu, url_with=url_with
    )
    app.jinja_env.filters.update(mask_phone=mask_phone, mask_national_id=mask_national_id)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str):
    from lms.auth.services import user_for_session

    return user_for_session(session_id)


def main_menu() -> tuple:
    """The role's menu; staff start long work (exports, imports, bundles): theirs is last."""
    if not current_user.is_authenticated:
        return ()
    if current_user.role.is_staff:
        return (*MENUS[current_user.role], ("jobs.index", _l("Running jobs")))
    return MENUS[current_user.role]


def url_with(endpoint: str, **changes) -> str:
    """The URL of ``endpoint`` keeping the current query (filters), with ``changes`` applied;
    a change to None removes that argument."""
    args = {**request.args.to_dict(), **changes}
    return url_for(endpoint, **{key: value for key, value in args.items() if value is not None})


#: the files the application hands out, by extension
DOWNLOAD_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def download(body: bytes | str, filename: str) -> Response:
    """A file to save (not to open in the page), its type told by its extension."""
    return Response(
        body,
        mimetype=DOWNLOAD_TYPES[filename.rsplit(".", 1)[-1]],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def safe_next(target: str | None) -> str | None:
    """Only a path on this site is a safe place to go back to (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return None
    return target


def home_url_for(user) -> str:
    return url_for(HOME_ENDPOINTS[user.role])


@bp.get("/")
def index() -> Response:
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    return redirect(url_for("auth.login"))


@bp.get("/language/<code>")
def set_language(code: str) -> Response:
    """Remember the chosen language in the session and go back to the page."""
    if code in current_app.config["LANGUAGES"]:
        session["language"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("core.index"))
