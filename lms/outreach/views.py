"""Commune radio screens: write the announcement, print or download it, record a broadcast."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.areas.models import Area
from lms.core.errors import RuleViolation
from lms.core.forms import attach_error
from lms.core.permissions import OFFICIALS
from lms.core.scope import get_or_404, role_required
from lms.core.web import download
from lms.outreach import services
from lms.outreach.forms import AnnouncementForm, BroadcastForm, fill_communes
from lms.outreach.models import Broadcast

bp = Blueprint("outreach", __name__, url_prefix="/radio")


@bp.get("/")
@role_required(*OFFICIALS)
def index() -> str:
    form = AnnouncementForm()
    fill_communes(form, current_user)
    return render_template(
        "outreach/index.html", form=form, broadcasts=services.list_broadcasts(current_user)
    )


def _commune_in_scope(value: str | None) -> Area | None:
    """The commune chosen, fetched in scope first: another scope's commune is a 404."""
    return get_or_404(Area, int(value)) if value and value.isdigit() else None


def _announcement() -> tuple[AnnouncementForm, services.Announcement | None]:
    chosen = _commune_in_scope(request.args.get("area_id"))
    form = AnnouncementForm(request.args)
    fill_communes(form, current_user)
    if not form.validate() or chosen is None:
        return form, None
    commune = chosen
    try:
        announcement = services.write_announcement(
            commune, form.date_from.data, form.date_to.data, form.bring.data, form.contact.data
        )
    except RuleViolation as error:
        attach_error(form, error)
        return form, None
    return form, announcement


@bp.get("/announcement")
@role_required(*OFFICIALS)
def announcement() -> str | tuple[str, int]:
    form, announcement = _announcement()
    if announcement is None:
        broadcasts = services.list_broadcasts(current_user)
        return render_template("outreach/index.html", form=form, broadcasts=broadcasts), 400
    record = BroadcastForm(
        area_id=announcement.commune.id,
        text=announcement.text,
        period_from=announcement.date_from.isoformat(),
        period_to=announcement.date_to.isoformat(),
    )
    fill_communes(record, current_user)
    return render_template("outreach/announcement.html", a=announcement, form=form, record=record)


@bp.get("/announcement.txt")
@role_required(*OFFICIALS)
def announcement_text() -> Response | tuple[str, int]:
    form, announcement = _announcement()
    if announcement is None:
        broadcasts = services.list_broadcasts(current_user)
        return render_template("outreach/index.html", form=form, broadcasts=broadcasts), 400
    body = announcement.text.replace("\n", "\r\n") + "\r\n"  # opens in Notepad as well
    return download(body, f"thong-bao-{announcement.commune.code}-{announcement.date_from}.txt")


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.route("/broadcasts/new", methods=["GET", "POST"])
@role_required(*OFFICIALS)
def record() -> Response | tuple[str, int] | str:
    chosen = _commune_in_scope(request.form.get("area_id"))
    form = BroadcastForm()
    fill_communes(form, current_user)
    if form.validate_on_submit() and chosen is not None:
        commune = chosen
        try:
            broadcast = services.record_broadcast(
                current_user, commune, form.broadcast_on.data, form.text.data,
                _day(form.period_from.data), _day(form.period_to.data),
            )  # fmt: skip
        except RuleViolation as error:
            attach_error(form, error)
        else:
            flash(
                _("Broadcast recorded: %(n)d households informed.", n=broadcast.households),
                "success",
            )
            return redirect(url_for("outreach.detail", broadcast_id=broadcast.id))
    status = 400 if request.method == "POST" else 200
    return render_template("outreach/record.html", form=form), status


@bp.get("/broadcasts/<int:broadcast_id>")
@role_required(*OFFICIALS)
def detail(broadcast_id: int) -> str:
    return render_template("outreach/detail.html", b=get_or_404(Broadcast, broadcast_id))
