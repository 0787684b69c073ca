"""`flask committees`: setting the committees up for a new election period."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from grants.committees import operations as ops
from grants.core import clock
from grants.extensions import db

committees = AppGroup("committees", help="The committees (udvalg) and their election periods.")


def register(app: Flask) -> None:
    app.cli.add_command(committees)


@committees.command("new-period")
@click.option(
    "--year",
    type=int,
    default=None,
    help="A year of the new election period (default: this year).",
)
def new_period(year: int | None) -> None:
    """Set up every committee of the election period before YEAR's again for YEAR's period
    (same name, kind, fund and rules of procedure; no members: register the new council's
    on each committee's page). A committee already set up for it is left as it is."""
    made = ops.set_up_period(year or clock.today().year)
    db.session.commit()
    for committee in made:
        click.echo(f"{committee.name}: {committee.period}")
    click.echo(f"{len(made)} committee(s) set up for the new election period.")
