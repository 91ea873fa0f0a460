"""Logging in and out, and the administrator's account screens."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from lms.areas.forms import area_choices
from lms.auth import cards, pins, services
from lms.auth.forms import ChangePinForm, HouseholdLoginForm, StaffLoginForm, UserForm
from lms.auth.models import Role, User, role_label
from lms.core.errors import LoginLocked, RuleViolation
from lms.core.forms import attach_error, select_choices
from lms.core.pdf import html_to_pdf, qr_svg
from lms.core.permissions import TRAINERS, can_print_card, require
from lms.core.scope import get_or_404, role_required
from lms.core.web import download, home_url_for, safe_next
from lms.extensions import limiter
from lms.households.models import Household
from lms.organisations.services import list_organisations

bp = Blueprint("auth", __name__)


@bp.app_context_processor
def inject_role_label() -> dict:
    return {"role_label": role_label}


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Response | tuple[str, int] | str:
    """Household members: phone number + PIN (the phone-first page)."""
    return _login(HouseholdLoginForm(), "auth/login.html", services.authenticate_household)


@bp.route("/login/staff", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login_staff() -> Response | tuple[str, int] | str:
    """Staff: e-mail + password."""
    return _login(StaffLoginForm(), "auth/login_staff.html", services.authenticate_staff)


def _login(form, template: str, authenticate) -> Response | tuple[str, int] | str:
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        credentials = [field.data for field in form if field.name not in ("next", "csrf_token")]
        try:
            user = authenticate(*credentials)
        except LoginLocked as error:
            help_ = _(
                "Forgotten your PIN? Your trainer can print you a new login card; the commune "
                "office can help too."
            )
            flash(f"{error.message} {help_}", "error")
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            login_user(user, remember=False)
            target = safe_next(form.next.data) or home_url_for(user)
            if pins.should_change_pin(user, credentials[-1]):
                return redirect(url_for("auth.change_pin", next=target, asked=1))
            return redirect(target)
    status = 400 if request.method == "POST" else 200
    return render_template(template, form=form), status


@bp.route("/account/pin", methods=["GET", "POST"])
@role_required(Role.HOUSEHOLD)
def change_pin() -> Response | tuple[str, int]:
    """A household member chooses its own PIN (asked after logging in with a printed one)."""
    form = ChangePinForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            pins.change_pin(current_user, form.current.data, form.new.data)
        except RuleViolation as error:
            attach_error(form, error)
        else:
            member = current_user._get_current_object()
            login_user(member, remember=False)  # its other sessions end, not this one
            flash(_("Your new PIN is saved. Log in with it from now on."), "success")
            return redirect(safe_next(form.next.data) or home_url_for(member))
    status = 400 if request.method == "POST" else 200
    asked = request.args.get("asked") == "1"
    later = safe_next(form.next.data) or home_url_for(current_user)
    return render_template("auth/change_pin.html", form=form, asked=asked, later=later), status


@bp.get("/card/<token>")
def card_login(token: str) -> Response | tuple[str, int]:
    """The link in a login card's QR code: logs the household member in on this phone."""
    try:
        member = cards.member_from_card(token)
    except RuleViolation as error:
        return render_template("auth/card_refused.html", message=error.message), 400
    logout_user()
    login_user(member, remember=False)
    return redirect(safe_next(request.args.get("next")) or home_url_for(member))


@bp.post("/households/<int:household_id>/card")
@bp.post("/households/<int:household_id>/card.<any(pdf):kind>")
@role_required(*TRAINERS)
def print_card(household_id: int, kind: str = "html") -> Response | tuple[str, int] | str:
    """Print a new login card (a new PIN; earlier cards stop working), as a page or a PDF."""
    household = get_or_404(Household, household_id)
    require(can_print_card(current_user, household))
    try:
        card = cards.issue_login_card(current_user, household)
    except RuleViolation as error:
        flash(str(error.message), "error")
        return redirect(url_for("households.detail", household_id=household.id))
    link = url_for("auth.card_login", token=card.token, _external=True)
    html = render_template(
        "auth/card.html",
        household=household,
        card=card,
        link=link,
        qr=Markup(qr_svg(link)),  # noqa: S704 - segno writes this SVG from our own URL
        expires=cards.card_expiry(),
        # the same stylesheet: served to the browser, read from its folder for the PDF
        stylesheet="login-card.css"
        if kind == "pdf"
        else url_for("static", filename="login-card/login-card.css"),
    )
    if kind == "pdf":
        folder = Path(current_app.static_folder) / "login-card"
        return download(html_to_pdf(html, folder), f"the-dang-nhap-{household.id}.pdf")
    return html


