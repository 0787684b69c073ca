"""`flask budgets`: closing and opening budget years, and rebuilding the running totals."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from grants.budgets.closing import close_year
from grants.budgets.opening import open_year_for_all
from grants.core import access, clock
from grants.core.errors import DomainError
from grants.extensions import db

budgets = AppGroup("budgets", help="Budget years: close, open, rebuild the running totals.")


def register(app: Flask) -> None:
    app.cli.add_command(budgets)


@budgets.command("close-year")
@click.argument("year", type=int)
@click.option("--dry-run", is_flag=True, help="Show what closing would do; change nothing.")
@click.option("--by", "email", default="", help="E-mail of the finance officer closing it.")
@click.option(
    "--waiting",
    type=click.Choice(["move", "close"]),
    default=None,
    help="Applications for the year not yet decided: move them to next year's budget, or "
    "close anyway (needed when there are any).",
)
def close_year_command(year: int, dry_run: bool, email: str, waiting: str | None) -> None:
    """Close the budget YEAR of every fund: carry over or let lapse what is left."""
    from grants.core.formatting import money
    from grants.people.models import User

    actor = None
    if email:
        actor = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if actor is None or not access.may(actor, "budgets.close_year"):
            raise click.ClickException(f"{email} is not a finance officer or administrator.")
    try:
        plan = close_year(year, actor, dry_run=dry_run, waiting=waiting)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Budget year {year} (election period {plan.period}):")
    for step in plan.steps:
        if step.already_closed:
            what = f"already closed: {step.outcome.value}"
        elif step.outcome.value == "carried":
            what = f"carry over to {step.carried_to}"
        else:
            what = step.outcome.value
        click.echo(f"  {step.fund_name:45} {money(step.amount, 'da'):>16}  {what}")
    if plan.waiting:
        click.echo(f"Waiting for a decision: {len(plan.waiting)} application(s).")
        for application in plan.waiting:
            to = plan.moved.get(application.id)
            where = f"moved to {to}" if to else "stays in its year"
            click.echo(f"  {application.case_number or application.id:20} {where}")
    if dry_run:
        click.echo("Dry run: nothing changed.")
    elif plan.changes_nothing:
        click.echo("Already closed: nothing changed.")
    else:
        db.session.commit()
        click.echo(f"Closed {len(plan.to_close)} fund(s).")


@budgets.command("open-year")
@click.argument("year", type=int, required=False)
def open_year_command(year: int | None) -> None:
    """Open the budget YEAR (default: this year) for every active fund: book each one's
    allocation from its yearly budget, once. Safe to run again, e.g. from cron on 1 January
    (pages and decisions open the year on first use anyway)."""
    year = year or clock.today().year
    try:
        opened = open_year_for_all(year)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Budget year {year}: opened for {opened} fund(s).")


@budgets.command("rebuild-totals")
def rebuild_totals_command() -> None:
    """Make the running totals again: the ledger's from its entries, the applications
    waiting for a decision and the processing times from the cases (after a bulk load)."""
    from grants.budgets.maintenance import rebuild_totals

    rows = rebuild_totals()
    db.session.commit()
    click.echo(f"Rebuilt the running totals: {rows} row(s).")
