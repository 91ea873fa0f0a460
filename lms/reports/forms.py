"""The dashboard's filters and the seller-list upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

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
    date_from = DateField(_l("From"), validators=[Optional()])
    as_of = DateField(_l("Figures as of"), validators=[Optional()])
    period = SelectField(
        _l("Certificates counted per"),
        choices=[("week", _l("week")), ("month", _l("month"))],
        default="week",
        validate_choice=False,
    )

    def validate(self, extra_validators=None) -> bool:
        """A wrong date is dropped with its message; a range that ends before it starts, too."""
        ok = super().validate(extra_validators)
        for name in ("date_from", "as_of"):
            if getattr(self, name).errors:
                getattr(self, name).data = None
        if self.date_from.data and self.as_of.data and self.date_from.data > self.as_of.data:
            self.date_from.errors = [_l("The period must start before its last day.")]
            self.date_from.data = None
            ok = False
        if self.period.data not in ("week", "month"):
            self.period.data = "week"
        return ok


class ReportForm(FlaskForm):
    """What the plan report says of itself (Decree 30/2020/NĐ-CP): who issues it, its number,
    where and to whom; sent by GET with the dashboard's filters (nothing changes)."""

    class Meta:
        csrf = False

    governing_body = StringField(_l("Governing body"), validators=[Optional(), Length(max=120)])
    issuer = StringField(_l("Issuing body"), validators=[Optional(), Length(max=120)])
    number = StringField(
        _l("Number and symbol"),
        validators=[Optional(), Length(max=40)],
        render_kw={"placeholder": "123/BC-UBND"},
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=60)])
    recipient = StringField(_l("To"), validators=[Optional(), Length(max=200)])
    signer_position = StringField(_l("Signer's position"), validators=[Optional(), Length(max=80)])
    signer_name = StringField(_l("Signer"), validators=[Optional(), Length(max=80)])


class PlanTargetsForm(FlaskForm):
    """The plan's targets of a year: typed per commune (``households-<id>``, ``ocop-<id>``
    fields read by the view) or imported from a file."""

    year = IntegerField(_l("Year"), validators=[NumberRange(2020, 2100)])


class PlanTargetsImportForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[NumberRange(2020, 2100)])
    file = FileField(
        _l("Target file (.xlsx or .csv: commune, agricultural households, OCOP products)"),
        validators=[
            FileRequired(_l("Please choose a file.")),
            FileAllowed(["xlsx", "csv"], _l("Only .xlsx and .csv files can be imported.")),
        ],
    )


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
