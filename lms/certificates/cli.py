"""``flask certificates``: issue what is due, verify a code offline, render PDFs."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.certificates import services, signing
from lms.certificates.models import Certificate
from lms.extensions import db

cli = AppGroup("certificates", help="Certificates.")


@cli.command("sync")
def sync_command() -> None:
    """Issue every certificate that is due (completion recomputed for every household)."""
    from lms.households.models import Household

    total = db.session.scalar(select(db.func.count()).select_from(Household))
    with click.progressbar(length=total, label="Checking households") as bar:
        issued = services.sync_all(progress=bar.update)
    click.echo(f"{issued} certificates issued.")


@cli.command("verify")
@click.argument("token")
@click.option(
    "--public-key",
    "public_key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PEM file of the programme's public key (default: this installation's).",
)
def verify_command(token: str, public_key: Path | None) -> None:
    """Check a certificate's code with the public key alone (offline)."""
    pem = public_key.read_bytes() if public_key else services.public_key_pem()
    try:
        claims = signing.verify(signing.load_public_key(pem), token)
    except signing.BadToken as error:
        raise click.ClickException(f"not a genuine certificate code ({error})") from error
    click.echo(
        f"genuine: serial {claims.serial}, issued {claims.issued_on:%d/%m/%Y}, "
        f"name hash {claims.name_hash}"
    )


@cli.command("render")
@click.option("--all", "render_all", is_flag=True, required=True, help="Render every missing PDF.")
def render_command(render_all: bool) -> None:
    """Render the PDF of every certificate missing from the cache, on every core."""
    certificates = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    with click.progressbar(length=len(certificates), label="Rendering") as bar:
        report = services.render_missing(list(certificates), progress=bar.update)
    click.echo(f"{report.rendered} PDFs rendered.")
    for problem in report.skipped:
        click.echo(
            f"{problem.serial} not rendered: the certificate font lacks "
            + " ".join(problem.characters),
            err=True,
        )
