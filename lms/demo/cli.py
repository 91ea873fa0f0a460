"""``flask demo load``: the demo data ``make run`` shows, loaded once."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.demo.data import DEMO_LOGINS, load_demo_data

cli = AppGroup("demo", help="Demo data.")


@cli.command("load")
def load_command() -> None:
    """Load the Nghệ An areas, organisations, one account per role and a few households."""
    if load_demo_data():
        click.echo("Demo data loaded.")
    else:
        click.echo("Demo data already present; nothing changed.")
    click.echo("Demo logins (http://127.0.0.1:5000):")
    for role, login, secret in DEMO_LOGINS:
        click.echo(f"  {role:<10} {login:<32} {secret}")
