from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.core.forms import select_choices
from lms.privacy.models import KIND_LABELS


class DataRequestForm(FlaskForm):
    kind = RadioField(
        _l("What do you ask for?"),
        choices=lambda: select_choices(KIND_LABELS.items()),
        validators=[DataRequired(_l("Please choose what you ask for."))],
    )
    details = TextAreaField(
        _l("What is wrong, and what should it be? (for a correction)"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 4},
    )


DECISIONS = {
    "corrected": _l("Corrected: I edited the household's record"),
    "delete": _l("Delete the personal data"),
    "refuse": _l("Refuse"),
}


class AnswerForm(FlaskForm):
    decision = RadioField(
        _l("Answer"),
        choices=lambda: select_choices(DECISIONS.items()),
        validators=[DataRequired(_l("Please choose an answer."))],
    )
    answer = TextAreaField(
        _l("What was corrected, or why it is refused (the household reads it)"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
    )
    confirm = BooleanField(_l("I checked with the household: delete its personal data now"))
