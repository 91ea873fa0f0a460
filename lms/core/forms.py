"""Helpers shared by every form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.fields.choices import SelectChoice

from lms.auth.models import User
from lms.core.errors import RuleViolation
from lms.core.scope import communes_in_scope


class PersonalDataField(StringField):
    """A text input for personal data a record already holds (a CCCD, a login phone).

    The page never carries the stored value (DESIGN §4 rule 5): the input shows only what
    was typed in this request, the template shows the stored value masked, as a hint, and
    an empty answer keeps it (``typed`` is None).
    """

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else ""

    @property
    def typed(self) -> str | None:
        """What was typed in this request, or None when the input was left empty."""
        value = self.raw_data[0].strip() if self.raw_data else ""
        return value or None


def attach_error(form: FlaskForm, error: RuleViolation) -> None:
    """Show a service's refusal next to its field, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


def select_choices(pairs: Iterable[tuple[Any, Any]], blank: bool = False) -> list[SelectChoice]:
    """Options for a SelectField from (value, label) pairs; ``blank`` adds an empty first one."""
    options = [SelectChoice("", "—")] if blank else []
    return options + [SelectChoice(value, str(label)) for value, label in pairs]


def commune_choices(user: User) -> list[SelectChoice]:
    """A blank option, then the current communes of the user's scope: every commune select."""
    return select_choices(((a.id, a.name) for a in communes_in_scope(user)), blank=True)


def flash_form_errors(form: FlaskForm) -> None:
    """For forms posted from another page: say what was wrong at the top of the next one."""
    from flask import flash

    flash(" ".join(str(error) for errors in form.errors.values() for error in errors), "error")
