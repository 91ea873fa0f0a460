"""The household's data: 'Dữ liệu của tôi', its downloads, and requests to correct or delete."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.auth.models import Role
from lms.core.errors import RuleViolation
from lms.core.forms import attach_error
from lms.core.permissions import OFFICIALS, can_file_data_request, require
from lms.core.scope import get_or_404, role_required
from lms.core.web import download
from lms.households.models import Household
from lms.privacy import services
from lms.privacy.forms import AnswerForm, DataRequestForm
from lms.privacy.models import KIND_LABELS, STATUS_LABELS, DataRequest, RequestKind

bp = Blueprint("privacy", __name__)


@bp.app_context_processor
def inject_labels() -> dict:
    return {"request_labels": {"kinds": KIND_LABELS, "statuses": STATUS_LABELS}}


def _own_household() -> Household:
    return get_or_404(Household, current_user.household_id)


@bp.get("/my-data")
@role_required(Role.HOUSEHOLD)
def mine() -> str:
    household = _own_household()
    return render_template(
        "privacy/mine.html",
        household=household,
        sections=services.data_of(household),
        shown=services.shown,
        form=DataRequestForm(),
    )


@bp.get("/my-data.<any(json, txt):kind>")
@role_required(Role.HOUSEHOLD)
def mine_download(kind: str) -> Response:
    household = _own_household()
    sections = services.data_of(household)
    if kind == "json":
        return download(services.as_json(household, sections), "du-lieu-cua-toi.json")
    return download(services.as_text(household, sections), "du-lieu-cua-toi.txt")


@bp.route("/households/<int:household_id>/data-request", methods=["GET", "POST"])
@login_required
def file(household_id: int) -> Response | tuple[str, int] | str:
    household = get_or_404(Household, household_id)
    require(can_file_data_request(current_user, household))
    form = DataRequestForm()
    if form.validate_on_submit():
        try:
            services.file_request(
                current_user, household, RequestKind(form.kind.data), form.details.data or ""
            )
        except RuleViolation as error:
            attach_error(form, error)
        else:
            flash(_("Your request was sent; an official of the commune will answer it."), "success")
            if current_user.household_id:
                return redirect(url_for("privacy.mine"))
            return redirect(url_for("households.detail", household_id=household.id))
    status = 400 if request.method == "POST" else 200
    return render_template("privacy/file.html", household=household, form=form), status


@bp.get("/data-requests/")
@role_required(*OFFICIALS)
def requests() -> str:
    return render_template("privacy/requests.html", requests=services.list_requests(current_user))


@bp.route("/data-requests/<int:request_id>", methods=["GET", "POST"])
@role_required(*OFFICIALS)
def answer(request_id: int) -> Response | tuple[str, int] | str:
    data_request = get_or_404(DataRequest, request_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            _answer(data_request, form)
        except RuleViolation as error:
            attach_error(form, error)
        else:
            flash(_("The request was answered."), "success")
            return redirect(url_for("privacy.requests"))
    status = 400 if request.method == "POST" else 200
    return render_template("privacy/answer.html", r=data_request, form=form), status


def _answer(data_request: DataRequest, form: AnswerForm) -> None:
    if form.decision.data == "refuse":
        services.refuse_request(current_user, data_request, form.answer.data or "")
    elif form.decision.data == "corrected":
        services.answer_correction(current_user, data_request, form.answer.data or "")
    elif not form.confirm.data:
        raise RuleViolation(_("Tick the box to confirm the deletion."), field="confirm")
    else:
        services.anonymise_household(current_user, data_request)
