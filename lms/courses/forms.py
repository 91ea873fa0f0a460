from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

if TYPE_CHECKING:
    from lms.courses.models import Question


class QuizForm(FlaskForm):
    """The quiz's CSRF token and nonce; the answers (q1, q2 …) are read from the request
    (``chosen_answers``)."""

    nonce = HiddenField(validators=[DataRequired(), Length(max=40)])


def chosen_answers(questions: Iterable[Question]) -> dict[int, list[int]]:
    """The options ticked for each question (fields q1, q2 …), by question position; what
    is not a number is ignored."""
    return {
        q.position: [int(v) for v in request.form.getlist(f"q{q.position}") if v.isdigit()]
        for q in questions
    }


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
