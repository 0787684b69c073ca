"""`flask mail`: the e-mail outbox."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

mail = AppGroup("mail", help="The e-mail outbox.")


def register(app: Flask) -> None:
    app.cli.add_command(mail)


@mail.command("send")
def mail_send() -> None:
    """Send the e-mails still waiting in the outbox (safe to run from cron)."""
    from grants.notifications.sender import send_pending

    click.echo(f"Sent {send_pending()} message(s).")
