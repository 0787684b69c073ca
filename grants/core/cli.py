"""`flask` commands: demo data, routes, the mail outbox."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from grants.extensions import db


def register(app: Flask) -> None:
    from grants.core import backup, database_roles

    backup.register(app)
    database_roles.register(app)
    demo = AppGroup("demo", help="Demo data for Ballerup.")

    @demo.command("load")
    def demo_load() -> None:
        """Load the demo data once (running it again keeps what is there)."""
        from grants import demo as demo_data

        loaded = demo_data.load()
        db.session.commit()
        click.echo("Demo data loaded." if loaded else "Demo data already there; nothing changed.")
        click.echo("\nDemo logins (e-mail / password / roles):")
        for email, password, roles in demo_data.logins():
            click.echo(f"  {email:28} {password:26} {roles}")
        for email, secret in demo_data.DEMO_TOTP_SECRETS.items():
            click.echo(
                f"\n{email} must give a code from an authenticator app (demo only) with the key"
                f'\n  {secret}\nor: .venv/bin/python -c "import pyotp;'
                f" print(pyotp.TOTP('{secret}').now())\""
            )

    workflow = AppGroup("workflow", help="Application routes (the transition table).")

    @workflow.command("load-routes")
    def load_routes() -> None:
        """Load the standard routes shipped in grants/workflow/routes/."""
        from grants.workflow.loader import load_standard_routes

        loaded = load_standard_routes()
        db.session.commit()
        click.echo("Routes: " + ", ".join(sorted(loaded)))

    mail = AppGroup("mail", help="The e-mail outbox.")

    @mail.command("send")
    def mail_send() -> None:
        """Send the e-mails still waiting in the outbox (safe to run from cron)."""
        from grants.notifications.sender import send_pending

        click.echo(f"Sent {send_pending()} message(s).")

    app.cli.add_command(demo)
    app.cli.add_command(workflow)
    app.cli.add_command(mail)
