"""``flask courses load``: check the course files and load the ones that changed."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.courses.loading import load_courses

cli = AppGroup("courses", help="Course content.")


@cli.command("load")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
def load_command(folder: Path | None) -> None:
    """Load the course folders (default: the project's courses/); nothing loads if any is wrong."""
    report = load_courses(folder or Path(current_app.config["COURSES_FOLDER"]))
    for problem in report.problems:
        click.echo(str(problem), err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not report.ok:
        raise click.ClickException("nothing was loaded")
    for slug, version in report.loaded:
        click.echo(f"{slug}: version {version} loaded")
    for slug in report.unchanged:
        click.echo(f"{slug}: unchanged")
