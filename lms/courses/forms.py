from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange


class QuizForm(FlaskForm):
    """The quiz's CSRF token and nonce; the answers (q1, q2 …) are read from the request."""

    nonce = HiddenField(validators=[DataRequired(), Length(max=40)])


class ProgrammeForm(FlaskForm):
    name = StringField(
        _l("Programme name"),
        validators=[DataRequired(_l("Please enter the name.")), Length(max=200)],
    )
    area_id = SelectField(_l("Province"), coerce=int)
    year = IntegerField(
        _l("Year"),
        validators=[DataRequired(_l("Please enter the year.")), NumberRange(min=2024, max=2100)],
    )
    failed_attempts_per_day = IntegerField(
        _l("Failed quiz attempts a day before the quiz waits for the next day"),
        default=3,
        validators=[
            DataRequired(_l("Please enter a number from 1 to 10.")),
            NumberRange(min=1, max=10, message=_l("Please enter a number from 1 to 10.")),
        ],
    )
