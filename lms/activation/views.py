"""Activation screens: a household asks ("Đăng ký mở gian hàng"), a trainer asks for it, and
the postal staff's queue (approve, refuse, mark activated, close, export)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms.activation import exporting, services
from lms.activation.forms import (
    ActivatedForm,
    AskForm,
    QueueFilterForm,
    RefuseForm,
    partner_choices,
)
from lms.activation.models import (
    NOT_YET_LABEL,
    STATUS_LABELS,
    ActivationRequest,
    ActivationStatus,
)
from lms.auth.models import Role
from lms.core.database import paginate
from lms.core.errors import RuleViolation
from lms.core.forms import commune_choices, select_choices
from lms.core.permissions import (
    STAFF,
    TRAINERS,
    can_ask_activation,
    can_decide_activation,
    require,
)
from lms.core.scope import get_or_404, role_required
from lms.extensions import db
from lms.households.models import Household
from lms.jobs.exports import Export, count_of, export_or_job, register
from lms.products.models import Marketplace

bp = Blueprint("activation", __name__)


@bp.app_context_processor
def inject_activation() -> dict:
    return {
        "activation_status_label": lambda status: str(STATUS_LABELS[ActivationStatus(status)]),
        "activation_label": _label,
    }


def _label(activation: ActivationRequest) -> str:
    """How a request's state reads: a gate's answer is "not yet possible", never "refused"."""
    if activation.answered_by_gate:
        return str(NOT_YET_LABEL)
    return str(STATUS_LABELS[activation.status])


@bp.get("/activation/")
@role_required(Role.HOUSEHOLD)
def mine() -> str:
    """The household's page: each marketplace and payment provider, what it asked, why not."""
    household = current_user.household
    certificate, eligible = services.readiness(household)
    return render_template(
        "activation/mine.html",
        certificate=certificate,
        eligible=eligible,
        household=household,
        partners=services.partners(),
        requests=services.requests_of(household),
    )


@bp.post("/households/<int:household_id>/activation")
@role_required(Role.HOUSEHOLD, *TRAINERS)
def ask(household_id: int) -> Response:
    household = get_or_404(Household, household_id)
    require(can_ask_activation(current_user, household))
    form = AskForm()
    if not form.validate():
        abort(400)
    partner = db.session.get(Marketplace, form.marketplace_id.data) or abort(404)
    activation = services.request_activation(current_user, household, partner)
    _flash_outcome(activation)
    if current_user.role is Role.HOUSEHOLD:
        return redirect(url_for("activation.mine"))
    return redirect(url_for("households.detail", household_id=household.id) + "#activation")


def _flash_outcome(activation: ActivationRequest) -> None:
    messages = {
        ActivationStatus.REQUESTED: _(
            "The request for %(name)s was sent. The postal staff will call you.",
            name=activation.marketplace.name,
        ),
        ActivationStatus.APPROVED: _("The request was approved."),
        ActivationStatus.ACTIVATED: _("The account was marked activated."),
        ActivationStatus.CLOSED: _("The account was marked closed."),
    }
    if activation.answered_by_gate:  # the reasons are on the page, once
        flash(
            _(
                "Not yet possible for %(name)s: what is missing, and what to do, is below.",
                name=activation.marketplace.name,
            ),
            "info",
        )
    elif activation.status is ActivationStatus.REFUSED:
        flash(
            _("Not yet possible for %(name)s:", name=activation.marketplace.name)
            + " "
            + (activation.refusal_reason or "").replace("\n", " "),
            "error",
        )
    else:
        flash(messages[activation.status], "success")


# ---------------------------------------------------------------- the postal staff's queue


def _filters(args=None, user=None) -> tuple[QueueFilterForm, services.RequestFilter]:
    """The queue's filters from the query string (``args``: another's, in an export's job)."""
    form = QueueFilterForm(request.args if args is None else args)
    form.area_id.choices = commune_choices(current_user if user is None else user)
    form.marketplace_id.choices = partner_choices(blank=True)
    form.status.choices = select_choices(
        ((s.value, label) for s, label in STATUS_LABELS.items()), blank=True
    )
    form.validate()
    return form, services.RequestFilter(
        area_id=form.area_id.data,
        marketplace_id=form.marketplace_id.data,
        status=form.status.data or "",
        needs_review=bool(form.needs_review.data),
    )


