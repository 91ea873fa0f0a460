from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.core.forms import select_choices
from lms.products.models import CERTIFICATION_LABELS
from lms.products.services import marketplaces


class ProductForm(FlaskForm):
    name = StringField(
        _l("Product name"),
        validators=[DataRequired(_l("Please enter the product's name.")), Length(max=160)],
    )
    category = StringField(
        _l("Category"),
        validators=[Optional(), Length(max=120)],
        render_kw={"placeholder": _l("e.g. tea, honey, rice, fish sauce")},
    )
    ocop_stars = SelectField(
        _l("OCOP rating"),
        coerce=int,
        default=0,
        choices=lambda: select_choices(
            [(0, _l("Not rated"))] + [(n, _l("%(n)d stars", n=n)) for n in range(1, 6)]
        ),
    )
    ocop_decision = StringField(
        _l("OCOP decision number"),
        validators=[Optional(), Length(max=60)],
        render_kw={"placeholder": "1234/QĐ-UBND"},
    )
    ocop_year = IntegerField(
        _l("Year of the OCOP rating"), validators=[Optional(), NumberRange(min=2018, max=2100)]
    )
    ocop_decided_on = DateField(_l("Date of the OCOP decision"), validators=[Optional()])


class CertificationForm(FlaskForm):
    kind = SelectField(
        _l("Certification"), choices=lambda: select_choices(CERTIFICATION_LABELS.items())
    )
    number = StringField(
        _l("Certificate number"),
        validators=[DataRequired(_l("Please enter the certificate number.")), Length(max=60)],
    )
    issuer = StringField(_l("Issued by"), validators=[Optional(), Length(max=160)])
    expires_on = DateField(_l("Valid until"), validators=[Optional()])


class ListingForm(FlaskForm):
    marketplace_id = SelectField(_l("Marketplace"), coerce=int)
    url = URLField(
        _l("Shop or product page"),
        validators=[Optional(), Length(max=500)],
        render_kw={"placeholder": "https://postmart.vn/…"},
    )
    listed_on = DateField(_l("Listed on"), validators=[Optional()])


def marketplace_choices(blank: bool = False) -> list[SelectChoice]:
    """The active marketplaces, by name (``blank``: an empty option first, for filters)."""
    return select_choices(((m.id, m.name) for m in marketplaces()), blank=blank)
