from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.auth.models import User
from lms.core.forms import PersonalDataField, commune_choices, select_choices
from lms.core.models import today
from lms.households.models import CHANNEL_LABELS, ProductGroup, ScaleClass
from lms.households.services import active_classes


def optional_id(value: str | int | None) -> int | None:
    return int(value) if value not in (None, "", "None") and str(value).isdigit() else None


class HouseholdForm(FlaskForm):
    head_name = StringField(
        _l("Head of household"),
        validators=[
            DataRequired(_l("Please enter the name of the head of household.")),
            Length(max=120),
        ],
    )
    phone = TelField(
        _l("Phone number"),
        validators=[Optional(), Length(max=20)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    #: never filled with the stored CCCD: the page hints it masked, empty keeps it
    national_id = PersonalDataField(
        _l("National ID (CCCD)"),
        validators=[Optional(), Length(max=20)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    #: shown when the household has a CCCD: a wrong one can be removed, not only replaced
    remove_national_id = BooleanField(_l("Remove the stored national ID (CCCD)"))
    area_id = SelectField(_l("Commune"), coerce=optional_id)
    village = StringField(_l("Village"), validators=[Optional(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    scale_class_id = SelectField(_l("Scale class"), coerce=optional_id)
    product_group_id = SelectField(_l("Product group"), coerce=optional_id)


class HouseholdFilterForm(FlaskForm):
    """The list's filters, sent by GET (nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Search"),
        validators=[Optional(), Length(max=100)],
        render_kw={"placeholder": _l("Name, phone or last digits of the CCCD"), "type": "search"},
    )
    area_id = SelectField(_l("Commune"), coerce=optional_id, validate_choice=False)
    scale_class_id = SelectField(_l("Scale class"), coerce=optional_id, validate_choice=False)
    product_group_id = SelectField(_l("Product group"), coerce=optional_id, validate_choice=False)
    quality = SelectField(
        _l("Data"),
        choices=lambda: select_choices(
            [("", _l("All")), ("ok", _l("Standardised")), ("problems", _l("With problems"))]
        ),
        validate_choice=False,
    )
    informed = SelectField(
        _l("Informed"),
        choices=lambda: select_choices(
            [("", _l("All")), ("yes", _l("Informed")), ("no", _l("Not yet informed"))]
        ),
        validate_choice=False,
    )


class OutreachForm(FlaskForm):
    informed_on = DateField(
        _l("Date"),
        default=today,
        validators=[DataRequired(_l("Please enter the date as dd/mm/yyyy."))],
    )
    channel = SelectField(_l("Channel"), choices=lambda: select_choices(CHANNEL_LABELS.items()))


class ImportForm(FlaskForm):
    file = FileField(
        _l("Excel (.xlsx, .xls), OpenDocument (.ods) or CSV file"),
        validators=[
            FileRequired(_l("Please choose a file.")),
            FileAllowed(
                ["xlsx", "xls", "ods", "csv"],
                _l("Only .xlsx, .xls, .ods and .csv files can be imported."),
            ),
        ],
    )


class ClassificationForm(FlaskForm):
    code = StringField(
        _l("Short code"),
        validators=[DataRequired(_l("Please enter a short code.")), Length(max=30)],
    )
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Please enter the name.")), Length(max=120)]
    )
    position = IntegerField(
        _l("Order in lists"), default=0, validators=[Optional(), NumberRange(min=0, max=999)]
    )
    is_active = BooleanField(_l("Active"), default=True)


def fill_household_choices(form: FlaskForm, user: User) -> None:
    """Fill a form's commune, scale class and product group selects (each with a blank
    option first): the household form, the registry's filters, the dashboard's filters."""
    form.area_id.choices = commune_choices(user)
    for name, model in (("scale_class_id", ScaleClass), ("product_group_id", ProductGroup)):
        getattr(form, name).choices = select_choices(
            ((c.id, c.name) for c in active_classes(model)), blank=True
        )
