"""What makes the product an installable web app that keeps working offline: the service
worker, served from the site's root so that its scope covers every page; the web app
manifest; the page shown offline for a page the phone has not kept."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, send_from_directory, url_for
from flask_babel import gettext as _

bp = Blueprint("offline", __name__)

#: the brand colour of static/app.css (--brand): the phone's bar above the app
THEME_COLOUR = "#0b5d3b"


@bp.get("/sw.js")
def service_worker() -> Response:
    """Never cached by the browser (no-cache): a new worker reaches phones at their next
    visit. Its own name cannot change with its content, as static files' names do."""
    folder = Path(current_app.static_folder or "") / "js"
    response = send_from_directory(folder, "sw.js", mimetype="text/javascript", max_age=0)
    response.cache_control.no_cache = True
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """The name, icons and colours a phone shows when the app is added to its home screen."""
    icons = [
        {
            "src": url_for("static", filename=f"icons/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any maskable",
        }
        for size in (192, 512)
    ]
    body = {
        "name": _("Going online training"),
        "short_name": _("Going online"),
        "description": _("Lessons, quizzes and class attendance for households going online."),
        "lang": "vi",
        "start_url": url_for("core.index"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": icons,
    }
    response = current_app.json.response(body)
    response.mimetype = "application/manifest+json"
    response.cache_control.max_age = 3600  # the same for everyone in a language
    return response


@bp.get("/offline")
def page() -> str:
    """Shown offline for a page this phone did not keep: what can be read without signal."""
    return render_template("offline/page.html")
