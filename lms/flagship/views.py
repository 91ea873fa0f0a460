"""Flagship product pages: public (list, a page per product, its QR code and pictures, no
login) and the officials' (choosing, and who makes each product)."""

from __future__ import annotations

import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from lms.areas.models import Area, AreaLevel
from lms.certificates.services import public_url
from lms.core.errors import RuleViolation
from lms.core.models import today
from lms.core.pdf import qr_svg
from lms.core.permissions import OFFICIALS, can_choose_flagship, require
from lms.core.scope import role_required
from lms.extensions import db
from lms.flagship import services
from lms.flagship.models import FlagshipImage, FlagshipProduct

bp = Blueprint("flagship", __name__, url_prefix="/flagship")


@bp.get("/")
def index() -> str:
    return render_template("flagship/index.html", flagships=services.public_flagships())


@bp.get("/<slug>")
def detail(slug: str) -> str:
    flagship = services.public_flagship(slug) or abort(404)
    return render_template(
        "flagship/detail.html",
        flagship=flagship,
        story=flagship.story.current,
        facts=services.facts_of(flagship),
        page_url=public_url("flagship.detail", slug=slug),
    )


@bp.get("/<slug>/qr.svg")
def qr(slug: str) -> Response:
    """The QR code for packaging and market stalls: it opens the product's page."""
    services.public_flagship(slug) or abort(404)
    import segno  # the certificates' QR library, as a standalone SVG file (with its xmlns)

    buffer = io.BytesIO()
    code = segno.make(public_url("flagship.detail", slug=slug), error="m")
    code.save(buffer, kind="svg", scale=8, border=2, xmldecl=False)
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.get("/media/<int:version_id>/<name>")
def media(version_id: int, name: str) -> Response:
    image = db.session.scalar(
        select(FlagshipImage).where(
            FlagshipImage.version_id == version_id, FlagshipImage.name == name
        )
    )
    if image is None:
        abort(404)
    response = Response(image.data, mimetype=image.content_type)
    response.cache_control.public, response.cache_control.max_age = True, 86400
    return response


# ---------------------------------------------------------------- officials


def _province() -> Area:
    """The province of the official's area; an admin picks one (``?province=<id>``)."""
    chosen = request.values.get("province", type=int)
    if current_user.area is None and chosen:
        statement = select(Area).where(Area.level == AreaLevel.PROVINCE, Area.id == chosen)
        return db.session.scalar(statement) or abort(404)
    return services.province_of_user(current_user) or abort(404)


@bp.get("/manage/")
@role_required(*OFFICIALS)
def manage() -> str:
    province = _province()
    year = request.args.get("year", type=int) or today().year
    flagships = services.list_flagships(province, year)
    chosen = {flagship.story_id for flagship in flagships}
    least, most = services.bounds()
    return render_template(
        "flagship/manage.html",
        province=province,
        year=year,
        flagships=flagships,
        stories=[s for s in services.list_stories() if s.id not in chosen],
        least=least,
        most=most,
        listed=services.count_listed(province, year),
        published=services.is_published(province.id, year),
        may_choose=can_choose_flagship(current_user, province),
    )


@bp.post("/manage/choose")
@role_required(*OFFICIALS)
def choose() -> Response:
    story = services.get_story(request.form.get("story", "")) or abort(404)
    year = request.form.get("year", type=int) or today().year
    try:
        flagship = services.choose_flagship(current_user, story, year)
    except RuleViolation as error:
        flash(str(error.message), "error")
    else:
        flash(
            _(
                "%(name)s is a flagship product of %(year)d.",
                name=flagship.story.current.title,
                year=year,
            ),
            "success",
        )
    return redirect(url_for("flagship.manage", year=year))


def _flagship(flagship_id: int) -> FlagshipProduct:
    """A flagship product of the official's province (another province's answers 404)."""
    flagship = db.session.get(FlagshipProduct, flagship_id)
    if flagship is None or (current_user.area is not None and flagship.area_id != _province().id):
        abort(404)
    return flagship


@bp.post("/manage/<int:flagship_id>/withdraw")
@role_required(*OFFICIALS)
def withdraw(flagship_id: int) -> Response:
    flagship = _flagship(flagship_id)
    require(can_choose_flagship(current_user, flagship.area))
    year, title = flagship.year, flagship.story.current.title
    services.withdraw_flagship(current_user, flagship)
    flash(
        _("%(name)s is no longer a flagship product of %(year)d.", name=title, year=year), "success"
    )
    return redirect(url_for("flagship.manage", year=year))


@bp.get("/manage/<int:flagship_id>")
@role_required(*OFFICIALS)
def producers(flagship_id: int) -> str:
    flagship = _flagship(flagship_id)
    return render_template(
        "flagship/producers.html",
        flagship=flagship,
        story=flagship.story.current,
        rows=services.producers(current_user, flagship),
        facts=services.facts_of(flagship),
        qr=Markup(qr_svg(public_url("flagship.detail", slug=flagship.slug))),  # noqa: S704 - segno writes this SVG from our own URL
    )
