"""Language and time zone: Vietnamese first, English second; dates dd/mm/yyyy."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, has_request_context, session
from flask_babel import format_datetime, format_decimal


def select_locale() -> str:
    """The language chosen in this browser session; Vietnamese otherwise (and in the CLI)."""
    language = session.get("language") if has_request_context() else None
    if language in current_app.config["LANGUAGES"]:
        return language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def format_date_vn(value: datetime | None) -> str:
    """``dd/mm/yyyy`` in the programme's time zone, in both languages (as the glossary says)."""
    return format_datetime(value, "dd/MM/yyyy") if value else ""


def format_day(value: date | None) -> str:
    """A calendar date (no time, no time zone) as dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y") if value else ""


def format_datetime_vn(value: datetime | None) -> str:
    return format_datetime(value, "dd/MM/yyyy HH:mm") if value else ""


def init_app(app: Flask) -> None:
    from lms.core import wtforms_i18n

    wtforms_i18n.init_app(app)  # WTForms' own messages in the interface's language
    app.jinja_env.filters["date"] = format_date_vn
    app.jinja_env.filters["datetime"] = format_datetime_vn
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["number"] = format_decimal
