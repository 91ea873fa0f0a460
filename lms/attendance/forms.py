from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.attendance.models import MarkStatus
from lms.core.models import PROGRAMME_TIMEZONE
from lms.households.forms import optional_id


def to_utc(value: datetime | None) -> datetime | None:
    """A time typed in the form is Vietnam time."""
    return value.replace(tzinfo=PROGRAMME_TIMEZONE) if value else None


class SessionForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Please enter the session's title.")), Length(max=160)],
    )
    course_ids = SelectMultipleField(
        _l("Courses covered"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    starts_at = DateTimeLocalField(
        _l("Starts"), validators=[DataRequired(_l("Please enter the start: day and time."))]
    )
    ends_at = DateTimeLocalField(_l("Ends"), validators=[Optional()])
    #: typed, with suggestions: a province has more than a hundred communes
    commune = StringField(
        _l("Commune"),
        validators=[DataRequired(_l("Please type the commune's name.")), Length(max=120)],
        render_kw={"list": "communes", "autocomplete": "off"},
    )
    place = StringField(
        _l("Place"),
        validators=[DataRequired(_l("Please enter where the class is held.")), Length(max=255)],
    )
    capacity = IntegerField(
        _l("Places (empty: no limit)"), validators=[Optional(), NumberRange(min=1, max=500)]
    )
    co_trainer_id = SelectField(_l("Co-trainer"), coerce=optional_id)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class WalkInForm(FlaskForm):
    head_name = StringField(
        _l("Head of household"),
        validators=[
            DataRequired(_l("Please enter the name of the head of household.")),
            Length(max=120),
        ],
    )
    phone = TelField(
        _l("Phone number"),
        validators=[DataRequired(_l("Please enter your phone number.")), Length(max=20)],
        render_kw={"inputmode": "tel"},
    )
    village = StringField(_l("Village"), validators=[Optional(), Length(max=120)])


class PhonesForm(FlaskForm):
    phones = TextAreaField(
        _l("Phone numbers, one per line"),
        validators=[
            DataRequired(_l("Please paste at least one phone number.")),
            Length(max=20_000),
        ],
    )


class MarksForm(FlaskForm):
    """The CSRF token and, for locked marks, the admin's reason; statuses come per row."""

    reason = StringField(
        _l("Reason for changing locked marks"), validators=[Optional(), Length(max=255)]
    )


def submitted_marks(
    formdata: Mapping[str, str], household_ids: Iterable[int]
) -> dict[int, tuple[MarkStatus | None, MarkStatus | None]]:
    """Each household's row of the marks screen: (the status the form showed, the one chosen)."""
    return {
        household_id: (
            _mark_status(formdata.get(f"was-{household_id}")),
            _mark_status(formdata.get(f"status-{household_id}")),
        )
        for household_id in household_ids
    }


def _mark_status(value: str | None) -> MarkStatus | None:
    return MarkStatus(value) if value in {status.value for status in MarkStatus} else None


class CheckinForm(FlaskForm):
    code = StringField(
        _l("Code on the trainer's screen"),
        validators=[DataRequired(_l("Please enter the 6-digit code.")), Length(max=12)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 7},
    )


class ExportForm(FlaskForm):
    class Meta:
        csrf = False

    first = DateField(
        _l("From"), validators=[DataRequired(_l("Please enter the date as dd/mm/yyyy."))]
    )
    last = DateField(
        _l("To"), validators=[DataRequired(_l("Please enter the date as dd/mm/yyyy."))]
    )
