"""``flask households import FILE``: preview a household list, and write it with --commit."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.auth.models import User
from lms.core.errors import RuleViolation
from lms.core.spreadsheets import write_csv, write_xlsx
from lms.extensions import db
from lms.households import importing
from lms.households.reading import ImportAnalysis, RowStatus

cli = AppGroup("households", help="The household registry.")


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", is_flag=True, help="Write the accepted rows (otherwise: preview only).")
@click.option(
    "--rejected",
    "rejected_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the rows with errors to this file (.xlsx, or .csv) to correct them.",
)
@click.option("--as", "email", help="The e-mail of the user the import is recorded for.")
def import_command(path: Path, commit: bool, rejected_path: Path | None, email: str | None) -> None:
    """Import households from an .xlsx or .csv file typed by commune staff."""
    actor = _user(email) if email else None
    with path.open("rb") as stream:
        try:
            record, analysis = importing.start_import(actor, stream, path.name)
        except RuleViolation as error:
            raise click.ClickException(str(error.message)) from error
    if analysis.problems:
        for problem in analysis.problems:
            click.echo(f"file: {problem}", err=True)
        raise click.ClickException("nothing can be imported from this file")
    _report(analysis)
    if rejected_path and analysis.counts["error"]:
        rows = importing.rejected_rows(analysis)
        body = (
            write_csv(rows)
            if rejected_path.suffix.lower() == ".csv"
            else write_xlsx(rows, _("Errors"))
        )
        rejected_path.write_bytes(body)
        click.echo(f"rows with errors written to {rejected_path}")
    if not commit:
        click.echo("Preview only: run again with --commit to write the new and updated rows.")
        return
    with click.progressbar(length=len(analysis.rows), label="Importing") as bar:
        try:
            result = importing.commit_import(actor, record, progress=bar.update)
        except RuleViolation as error:
            raise click.ClickException(str(error.message)) from error
    counts = result.counts
    click.echo(f"Written: {counts['new']} new, {counts['update']} updated.")
    if counts["conflict"]:
        click.echo(f"{counts['conflict']} conflicts held back: resolve them in the web preview.")


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user has the e-mail {email!r}: nothing was imported")
    return user


def _report(analysis: ImportAnalysis) -> None:
    for notice in analysis.notices:
        click.echo(f"file: {notice}", err=True)
    if analysis.unknown_columns:
        click.echo(f"columns not imported: {', '.join(analysis.unknown_columns)}", err=True)
    changes = importing.changed_values(analysis.rows)
    for row in analysis.rows:
        if row.status is RowStatus.UPDATE:
            shown = "; ".join(
                f"{label}: {old} → {new}" for label, old, new in changes.get(row.line, [])
            )
            click.echo(f"{row.place}: update: {shown or ' '.join(row.messages)}")
        elif row.status in (RowStatus.ERROR, RowStatus.DUPLICATE, RowStatus.CONFLICT):
            click.echo(f"{row.place}: {row.status.value}: {' '.join(row.messages)}", err=True)
    counts = analysis.counts
    click.echo(
        f"{counts['new']} new, {counts['update']} update, "
        f"{counts['duplicate']} duplicate, {counts['error']} error, "
        f"{counts['conflict']} conflict (held back: resolve them in the web preview)"
    )