@bp.post("/households/<int:household_id>/card/revoke")
@role_required(*TRAINERS)
def revoke_cards(household_id: int) -> Response | str:
    """First a page that says what cancelling the cards does; its button cancels them."""
    household = get_or_404(Household, household_id)
    require(can_print_card(current_user, household))
    if request.form.get("confirmed") != "1":
        return render_template("auth/revoke_confirm.html", household=household)
    cards.revoke_login_cards(current_user, household)
    flash(
        _(
            "Every login card of this household has stopped working, its PIN too, and its "
            "members are logged out. Print a new card for them to log in again."
        ),
        "success",
    )
    return redirect(url_for("households.detail", household_id=household.id))


@bp.post("/logout")
@login_required
def logout() -> Response:
    services.log_out(current_user)
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/users")
@role_required(Role.ADMIN)
def users() -> str:
    page = services.list_users(current_user, request.args.get("page", 1, type=int))
    return render_template("auth/users.html", page=page)


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_user() -> Response | tuple[str, int] | str:
    form = _user_form()
    if form.validate_on_submit():
        try:
            user = services.create_user(current_user, **_user_fields(form))
        except RuleViolation as error:
            attach_error(form, error)
        else:
            flash(_("The account of %(name)s was created.", name=user.full_name), "success")
            return redirect(url_for("auth.users"))
    return _render_user_form(form, None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int) -> Response | tuple[str, int] | str:
    user = get_or_404(User, user_id)
    form = _user_form(obj=user)
    if request.method == "GET":
        form.household_id.data = str(user.household_id or "")
    if form.validate_on_submit():
        try:
            services.update_user(current_user, user, **_user_fields(form))
        except RuleViolation as error:
            attach_error(form, error)
        else:
            if user.id == current_user.id:  # a new password ends the other sessions, not this one
                login_user(user, remember=False)
            flash(_("The account of %(name)s was saved.", name=user.full_name), "success")
            return redirect(url_for("auth.users"))
    return _render_user_form(form, user)


@bp.post("/users/<int:user_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate_user(user_id: int) -> Response | str:
    """First a page that says what deactivating does; its button deactivates."""
    user = get_or_404(User, user_id)
    if request.form.get("confirmed") != "1":
        return render_template("auth/deactivate_confirm.html", user=user)
    try:
        services.deactivate_user(current_user, user)
    except RuleViolation as error:
        flash(str(error.message), "error")
    else:
        flash(_("The account of %(name)s was deactivated.", name=user.full_name), "success")
    return redirect(url_for("auth.users"))


def _user_form(**kwargs) -> UserForm:
    form = UserForm(**kwargs)
    form.area_id.choices = area_choices(current_user, blank=True)
    form.organisation_id.choices = select_choices(
        ((org.id, org.name) for org in list_organisations(current_user)), blank=True
    )
    return form


def _user_fields(form: UserForm) -> dict:
    fields = {
        "role": Role(form.role.data),
        "full_name": form.full_name.data,
        "email": form.email.data,
        "secret": form.secret.data or None,
        "area_id": form.area_id.data,
        "organisation_id": form.organisation_id.data,
        "household_id": int(form.household_id.data) if form.household_id.data else None,
        "is_active": form.is_active.data,
    }
    if form.phone.typed is not None:  # left empty, the stored phone stays
        fields["phone"] = form.phone.typed
    return fields


def _render_user_form(form: UserForm, user: User | None) -> tuple[str, int]:
    status = 400 if request.method == "POST" else 200
    return render_template("auth/user_form.html", form=form, user=user), status
