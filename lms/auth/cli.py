"""``flask users create-admin``: the first administrator of a new installation."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.auth.models import Role
from lms.auth.services import create_user
from lms.core.errors import RuleViolation

cli = AppGroup("users", help="Accounts.")


@cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "full_name", prompt="Full name")
@click.password_option()
def create_admin(email: str, full_name: str, password: str) -> None:
    """Create an administrator account."""
    try:
        user = create_user(None, role=Role.ADMIN, full_name=full_name, email=email, secret=password)
    except RuleViolation as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"Administrator {user.email} created.")
