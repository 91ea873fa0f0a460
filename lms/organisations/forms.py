from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from lms.core.forms import select_choices
from lms.organisations.models import KIND_LABELS


class OrganisationForm(FlaskForm):
    code = StringField(
        _l("Short code"),
        validators=[DataRequired(_l("Please enter a short code.")), Length(max=30)],
    )
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Please enter the name.")), Length(max=160)]
    )
    kind = SelectField(_l("Kind"), choices=lambda: select_choices(KIND_LABELS.items()))
    area_id = SelectField(_l("Area"), coerce=int)
    is_active = BooleanField(_l("Active"), default=True)
    partner_ids = SelectMultipleField(
        _l("Marketplaces and payment services it runs (its trainers decide their requests)"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
