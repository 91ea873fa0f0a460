"""Messages and consent screens: the household's message box and consent page (on its
phone), the trainer's record of paper consent for a session's roster, and the officials'
delivery screen."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.attendance.models import ClassSession
from lms.auth.models import Role
from lms.core.errors import RuleViolation
from lms.core.permissions import (
    OFFICIALS,
    TRAINERS,
    can_record_paper_consent,
    can_see_delivery,
    require,
)
from lms.core.scope import get_or_404, role_required
from lms.households.models import Household
from lms.messages import rendering, services
from lms.messages.forms import ConsentForm, PaperConsentForm
from lms.messages.models import (
    CHANNEL_LABELS,
    METHOD_LABELS,
    PURPOSE_LABELS,
    STATE_LABELS,
    Channel,
    ConsentPurpose,
    MessageState,
)

bp = Blueprint("messages", __name__, url_prefix="/messages")


@bp.app_context_processor
def inject() -> dict:
    """The household's home page shows its message box (``inbox_for``)."""
    return {
        "inbox_for": services.inbox,
        "template_title": lambda name: rendering.template(name).title,
    }


@bp.get("/")
@role_required(Role.HOUSEHOLD)
def mine() -> str:
    household = current_user.household
    return render_template(
        "messages/mine.html", household=household, items=services.inbox(household, limit=50)
    )


def _consent_page(form: ConsentForm | None = None, status: int = 200):
    household = current_user.household
    return render_template(
        "messages/consent.html",
        household=household,
        consents=services.current_consents(household),
        texts={p: rendering.consent_text(p) for p in ConsentPurpose},
        purpose_labels=PURPOSE_LABELS,
        method_labels=METHOD_LABELS,
        form=form or ConsentForm(),
    ), status


@bp.get("/consent")
@role_required(Role.HOUSEHOLD)
def consent() -> tuple[str, int]:
    return _consent_page()


@bp.post("/consent")
@role_required(Role.HOUSEHOLD)
def consent_post() -> Response | tuple[str, int]:
    form = ConsentForm()
    if not form.validate_on_submit():
        # the page's forms are buttons: what was wrong is said above them
        fields = (form.purpose, form.answer, form.reason)
        form.form_errors.extend(error for f in fields for error in f.errors)
        return _consent_page(form, 400)
    given = form.answer.data == "yes"
    try:
        services.record_consent(
            current_user,
            current_user.household,
            ConsentPurpose(form.purpose.data),
            given,
            reason=form.reason.data or "",
        )
    except RuleViolation as violation:
        form.form_errors.append(str(violation.message))
        return _consent_page(form, 400)
    flash(_("Your answer is recorded.") if given else _("Withdrawn: no more messages."), "success")
    return redirect(url_for("messages.consent"))


def _roster_page(session: ClassSession, forms: dict | None = None, status: int = 200):
    roster = services.roster_consents(session)
    return render_template(
        "messages/paper_consent.html",
        session=session,
        roster=roster,
        forms=forms or {},
        blank=PaperConsentForm,
        purpose_labels=PURPOSE_LABELS,
        texts={p: rendering.consent_text(p) for p in ConsentPurpose},
    ), status


@bp.get("/sessions/<int:session_id>/consent")
@role_required(*TRAINERS)
def paper_consent(session_id: int) -> tuple[str, int]:
    session = get_or_404(ClassSession, session_id)
    require(can_record_paper_consent(current_user, session))
    return _roster_page(session)


@bp.post("/sessions/<int:session_id>/consent/<int:household_id>")
@role_required(*TRAINERS)
def record_paper_consent(session_id: int, household_id: int) -> Response | tuple[str, int]:
    session = get_or_404(ClassSession, session_id)
    household = get_or_404(Household, household_id)
    require(can_record_paper_consent(current_user, session))
    form = PaperConsentForm(prefix=f"h{household.id}")  # one form per household on the page
    if not form.validate_on_submit():
        return _roster_page(session, {household.id: form}, 400)
    answers = {purpose: field.data for purpose, field in form.answers().items()}
    try:
        changed = services.record_paper_consents(
            current_user, session, household, answers, form.reason.data or ""
        )
    except RuleViolation as violation:
        form.form_errors.append(str(violation.message))
        return _roster_page(session, {household.id: form}, 400)
    flash(
        _("Recorded for %(name)s: %(n)d change(s).", name=household.head_name, n=changed), "success"
    )
    return redirect(url_for("messages.paper_consent", session_id=session.id))


@bp.get("/delivery")
@role_required(*OFFICIALS)
def delivery() -> str:
    require(can_see_delivery(current_user))
    return render_template(
        "messages/delivery.html",
        communes=services.delivery_by_commune(current_user),
        problems=services.problems(current_user),
        channels=list(Channel),
        states=list(MessageState),
        channel_labels=CHANNEL_LABELS,
        state_labels=STATE_LABELS,
        reason_label=services.reason_label,
    )
