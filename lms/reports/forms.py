"""The dashboard's filters and the seller-list upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from lms.households.forms import optional_id


class TargetFilterForm(FlaskForm):
    """The dashboard's and the lists' filters, sent by GET (nothing changes: no CSRF token)."""

    class Meta:
        csrf = False

    area_id = SelectField(_l("Commune"), coerce=optional_id, validate_choice=False)
    scale_class_id = SelectField(_l("Scale class"), coerce=optional_id, validate_choice=False)
    product_group_id = SelectField(_l("Product group"), coerce=optional_id, validate_choice=False)
    marketplace_id = SelectField(_l("Marketplace"), coerce=optional_id, validate_choice=False)
    organisation_id = SelectField(_l("Trained by"), coerce=optional_id, validate_choice=False)


class SellerListForm(FlaskForm):
    marketplace_id = SelectField(_l("Marketplace"), coerce=optional_id)
    file = FileField(
        _l("Seller list from the marketplace (.xlsx or .csv)"),
        validators=[
            FileRequired(_l("Please choose a file.")),
            FileAllowed(["xlsx", "csv"], _l("Only .xlsx and .csv files can be imported.")),
        ],
    )


class TrailSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(
        _l("Household or certificate"),
        validators=[Optional(), Length(max=100)],
        render_kw={
            "placeholder": _l("Name, phone, or certificate serial such as NA-2026-000123"),
            "type": "search",
        },
    )
