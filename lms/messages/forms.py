"""Consent forms: the household's own (on its phone), and the trainer's record of a paper
form signed at a class."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from lms.core.forms import select_choices
from lms.messages.models import ConsentPurpose

PURPOSES = [purpose.value for purpose in ConsentPurpose]
REASON_LENGTH = Length(max=500, message=_l("At most 500 characters."))


class ConsentForm(FlaskForm):
    """One purpose at a time: agree, or withdraw (with a reason, if the household says one)."""

    purpose = HiddenField(
        validators=[DataRequired(), AnyOf(PURPOSES, message=_l("Choose what you agree to."))]
    )
    answer = HiddenField(validators=[AnyOf(["yes", "no"], message=_l("Choose yes or no."))])
    reason = TextAreaField(_l("Why (optional)"), validators=[Optional(), REASON_LENGTH])


ANSWERS = (
    ("", _l("No change")),
    ("yes", _l("Agreed (signed)")),
    ("no", _l("Not agreed / withdrawn")),
)


class PaperConsentForm(FlaskForm):
    """What the household signed on the paper form, purpose by purpose."""

    purpose_data = SelectField(_l("Processing of the household's data"), default="")
    purpose_zalo = SelectField(_l("Messages by Zalo"), default="")
    purpose_sms = SelectField(_l("Messages by SMS"), default="")
    reason = TextAreaField(
        _l("Reason given for a withdrawal (optional)"), validators=[Optional(), REASON_LENGTH]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.answers().values():
            field.choices = select_choices(ANSWERS)

    def answers(self) -> dict[ConsentPurpose, SelectField]:
        return {purpose: getattr(self, f"purpose_{purpose.value}") for purpose in ConsentPurpose}