@bp.get("/activation/requests")
@role_required(*STAFF)
def queue() -> str:
    form, filters = _filters()
    page = paginate(services.requests_query(current_user, filters))
    return render_template("activation/queue.html", page=page, form=form)


@bp.get("/activation/requests.<any(xlsx, csv):kind>")
@role_required(*STAFF)
def export(kind: str) -> Response:
    return export_or_job("activation.requests", kind)


@register("activation.requests")
def _requests_export(user, args) -> Export:
    _form, filters = _filters(args, user)
    title = _("Activation requests")
    return Export(
        exporting.export_rows(user, filters),
        title,
        title,
        count=count_of(services.requests_query(user, filters)),
    )


@bp.get("/activation/requests/<int:request_id>")
@role_required(*STAFF)
def detail(request_id: int) -> str:
    activation = get_or_404(ActivationRequest, request_id)
    return _render_detail(activation, RefuseForm(), ActivatedForm())


def _render_detail(activation, refuse_form, activated_form, status: int = 200):
    return render_template(
        "activation/detail.html",
        activation=activation,
        refuse_form=refuse_form,
        activated_form=activated_form,
        decisions=(
            services.staff_decisions(activation)
            if can_decide_activation(current_user, activation)
            else ()
        ),
    ), status


def _seen() -> ActivationStatus | None:
    """The status the decision's page showed (a hidden field of each decision form)."""
    value = request.form.get("seen")
    return ActivationStatus(value) if value in {s.value for s in ActivationStatus} else None


@bp.post("/activation/requests/<int:request_id>/approve")
@role_required(*TRAINERS)
def approve(request_id: int) -> Response:
    activation = get_or_404(ActivationRequest, request_id)
    require(can_decide_activation(current_user, activation))
    try:
        services.approve(current_user, activation, seen=_seen())
    except RuleViolation as error:
        flash(str(error.message), "error")
    else:
        _flash_outcome(activation)
    return redirect(url_for("activation.detail", request_id=activation.id))


@bp.post("/activation/requests/<int:request_id>/refuse")
@role_required(*TRAINERS)
def refuse(request_id: int) -> Response | tuple[str, int]:
    activation = get_or_404(ActivationRequest, request_id)
    require(can_decide_activation(current_user, activation))
    if refusal := services.decision_refusal(activation, ActivationStatus.REFUSED, _seen()):
        flash(refusal, "error")
        return redirect(url_for("activation.detail", request_id=activation.id))
    form = RefuseForm()
    if not form.validate():
        return _render_detail(activation, form, ActivatedForm(), 400)
    try:
        services.refuse(current_user, activation, form.reason.data, seen=_seen())
    except RuleViolation as error:
        flash(str(error.message), "error")
    else:
        flash(_("The request was refused; the household sees the reason."), "success")
    return redirect(url_for("activation.detail", request_id=activation.id))


@bp.post("/activation/requests/<int:request_id>/activated")
@role_required(*TRAINERS)
def activated(request_id: int) -> Response | tuple[str, int]:
    activation = get_or_404(ActivationRequest, request_id)
    require(can_decide_activation(current_user, activation))
    if refusal := services.decision_refusal(activation, ActivationStatus.ACTIVATED, _seen()):
        flash(refusal, "error")
        return redirect(url_for("activation.detail", request_id=activation.id))
    form = ActivatedForm()
    if not form.validate():
        return _render_detail(activation, RefuseForm(), form, 400)
    try:
        services.mark_activated(
            current_user,
            activation,
            form.account_id.data,
            form.account_url.data or "",
            seen=_seen(),
        )
    except RuleViolation as error:
        flash(str(error.message), "error")
    else:
        _flash_outcome(activation)
    return redirect(url_for("activation.detail", request_id=activation.id))


@bp.post("/activation/requests/<int:request_id>/close")
@role_required(*TRAINERS)
def close(request_id: int) -> Response | str:
    """First a page that says what closing does; its button closes."""
    activation = get_or_404(ActivationRequest, request_id)
    require(can_decide_activation(current_user, activation))
    if request.form.get("confirmed") != "1":
        seen = _seen()
        return render_template(
            "activation/close_confirm.html",
            activation=activation,
            seen=seen.value if seen else "",
        )
    try:
        services.report_closed(current_user, activation, seen=_seen())
    except RuleViolation as error:
        flash(str(error.message), "error")
    else:
        _flash_outcome(activation)
    return redirect(url_for("activation.detail", request_id=activation.id))
