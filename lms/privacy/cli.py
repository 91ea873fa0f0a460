"""``flask privacy export``: a household's data for an answer on paper or by hand."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.extensions import db
from lms.households.models import Household
from lms.privacy import services

cli = AppGroup("privacy", help="The households' personal data.")


@cli.command("export")
@click.argument("household_id", type=int)
@click.option("--text", "readable", is_flag=True, help="Readable text instead of JSON.")
def export(household_id: int, readable: bool) -> None:
    """Print what the product holds about a household (JSON, or readable text)."""
    household = db.session.get(Household, household_id)
    if household is None:
        raise click.ClickException(f"No household {household_id}.")
    sections = services.data_of(household)
    if readable:
        click.echo(services.as_text(household, sections).replace("\r\n", "\n"))
    else:
        click.echo(services.as_json(household, sections).decode())
