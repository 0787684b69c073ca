"""`flask jobs`: the background jobs, and starting again those that died with their process
(fit for cron, e.g. every five minutes)."""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from grants.extensions import db
from grants.jobs import runner
from grants.jobs.models import Job

jobs = AppGroup("jobs", help="Background jobs (a meeting's decisions, reminders).")


def register(app: Flask) -> None:
    app.cli.add_command(jobs)


@jobs.command("list")
@click.option("--limit", default=20, show_default=True)
def list_jobs(limit: int) -> None:
    """The latest jobs with their counts."""
    for job in db.session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)):
        click.echo(
            f"{job.id:>6}  {job.kind:20} {job.status.value:8} {job.done}/{job.total} done, "
            f"{job.failed} failed, restarted {job.restarts}x"
        )


@jobs.command("restart-stalled")
@click.option(
    "--minutes",
    default=15,
    show_default=True,
    help="A running job with no item finished for this long has died.",
)
def restart_stalled(minutes: int) -> None:
    """Start again the jobs whose process died. Items already done are not done again. With
    RQ they go back on the queue; without it they run here, in this command."""
    restarted = runner.restart_stalled(dt.timedelta(minutes=minutes), here=runner.mode() != "rq")
    click.echo(f"{len(restarted)} stalled job(s) started again: {restarted or '-'}")
