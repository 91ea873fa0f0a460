from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from lms.households.forms import optional_id


class ApiKeyForm(FlaskForm):
    name = StringField(
        _l("What the key is for"),
        validators=[DataRequired(_l("Please name the key (who uses it, where).")), Length(max=120)],
    )
    organisation_id = SelectField(
        _l("Organisation"),
        coerce=optional_id,
        validators=[DataRequired(_l("Please choose the organisation."))],
    )
    marketplace_id = SelectField(_l("Acts for"), coerce=optional_id)
