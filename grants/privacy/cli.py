"""`flask privacy`: purge the personal data of cases closed long ago."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from grants.extensions import db
from grants.privacy import operations

privacy = AppGroup("privacy", help="Personal data: the purge of old cases.")


def register(app: Flask) -> None:
    app.cli.add_command(privacy)


@privacy.command("purge")
@click.option(
    "--years",
    type=int,
    default=None,
    help="Cases closed more than this many years ago (default: PERSONAL_DATA_RETENTION_YEARS).",
)
@click.option("--dry-run", is_flag=True, help="List what would be anonymised; change nothing.")
def purge_command(years: int | None, dry_run: bool) -> None:
    """Anonymise the personal data of cases closed long ago, keeping the accounting figures."""
    from grants.audit.models import write_event

    years = years if years is not None else current_app.config["PERSONAL_DATA_RETENTION_YEARS"]
    if years < 1:
        raise click.BadParameter("must be at least 1", param_hint="--years")
    plan = operations.purge(years, dry_run=dry_run)
    verb = "Would anonymise" if dry_run else "Anonymised"
    click.echo(
        f"{verb} {len(plan.cases)} case(s) closed before {plan.cutoff.date().isoformat()}"
        f" and {len(plan.people)} person(s)."
    )
    for case in plan.cases:
        click.echo(f"  case {case.case_number or case.id} ({case.state})")
    if dry_run:
        return
    click.echo(f"Deleted {plan.drafts} form draft(s) not saved for FORM_DRAFT_KEEP_DAYS.")
    click.echo(f"Deleted {plan.signup_mails} sign-up e-mail record(s) older than an hour.")
    write_event(
        "privacy.purged",
        "application",
        details={
            "years": years,
            "cutoff": plan.cutoff.isoformat(),
            "cases": [case.id for case in plan.cases],
            "people": [person.id for person in plan.people],
        },
    )
    db.session.commit()
