"""``flask certificates``: issue what is due, verify a code or a credential file offline,
render PDFs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.certificates import credentials, services, signing
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
@click.argument("token_or_file")
@click.option(
    "--public-key",
    "public_key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PEM file of the programme's public key (default: this installation's).",
)
@click.option(
    "--status-list",
    "status_list",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A saved status list credential to check a credential's revocation against "
    "(default: this installation's own list, when it issued the credential).",
)
def verify_command(token_or_file: str, public_key: Path | None, status_list: Path | None) -> None:
    """Check a certificate offline: the code of its QR, or its Open Badges 3.0 credential
    file (the proof, the issuer's key and, when a status list is at hand, revocation)."""
    pem = public_key.read_bytes() if public_key else services.public_key_pem()
    if Path(token_or_file).is_file():
        _verify_credential(Path(token_or_file), signing.load_public_key(pem), status_list)
        return
    try:
        claims = signing.verify(signing.load_public_key(pem), token_or_file)
    except signing.BadToken as error:
        raise click.ClickException(f"not a genuine certificate code ({error})") from error
    click.echo(
        f"genuine: serial {claims.serial}, issued {claims.issued_on:%d/%m/%Y}, "
        f"name hash {claims.name_hash}"
    )


def _read_json(path: Path, what: str) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise click.ClickException(f"{path} is not a {what} (not JSON: {error})") from error
    if not isinstance(document, dict):
        raise click.ClickException(f"{path} is not a {what} (not a JSON object)")
    return document


def _local_status_list(credential: dict, signer: str) -> dict | None:
    """This installation's status list for a credential it issued itself, built from its
    database (what /v/status/<n> publishes); None for a credential of another installation."""
    url = str((credential.get("credentialStatus") or {}).get("statusListCredential", ""))
    match = re.search(r"/v/status/(\d+)$", url)
    if match is None or signer != credentials.did_key(services.private_key().public_key()):
        return None
    return services.status_list_for(int(match.group(1)), url=url)


def _verify_credential(path: Path, trusted_key, status_list: Path | None) -> None:
    credential = _read_json(path, "credential")
    try:
        first = credentials.verify_badge(credential, trusted_key)
        if not first.trusted:
            raise credentials.BadCredential(
                f"signed by {first.signer}, which is not this programme's key"
            )
        if status_list is not None:
            source = f"the status list in {status_list}"
            listed = _read_json(status_list, "status list credential")
        else:
            source = "this installation's database"
            listed = _local_status_list(credential, first.signer)
        check = credentials.verify_badge(credential, trusted_key, listed)
    except credentials.BadCredential as error:
        raise click.ClickException(f"NOT GENUINE: {path} ({error})") from error
    click.echo(f"Open Badges 3.0 credential {check.serial}: {check.name}")
    click.echo(f"  proof       genuine ({credentials.CRYPTOSUITE}, signed by {check.signer})")
    click.echo(f"  issuer      {check.issuer_name} (this programme's key)")
    click.echo(f"  valid from  {check.valid_from}")
    if check.revoked is None:
        click.echo(
            f"  status      not checked: no status list at hand ({check.status_list_url}, "
            f"index {check.status_list_index}); give one with --status-list"
        )
        click.echo("GENUINE (revocation not checked)")
    elif check.revoked:
        click.echo(f"  status      REVOKED according to {source}")
        click.echo("REVOKED: this certificate is no longer valid")
        raise SystemExit(2)
    else:
        click.echo(f"  status      not revoked according to {source}")
        click.echo("GENUINE AND VALID")


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
