"""``flask areas import FILE``: load an official area list."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.areas.services import import_areas_csv

cli = AppGroup("areas", help="Administrative areas.")


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path: str) -> None:
    """Import areas from a CSV with official codes.

    Columns: code, name, level, parent_code, merged_into_code.
    """
    with open(path, "rb") as stream:
        report = import_areas_csv(None, stream)
    for line, message in report.errors:
        click.echo(f"line {line}: {message}", err=True)
    if not report.ok:
        raise click.ClickException("nothing was imported")
    click.echo(f"{report.created} created, {report.updated} updated")
