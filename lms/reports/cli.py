"""``flask reports reconcile FILE --marketplace postmart``: reconcile a seller export from the
command line, through the same service as the officials' screen."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from lms.auth.models import User
from lms.core.errors import RuleViolation
from lms.core.models import today
from lms.core.spreadsheets import write_csv, write_xlsx
from lms.extensions import db
from lms.reports import reconciliation
from lms.reports.reconciliation import STATE_LABELS, MatchState

cli = AppGroup("reports", help="Officials' reports and reconciliation.")


@cli.command("reconcile")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--marketplace", "code", required=True, help="The marketplace's code: postmart, voso."
)
@click.option(
    "--commit",
    is_flag=True,
    help="Record the sure matches' listings (otherwise: preview only). Doubtful matches are "
    "confirmed or rejected on the web screen.",
)
@click.option("--as", "email", help="The e-mail of the official it is done for (their scope).")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the report (.xlsx or .csv); default: beside FILE.",
)
def reconcile_command(
    path: Path, code: str, commit: bool, email: str | None, report_path: Path | None
) -> None:
    """Match a marketplace's seller export (.xlsx or .csv) to the household registry."""
    actor = _user(email) if email else None
    market = reconciliation.marketplace_by_code(code)
    if market is None:
        raise click.ClickException(f"no marketplace has the code {code!r}")
    with path.open("rb") as stream:
        try:
            token = reconciliation.upload(actor, market, stream, path.name)
        except RuleViolation as error:
            raise click.ClickException(str(error.message)) from error
    result = reconciliation.load(actor, token)
    assert result is not None
    for problem in result.problems:
        click.echo(f"file: {problem}", err=True)
    for notice in result.notices:
        click.echo(f"file: {notice}", err=True)
    for seller in result.rows:
        click.echo(_line(seller))
    click.echo(
        f"{len(result.rows)} sellers: {len(result.sure)} sure, {len(result.doubtful)} need "
        f"confirmation, {len(result.unmatched)} not matched; "
        f"{len(result.without_certificate)} sure matches without a valid certificate."
    )
    report_path = report_path or path.with_name(f"{path.stem}-doi-soat-{today().isoformat()}.xlsx")
    rows = reconciliation.report_rows(result)
    if report_path.suffix.lower() == ".csv":
        report_path.write_bytes(write_csv(rows))
    else:
        title = f"Đối soát {market.name}"
        report_path.write_bytes(write_xlsx(rows, title, reconciliation.report_caption(result)))
    click.echo(f"report written to {report_path}")
    if not commit:
        click.echo("Preview only: run again with --commit to record the sure matches.")
        return
    if result.doubtful:
        # the doubtful sellers are left out of this commit: rejected, with the reason kept
        for seller in result.to_confirm:
            assert seller.household is not None
            reconciliation.decide(actor, result, seller.number, "reject")
        click.echo(
            f"{len(result.doubtful)} doubtful matches were not recorded: upload the file on the "
            "reconciliation screen to confirm them one by one."
        )
    try:
        summary = reconciliation.commit(actor, result)
    except RuleViolation as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(
        f"Recorded: {summary['recorded']} sellers, {summary['listings']} listings on "
        f"{market.name}, {summary['products_created']} products created from the file."
    )


def _line(seller: reconciliation.SellerMatch) -> str:
    state = str(STATE_LABELS[seller.state])
    who = seller.seller_name or seller.shop_name or seller.shop_id or "?"
    text = f"line {seller.where}: {who} ({seller.phone or '-'}) — {state}"
    if seller.household is not None:
        household = seller.household
        certified = "certified" if seller.certified else "NOT certified"
        text += f" → {household.head_name}, {household.area.name} (#{household.id}, {certified})"
    notes = [*seller.doubts, seller.note] if seller.state is not MatchState.SURE else [seller.note]
    notes = [note for note in notes if note]
    return text + (f" — {' '.join(notes)}" if notes else "")


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user has the e-mail {email!r}: nothing was done")
    return user
