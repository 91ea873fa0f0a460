"""Activation forms and the words for a request's states."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from lms.activation.services import partners
from lms.core.forms import select_choices
from lms.households.forms import optional_id


class AskForm(FlaskForm):
    """ "Đăng ký mở gian hàng": which marketplace or payment provider."""

    marketplace_id = IntegerField(validators=[DataRequired()])


class RefuseForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason, in words the household understands"),
        validators=[DataRequired(_l("Please say why the request is refused.")), Length(max=2000)],
    )


class ActivatedForm(FlaskForm):
    account_id = StringField(
        _l("Shop or account id"),
        validators=[DataRequired(_l("Please enter the shop or account id.")), Length(max=120)],
    )
    account_url = StringField(
        _l("Address of the shop (https://…)"), validators=[Optional(), Length(max=500)]
    )


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    area_id = SelectField(_l("Commune"), coerce=optional_id)
    marketplace_id = SelectField(_l("Marketplace or payment provider"), coerce=optional_id)
    status = SelectField(_l("Status"))
    needs_review = BooleanField(_l("Only accounts to review"))


def partner_choices(blank: bool = False) -> list[SelectChoice]:
    """The marketplaces, then the payment providers, open for accounts (``blank``: an
    empty option first, for filters)."""
    return select_choices(((m.id, m.name) for m in partners()), blank=blank)
