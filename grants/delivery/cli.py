"""`flask delivery`: the Digital Post status messages, fetched on a schedule (fit for cron)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from grants.extensions import db

delivery = AppGroup("delivery", help="Letters by Digital Post.")


def register(app: Flask) -> None:
    app.cli.add_command(delivery)


@delivery.command("fetch-statuses")
@click.option("--now", is_flag=True, help="Fetch even if the last fetch is recent.")
def fetch_statuses(now: bool) -> None:
    """Fetch the Digital Post status messages from KOMBIT's Beskedfordeler and record them
    on their letters ("delivered", or "failed after sending" and the fallback). Run it from
    cron, e.g. every five minutes: it fetches when the last fetch is at least
    DIGITAL_POST_STATUS_MINUTES old. Off while DIGITAL_POST_STATUS_URL is empty. With
    REDIS_URL set the fetch is a job for an RQ worker; otherwise it runs here."""
    from grants.delivery import statuses
    from grants.jobs import runner
    from grants.jobs.models import JobStatus

    if not statuses.configured():
        click.echo("Digital Post status messages are not set up (DIGITAL_POST_STATUS_URL).")
        return
    if not now and not statuses.due():
        click.echo("Fetched recently; nothing to do (DIGITAL_POST_STATUS_MINUTES).")
        return
    job = runner.create(statuses.JOB, None, {}, total=1)
    db.session.commit()
    if runner.mode() == "rq":
        runner.enqueue_rq(job.id)
        click.echo(f"Queued as job {job.id} (flask jobs list).")
        return
    done = runner.run(job.id)
    if done is not None and done.status == JobStatus.FAILED:
        error = (done.results or {}).get("0", {}).get("error", "")
        click.echo(f"Not fetched, tried again next run: {error}")
        return
    click.echo(f"Status messages fetched (job {job.id}).")
