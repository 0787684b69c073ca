"""A person's own data, and the command that purges personal data from old cases."""

from __future__ import annotations

import click
from flask import Blueprint, current_app, g, send_file
from flask_login import current_user, login_required

from grants.core import access
from grants.extensions import db
from grants.privacy import operations

bp = Blueprint("privacy", __name__, cli_group="privacy")


@bp.get("/konto/mine-data.zip")
@login_required
def my_data():
    """Everything the system holds about the person as applicant, as one archive."""
    import io

    from grants.audit.models import AuditEvent
    from grants.core import clock

    access.require(current_user, "privacy.own_data", current_user)
    data = operations.export_for(current_user)
    # Who took out personal data, and when.
    db.session.add(
        AuditEvent(
            at=clock.now(),
            actor_id=current_user.id,
            action="privacy.own_data_exported",
            object_type="user",
            object_id=current_user.id,
            details={},
        )
    )
    g.writes = True
    response = send_file(
        io.BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name="mine-data.zip",
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.cli.command("purge")
@click.option(
    "--years",
    type=int,
    default=None,
    help="Cases closed more than this many years ago (default: PERSONAL_DATA_RETENTION_YEARS).",
)
@click.option("--dry-run", is_flag=True, help="List what would be anonymised; change nothing.")
def purge_command(years: int | None, dry_run: bool) -> None:
    """Anonymise the personal data of cases closed long ago, keeping the accounting figures."""
    from grants.audit.models import AuditEvent
    from grants.core import clock

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
    db.session.add(
        AuditEvent(
            at=clock.now(),
            action="privacy.purged",
            object_type="application",
            details={
                "years": years,
                "cutoff": plan.cutoff.isoformat(),
                "cases": [case.id for case in plan.cases],
                "people": [person.id for person in plan.people],
            },
        )
    )
    db.session.commit()
