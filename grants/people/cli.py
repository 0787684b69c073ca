"""`flask people`: what an operator does for a person from the command line."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from grants.extensions import db
from grants.people import two_factor
from grants.people.models import User

people = AppGroup("people", help="People's accounts.")


def register(app: Flask) -> None:
    app.cli.add_command(people)


@people.command("reset-two-factor")
@click.argument("email")
def reset_two_factor_command(email: str) -> None:
    """Remove a person's second factor (a lost phone and lost recovery codes): they set it up
    again at their next login (administrators must)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account has the address {email}.")
    two_factor.turn_off(user, None, action="people.two_factor_reset")
    db.session.commit()
    click.echo(f"The second factor of {user.email} is removed.")
