"""``flask products flagship …``: load the stories, choose, withdraw and list flagship
products, through the same services as the screens."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from lms.areas.models import Area, AreaLevel
from lms.auth.models import User
from lms.core.errors import RuleViolation
from lms.core.models import today
from lms.extensions import db
from lms.flagship import services
from lms.flagship.loading import load_stories
from lms.flagship.models import FlagshipProduct

cli = AppGroup("products", help="Products.")
flagship = AppGroup("flagship", help="Flagship products and their stories.")
cli.add_command(flagship)

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "flagship"


def stories_folder() -> Path:
    return Path(current_app.config.get("FLAGSHIP_FOLDER") or DEFAULT_FOLDER)


def _actor(email: str | None) -> User | None:
    if not email:
        return None
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    return user


def _story(slug: str):
    story = services.get_story(slug)
    if story is None:
        raise click.ClickException(f"no story {slug!r} is loaded (flask products flagship load)")
    return story


@flagship.command("load")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
def load_command(folder: Path | None) -> None:
    """Check the story folders (default: flagship/) and load the changed ones."""
    report = load_stories(folder or stories_folder())
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if not report.ok:
        raise click.ClickException("nothing was loaded")
    for slug, version in report.loaded:
        click.echo(f"{slug}: version {version} loaded")
    for slug in report.unchanged:
        click.echo(f"{slug}: unchanged")


@flagship.command("choose")
@click.argument("slug")
@click.option("--year", type=int, help="Default: this year.")
@click.option("--as", "email", help="The e-mail of the official or admin who chooses.")
def choose_command(slug: str, year: int | None, email: str | None) -> None:
    """Make a story's product a flagship product of its province."""
    try:
        chosen = services.choose_flagship(_actor(email), _story(slug), year or today().year)
    except RuleViolation as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"{slug}: flagship product of {chosen.area.name} for {chosen.year}")


@flagship.command("withdraw")
@click.argument("slug")
@click.option("--year", type=int, help="Default: this year.")
@click.option("--as", "email", help="The e-mail of the official or admin who withdraws it.")
def withdraw_command(slug: str, year: int | None, email: str | None) -> None:
    """Take a product off a year's flagship list."""
    story = _story(slug)
    chosen = db.session.scalar(
        select(FlagshipProduct).where(
            FlagshipProduct.story_id == story.id, FlagshipProduct.year == (year or today().year)
        )
    )
    if chosen is None:
        raise click.ClickException(f"{slug} is not a flagship product of that year")
    try:
        services.withdraw_flagship(_actor(email), chosen)
    except RuleViolation as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"{slug}: withdrawn")


@flagship.command("list")
@click.option("--year", type=int, help="Default: this year.")
def list_command(year: int | None) -> None:
    """Each province's flagship products of a year, with what the registry says of them."""
    year = year or today().year
    least, most = services.bounds()
    provinces = db.session.scalars(select(Area).where(Area.level == AreaLevel.PROVINCE))
    for province in provinces:
        chosen = services.list_flagships(province, year)
        if not chosen:
            continue
        state = "public" if len(chosen) >= least else f"not public (fewer than {least})"
        click.echo(f"{province.name} {year}: {len(chosen)} of {least}-{most}, {state}")
        for flagship in chosen:
            facts = services.facts_of(flagship)
            ocop = ", ".join(f"OCOP {r.stars}★ {r.year}" for r in facts.current_ratings) or "-"
            click.echo(
                f"  {flagship.slug}: {flagship.product_name}; {facts.households} households; "
                f"{ocop}; {len(facts.shops)} shops linked"
            )
