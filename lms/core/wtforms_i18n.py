"""WTForms' own messages ("Not a valid choice.", "Number must be between 1 and 500.") in the
interface's language, from the application's catalogue.

WTForms ships no Vietnamese catalogue, so Flask-WTF's translations would leave its built-in
messages in English. Each request hands Flask-WTF the application's Flask-Babel translations
instead (Flask-WTF reads them from ``request.wtforms_translations``). The messages are listed
below, with their WTForms wording, so that extraction keeps them in the catalogue and the
translation test sees them translated.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import get_translations


class BabelTranslations:
    """What Flask-WTF asks of a translations object, answered from Flask-Babel's catalogue."""

    def ugettext(self, string: str) -> str:
        return get_translations().gettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ngettext(singular, plural, n)

    gettext, ngettext = ugettext, ungettext


def init_app(app: Flask) -> None:
    @app.before_request
    def _wtforms_messages_from_our_catalogue() -> None:
        request.wtforms_translations = BabelTranslations()


def _l(message: str) -> str:
    """Marks a message for extraction; WTForms asks for its translation itself."""
    return message


def ngettext(singular: str, plural: str, _n: int) -> str:
    """Marks a plural message for extraction (the name the extractor knows)."""
    return singular


#: WTForms 3's messages, word for word (wtforms/locale/wtforms.pot), in English
WTFORMS_MESSAGES = (
    _l("Invalid field name '%s'."),
    _l("Field must be equal to %(other_name)s."),
    ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    ),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid IP address."),
    _l("Invalid Mac address."),
    _l("Invalid URL."),
    _l("Invalid UUID."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
    _l("Invalid CSRF Token."),
    _l("CSRF token missing."),
    _l("CSRF failed."),
    _l("CSRF token expired."),
    _l("Invalid Choice: could not coerce."),
    _l("Choices cannot be None."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid week value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)
