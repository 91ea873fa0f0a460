"""``flask demo load``: the demo data ``make run`` shows, loaded once.
``flask demo generate``: a synthetic province of any size, for demos and benchmarks."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from lms.demo.data import DEMO_LOGINS, load_demo_data
from lms.demo.generate import generate_province
from lms.demo.training import generate_training

cli = AppGroup("demo", help="Demo data.")

MAX_GENERATED = 2_000_000


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


@cli.command("generate")
@click.option(
    "--households",
    type=click.IntRange(1, MAX_GENERATED),
    required=True,
    help="How many households to add.",
)
@click.option(
    "--seed", type=int, default=2026, show_default=True, help="The same seed gives the same data."
)
@click.option(
    "--training",
    is_flag=True,
    help="Also give them class sessions, attendance, quiz attempts, certificates and shops.",
)
def generate_command(households: int, seed: int, training: bool) -> None:
    """Add synthetic households (products, listings, outreach) to the Nghệ An communes."""
    started = time.perf_counter()
    with click.progressbar(length=households, label=f"Generating (seed {seed})") as bar:
        try:
            report = generate_province(households, seed=seed, progress=bar.update)
        except RuntimeError as error:  # no commune to put households in
            raise click.ClickException(str(error)) from error
    elapsed = time.perf_counter() - started
    click.echo(
        f"Created {report.households} households in {report.communes} communes, "
        f"{report.products} products, {report.certifications} certifications, "
        f"{report.listings} listings, {report.outreach_events} outreach events."
    )
    if report.areas_created or report.classes_created:
        click.echo(
            f"Also created {report.areas_created} areas and "
            f"{report.classes_created} scale classes / product groups."
        )
    if training:
        with click.progressbar(length=households, label="Training") as bar:
            try:
                trained = generate_training(seed=seed, progress=bar.update)
            except RuntimeError as error:  # no courses, programme or trainer yet
                raise click.ClickException(str(error)) from error
        click.echo(
            f"Training: {trained.sessions} class sessions, {trained.marks} attendance marks, "
            f"{trained.attempts} quiz attempts, {trained.certificates} certificates, "
            f"{trained.activations} activated shops and payment accounts."
        )
        elapsed = time.perf_counter() - started
    click.echo(f"Done in {elapsed:.1f} s ({report.households / elapsed:,.0f} households/s).")
