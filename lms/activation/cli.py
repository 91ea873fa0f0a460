"""``flask activation``: check, ask, approve, refuse, mark activated and close from the command
line, through the same gate as the screens and the API (the acting user is the system)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.activation import services
from lms.activation.models import ActivationRequest
from lms.core.errors import RuleViolation
from lms.extensions import db
from lms.households.models import Household
from lms.products.models import Marketplace

cli = AppGroup("activation", help="Activation requests (shops and payment accounts).")


def _household(who: str) -> Household:
    household = services.find_household(phone=who, national_id=who)
    if household is None:
        raise click.ClickException(f"no household has the phone or national ID {who!r}")
    return household


def _partner(code: str) -> Marketplace:
    partner = db.session.scalar(select(Marketplace).where(Marketplace.code == code))
    if partner is None:
        raise click.ClickException(f"no marketplace or payment provider has the code {code!r}")
    return partner


def _request(request_id: int) -> ActivationRequest:
    request = db.session.get(ActivationRequest, request_id)
    if request is None:
        raise click.ClickException(f"no activation request has the id {request_id}")
    return request


def _report(request: ActivationRequest) -> None:
    click.echo(f"request {request.id}: {request.status.value}")
    if request.refusal_reason:
        click.echo(request.refusal_reason)


def _run(service, *args) -> None:
    try:
        _report(service(None, *args))
    except RuleViolation as error:
        raise click.ClickException(str(error.message)) from error


@cli.command("check")
@click.argument("household")
@click.argument("partner")
def check_command(household: str, partner: str) -> None:
    """May HOUSEHOLD (phone or national ID) have an account on PARTNER (e.g. postmart)?"""
    reasons = services.refusal_reasons(_household(household), _partner(partner))
    click.echo("\n".join(reasons) if reasons else "yes")
    if reasons:
        raise SystemExit(1)


@cli.command("request")
@click.argument("household")
@click.argument("partner")
def request_command(household: str, partner: str) -> None:
    """Ask for HOUSEHOLD's shop or account on PARTNER (the gate answers at once)."""
    _run(services.request_activation, _household(household), _partner(partner))


@cli.command("approve")
@click.argument("request_id", type=int)
def approve_command(request_id: int) -> None:
    _run(services.approve, _request(request_id))


@cli.command("refuse")
@click.argument("request_id", type=int)
@click.option("--reason", required=True, help="Why, in words the household understands.")
def refuse_command(request_id: int, reason: str) -> None:
    _run(services.refuse, _request(request_id), reason)


@cli.command("activated")
@click.argument("request_id", type=int)
@click.option("--account-id", required=True, help="The shop or account id on the partner's side.")
@click.option("--url", "account_url", default="", help="The shop's address (https://…).")
def activated_command(request_id: int, account_id: str, account_url: str) -> None:
    _run(services.mark_activated, _request(request_id), account_id, account_url)


@cli.command("close")
@click.argument("request_id", type=int)
def close_command(request_id: int) -> None:
    _run(services.report_closed, _request(request_id))
