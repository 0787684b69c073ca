"""`flask workflow`: the application routes (the transition table)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from grants.extensions import db

workflow = AppGroup("workflow", help="Application routes (the transition table).")


def register(app: Flask) -> None:
    app.cli.add_command(workflow)


@workflow.command("load-routes")
def load_routes() -> None:
    """Load the standard routes shipped in grants/workflow/routes/."""
    from grants.workflow.loader import load_standard_routes

    loaded = load_standard_routes()
    db.session.commit()
    click.echo("Routes: " + ", ".join(sorted(loaded)))


@workflow.command("refresh-waiting")
def refresh_waiting() -> None:
    """Work out again from which day each case waits for whose step (the columns the work
    queue and the menu read, ``grants.workflow.waits_for``, with what the packages above
    add: requests for information, unread replies), for every case: after rows were loaded
    past the app (a COPY, a restore of one table)."""
    from grants.workflow import waits_for

    cases = waits_for.refresh(db.session.connection())
    db.session.commit()
    click.echo(f"Cases: {cases}")
