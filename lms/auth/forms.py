"""Login and account forms: they check the shape of input; rules stay in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from lms.auth.models import ROLE_LABELS
from lms.core.forms import PersonalDataField, select_choices
from lms.core.text import normalize_phone


class HouseholdLoginForm(FlaskForm):
    phone = TelField(
        _l("Phone number"),
        validators=[DataRequired(_l("Please enter your phone number.")), Length(max=20)],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    pin = PasswordField(
        _l("PIN"),
        validators=[
            DataRequired(_l("Please enter your PIN.")),
            Regexp(r"^\d{6}$", message=_l("The PIN must be exactly 6 digits.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "current-password", "maxlength": 6},
    )
    next = HiddenField()

    def validate_phone(self, field: TelField) -> None:
        """A number that cannot be a phone gets a hint about its form, not "wrong PIN"."""
        if normalize_phone(field.data) is None:
            digits = sum(ch.isdigit() for ch in field.data or "")
            raise ValidationError(
                _l(
                    "This is not a phone number: you typed %(n)d digits; a mobile number has "
                    "10, starting with 0, e.g. 0912 345 678.",
                    n=digits,
                )
            )


class ChangePinForm(FlaskForm):
    """A household member replaces the PIN printed on its card with one only it knows."""

    current = PasswordField(
        _l("Current PIN (the one on your card)"),
        validators=[DataRequired(_l("Please enter your PIN."))],
        render_kw={"inputmode": "numeric", "autocomplete": "current-password", "maxlength": 6},
    )
    new = PasswordField(
        _l("New PIN: 6 digits only you know"),
        validators=[
            DataRequired(_l("Please enter the new PIN.")),
            Regexp(r"^\d{6}$", message=_l("The PIN must be exactly 6 digits.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "new-password", "maxlength": 6},
    )
    again = PasswordField(
        _l("New PIN again"),
        validators=[
            DataRequired(_l("Please type the new PIN again.")),
            EqualTo("new", message=_l("The two new PINs are not the same.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "new-password", "maxlength": 6},
    )
    next = HiddenField()


class StaffLoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Please enter your e-mail.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Please enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class UserForm(FlaskForm):
    role = SelectField(_l("Role"), choices=lambda: select_choices(ROLE_LABELS.items()))
    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Please enter the full name.")), Length(max=120)],
    )
    email = EmailField(
        _l("E-mail (staff)"),
        validators=[Optional(), Email(_l("The e-mail address is not valid.")), Length(max=254)],
    )
    #: never filled with the stored phone: the page hints it masked, empty keeps it
    phone = PersonalDataField(
        _l("Phone number"),
        validators=[Optional(), Length(max=20)],
        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "off"},
    )
    secret = PasswordField(
        _l("Password (staff) or 6-digit PIN (household)"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    area_id = SelectField(_l("Area"), coerce=lambda v: int(v) if v else None)
    organisation_id = SelectField(_l("Organisation"), coerce=lambda v: int(v) if v else None)
    household_id = StringField(
        _l("Household number (household members)"),
        validators=[Optional(), Regexp(r"^\d+$", message=_l("Enter the household's number."))],
    )
    is_active = BooleanField(_l("Active"), default=True)
