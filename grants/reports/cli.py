"""`flask reports`: reminders about the report and accounts (fit for cron)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from grants.extensions import db

reports = AppGroup("reports", help="Reports and accounts after the trip.")

REMIND_JOB = "reports_remind"


def register(app: Flask) -> None:
    app.cli.add_command(reports)


@reports.command("remind")
def remind() -> None:
    """E-mail reminders before and after the report deadline; running it twice sends
    nothing twice. Safe to run from cron, e.g. every morning. With REDIS_URL set, it is put
    on the job queue for an RQ worker (docs/deployment.md) instead of run here."""
    from grants.jobs import runner
    from grants.notifications.sender import send_pending
    from grants.reports.reminders import send_reminders

    if runner.mode() == "rq":
        job = runner.create(REMIND_JOB, None, {}, total=0)
        db.session.commit()
        runner.enqueue_rq(job.id)
        click.echo(f"Queued as job {job.id} (flask jobs list).")
        return
    reminders = send_reminders()
    db.session.commit()
    sent = send_pending()
    for reminder in reminders:
        click.echo(
            f"{reminder.case_number or reminder.application_id}: {reminder.kind} "
            f"to {', '.join(reminder.recipients) or '(nobody)'}"
        )
    click.echo(f"{len(reminders)} reminder(s); {sent} e-mail(s) sent.")
