"""Product screens: a household's products, certifications and marketplace listings."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.core.errors import RuleViolation
from lms.core.forms import attach_error, flash_form_errors
from lms.core.permissions import STAFF, can_edit_household, require
from lms.core.scope import get_or_404, role_required
from lms.extensions import db
from lms.households.models import Household
from lms.products import services
from lms.products.forms import CertificationForm, ListingForm, ProductForm, marketplace_choices
from lms.products.models import CERTIFICATION_LABELS, Certification, Listing, Marketplace, Product

bp = Blueprint("products", __name__)


@bp.app_context_processor
def inject_labels() -> dict:
    return {"certification_label": lambda kind: str(CERTIFICATION_LABELS[kind])}


@bp.route("/households/<int:household_id>/products/new", methods=["GET", "POST"])
@role_required(*STAFF)
def create(household_id: int) -> Response | tuple[str, int]:
    household = get_or_404(Household, household_id)
    require(can_edit_household(current_user, household))
    return _save(household, None)


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def edit(product_id: int) -> Response | tuple[str, int]:
    product = get_or_404(Product, product_id)
    require(can_edit_household(current_user, product.household))
    return _save(product.household, product)


def _save(household: Household, product: Product | None) -> Response | tuple[str, int]:
    form = ProductForm(obj=product)
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in services.PRODUCT_FIELDS}
        try:
            saved = services.save_product(current_user, household, product, **fields)
        except RuleViolation as error:
            attach_error(form, error)
        else:
            flash(_("%(name)s was saved.", name=saved.name), "success")
            return redirect(url_for("products.edit", product_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "products/form.html",
        form=form,
        household=household,
        product=product,
        certification=CertificationForm(),
        listing=_listing_form(),
        eligible=product is not None and services.is_eligible(product),
        ocop_until=product is not None and services.ocop_valid_until(product),
    ), status


@bp.post("/products/<int:product_id>/delete")
@role_required(*STAFF)
def delete(product_id: int) -> Response | str:
    """First a page that says what deleting does; its button deletes."""
    product = get_or_404(Product, product_id)
    require(can_edit_household(current_user, product.household))
    if request.form.get("confirmed") != "1":
        return render_template("products/delete_confirm.html", product=product)
    household_id = product.household_id
    services.delete_product(current_user, product)
    flash(_("The product was deleted."), "success")
    return redirect(url_for("households.detail", household_id=household_id))


@bp.post("/products/<int:product_id>/certifications")
@role_required(*STAFF)
def add_certification(product_id: int) -> Response:
    product = get_or_404(Product, product_id)
    require(can_edit_household(current_user, product.household))
    form = CertificationForm()
    if form.validate():
        try:
            services.add_certification(current_user, product, **form.data)
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("The certification was added."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("products.edit", product_id=product.id))


@bp.post("/certifications/<int:certification_id>/delete")
@role_required(*STAFF)
def delete_certification(certification_id: int) -> Response | str:
    """First a page that says what removing does; its button removes."""
    certification = get_or_404(Certification, certification_id)
    require(can_edit_household(current_user, certification.product.household))
    if request.form.get("confirmed") != "1":
        return render_template(
            "products/certification_delete_confirm.html", certification=certification
        )
    product_id = certification.product_id
    services.delete_certification(current_user, certification)
    flash(_("The certification was removed."), "success")
    return redirect(url_for("products.edit", product_id=product_id))


@bp.post("/products/<int:product_id>/listings")
@role_required(*STAFF)
def set_listing(product_id: int) -> Response:
    product = get_or_404(Product, product_id)
    require(can_edit_household(current_user, product.household))
    form = _listing_form()
    if form.validate():
        marketplace = db.session.get(Marketplace, form.marketplace_id.data)
        if marketplace is None:
            abort(404)
        try:
            services.set_listing(
                current_user, product, marketplace, form.url.data or "", form.listed_on.data
            )
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("Listed on %(name)s.", name=marketplace.name), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("products.edit", product_id=product.id))


@bp.post("/listings/<int:listing_id>/end")
@role_required(*STAFF)
def end_listing(listing_id: int) -> Response | str:
    """First a page that says what ending does; its button ends the listing."""
    listing = get_or_404(Listing, listing_id)
    require(can_edit_household(current_user, listing.product.household))
    if request.form.get("confirmed") != "1":
        return render_template("products/end_listing_confirm.html", listing=listing)
    services.end_listing(current_user, listing)
    flash(_("The listing was ended."), "success")
    return redirect(url_for("products.edit", product_id=listing.product_id))


def _listing_form() -> ListingForm:
    form = ListingForm()
    form.marketplace_id.choices = marketplace_choices()
    return form
