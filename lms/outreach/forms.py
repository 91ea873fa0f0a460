from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.auth.models import User
from lms.core.forms import commune_choices
from lms.core.models import today
from lms.households.forms import optional_id

DATE_MESSAGE = _l("Please enter the date as dd/mm/yyyy.")


class AnnouncementForm(FlaskForm):
    """Which commune and period to write the announcement for (sent by GET: nothing changes)."""

    class Meta:
        csrf = False

    area_id = SelectField(
        _l("Commune"), coerce=optional_id, validators=[DataRequired(_l("Please choose a commune."))]
    )
    date_from = DateField(
        _l("Classes from"), default=today, validators=[DataRequired(DATE_MESSAGE)]
    )
    date_to = DateField(
        _l("Classes until"),
        default=lambda: today() + timedelta(days=30),
        validators=[DataRequired(DATE_MESSAGE)],
    )
    bring = StringField(_l("What to bring"), validators=[Optional(), Length(max=500)])
    contact = StringField(
        _l("Whom to call (name, role, phone)"), validators=[Optional(), Length(max=300)]
    )


class BroadcastForm(FlaskForm):
    area_id = SelectField(
        _l("Commune"), coerce=optional_id, validators=[DataRequired(_l("Please choose a commune."))]
    )
    broadcast_on = DateField(
        _l("Broadcast on"), default=today, validators=[DataRequired(DATE_MESSAGE)]
    )
    text = TextAreaField(
        _l("What was read"),
        validators=[DataRequired(_l("Please enter what was read.")), Length(max=20_000)],
        render_kw={"rows": 16},
    )
    period_from = HiddenField()
    period_to = HiddenField()


def fill_communes(form: AnnouncementForm | BroadcastForm, user: User) -> None:
    form.area_id.choices = commune_choices(user)
