"""``flask households import FILE``: preview a household list, and write it with --commit."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from lms.core.errors import RuleViolation
from lms.households import importing
from lms.households.reading import ImportAnalysis, RowStatus

cli = AppGroup("households", help="The household registry.")


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", is_flag=True, help="Write the accepted rows (otherwise: preview only).")
def import_command(path: Path, commit: bool) -> None:
    """Import households from an .xlsx or .csv file typed by commune staff."""
    with path.open("rb") as stream:
        try:
            record, analysis = importing.start_import(None, stream, path.name)
        except RuleViolation as error:
            raise click.ClickException(str(error.message)) from error
    _report(analysis)
    if analysis.problems:
        raise click.ClickException("nothing can be imported from this file")
    if not commit:
        click.echo("Preview only: run again with --commit to write the new and updated rows.")
        return
    with click.progressbar(length=len(analysis.rows), label="Importing") as bar:
        try:
            result = importing.commit_import(None, record, progress=bar.update)
        except RuleViolation as error:
            raise click.ClickException(str(error.message)) from error
    counts = result.counts
    click.echo(f"Written: {counts['new']} new, {counts['update']} updated.")
    if counts["conflict"]:
        click.echo(f"{counts['conflict']} conflicts held back: resolve them in the web preview.")


def _report(analysis: ImportAnalysis) -> None:
    for problem in analysis.problems:
        click.echo(f"file: {problem}", err=True)
    if analysis.unknown_columns:
        click.echo(f"columns not imported: {', '.join(analysis.unknown_columns)}", err=True)
    for row in analysis.rows:
        if row.status in (RowStatus.ERROR, RowStatus.DUPLICATE, RowStatus.CONFLICT):
            click.echo(f"line {row.line}: {row.status.value}: {' '.join(row.messages)}", err=True)
    counts = analysis.counts
    click.echo(
        f"{counts['new']} new, {counts['update']} update, "
        f"{counts['duplicate']} duplicate, {counts['error']} error, "
        f"{counts['conflict']} conflict (held back: resolve them in the web preview)"
    )
