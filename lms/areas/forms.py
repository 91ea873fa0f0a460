from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from lms.areas.models import LEVEL_LABELS, AreaLevel
from lms.areas.services import list_areas
from lms.auth.models import User
from lms.core.forms import select_choices


def _optional_id(value: str | int | None) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class AreaForm(FlaskForm):
    code = StringField(
        _l("Official code"),
        validators=[DataRequired(_l("Please enter the official code.")), Length(max=10)],
        render_kw={"inputmode": "numeric"},
    )
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Please enter the area's name.")), Length(max=120)]
    )
    level = SelectField(
        _l("Level"), choices=lambda: select_choices(LEVEL_LABELS.items()), default=AreaLevel.COMMUNE
    )
    parent_id = SelectField(_l("Belongs to"), coerce=_optional_id)
    merged_into_id = SelectField(_l("Merged into"), coerce=_optional_id)
    former_district = StringField(
        _l("Former district (before the 2025 reform)"), validators=[Length(max=120)]
    )


class AreaImportForm(FlaskForm):
    file = FileField(
        _l("CSV file (code, name, level, parent_code, merged_into_code, former_district)"),
        validators=[
            FileRequired(_l("Please choose a file.")),
            FileAllowed(["csv"], _l("Only .csv files can be imported here.")),
        ],
    )


def area_choices(
    user: User, blank: bool = False, level: AreaLevel | None = None
) -> list[SelectChoice]:
    """The areas of the user's scope, province first (of one ``level`` when given;
    ``blank``: an empty option first)."""
    areas = (a for a in list_areas(user) if level is None or a.level is level)
    return select_choices(((a.id, a.name) for a in areas), blank=blank)
