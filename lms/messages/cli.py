"""``flask messages``: the outbox from the command line (what the worker's periodic tasks
do, run now; and what waits or failed)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from lms.extensions import db
from lms.messages import services
from lms.messages.models import Message

cli = AppGroup("messages", help="Messages to households (Zalo, SMS, in-app).")


@cli.command("scan")
def scan_command() -> None:
    """Write tomorrow's class reminders and the expiry warnings (the worker does it too)."""
    reminders = services.enqueue_class_reminders()
    warnings = services.enqueue_expiry_warnings()
    click.echo(f"{reminders} class reminders and {warnings} expiry warnings written.")


@cli.command("send-due")
def send_due_command() -> None:
    """Send the messages due now (the worker does it every minute)."""
    click.echo(f"{services.send_due()} messages sent.")


@cli.command("status")
def status_command() -> None:
    """How many messages per channel and state."""
    rows = db.session.execute(
        select(Message.channel, Message.state, func.count(Message.id))
        .group_by(Message.channel, Message.state)
        .order_by(Message.channel, Message.state)
    )
    for channel, state, count in rows:
        click.echo(f"{channel.value}\t{state.value}\t{count}")
