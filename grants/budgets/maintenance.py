"""Rebuilding the running totals from the ledger and the applications."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, Table, case, extract, func, insert, select

from grants.budgets import timing
from grants.budgets.ledger import as_kroner
from grants.budgets.models import (
    GRANTED_KINDS,
    NOT_WAITING_STATES,
    SPENT_KINDS,
    BudgetEntry,
    BudgetGrant,
    BudgetTotal,
    BudgetWaiting,
    EntryKind,
)
from grants.extensions import db


def rebuild_totals() -> int:
    """Make the running totals again: ``BudgetTotal`` from the ledger's entries (returns its
    number of rows), each grant's ``BudgetGrant`` from them too, ``BudgetWaiting`` from the
    applications, and the counts behind the processing times (``timing.kept_by``). For a
    database filled without the app (a bulk load), or to check them."""
    db.session.execute(cast(Table, BudgetTotal.__table__).delete())
    booked_year = extract("year", BudgetEntry.booked_on)
    booked_month = extract("month", BudgetEntry.booked_on)
    rows = db.session.execute(
        select(
            BudgetEntry.fund_id,
            BudgetEntry.year,
            booked_year,
            booked_month,
            BudgetEntry.kind,
            func.sum(BudgetEntry.amount),
            func.count(),
        ).group_by(
            BudgetEntry.fund_id, BudgetEntry.year, booked_year, booked_month, BudgetEntry.kind
        )
    ).all()
    for fund_id, year, in_year, in_month, kind, total, entries in rows:
        db.session.add(
            BudgetTotal(
                fund_id=fund_id,
                year=year,
                booked_year=int(in_year),
                booked_month=int(in_month),
                kind=EntryKind(kind),
                amount=as_kroner(total),
                entries=entries,
            )
        )
    _rebuild_grants()
    _rebuild_waiting()
    timing.rebuild_kept()
    db.session.flush()
    return len(rows)


def _rebuild_waiting() -> None:
    """``BudgetWaiting`` again from the applications (``waiting_conditions`` for every fund
    and year)."""
    from grants.cases.models import Application, budget_year_expression

    db.session.execute(cast(Table, BudgetWaiting.__table__).delete())
    # Application.budget_year, typed for what reads it
    year = budget_year_expression(Application.budget_year_moved_to, Application.departure_date)
    rows = db.session.execute(
        select(
            Application.fund_id,
            year,
            func.count(),
            func.coalesce(func.sum(Application.amount_applied), 0),
        )
        .where(
            Application.departure_date.is_not(None),
            Application.state.not_in(NOT_WAITING_STATES),
            Application.outcome.is_(None),
        )
        .group_by(Application.fund_id, year)
    ).all()
    for fund_id, in_year, count, total in rows:
        db.session.add(
            BudgetWaiting(
                fund_id=fund_id, year=int(in_year), applications=count, amount=as_kroner(total)
            )
        )


def _rebuild_grants() -> None:
    """``BudgetGrant`` again from the ledger's entries of the grants: one INSERT ... SELECT."""
    db.session.execute(cast(Table, BudgetGrant.__table__).delete())

    def total(kinds: tuple[EntryKind, ...]) -> ColumnElement[Any]:
        return func.coalesce(
            func.sum(case((BudgetEntry.kind.in_(kinds), BudgetEntry.amount), else_=0)), 0
        )

    releases = func.count(case((BudgetEntry.kind == EntryKind.RELEASE, 1)))
    db.session.execute(
        insert(BudgetGrant).from_select(
            ["application_id", "fund_id", "year", "granted", "spent", "releases"],
            select(
                BudgetEntry.application_id,
                BudgetEntry.fund_id,
                BudgetEntry.year,
                total(GRANTED_KINDS),
                total(SPENT_KINDS),
                releases,
            )
            .where(
                BudgetEntry.application_id.is_not(None),
                BudgetEntry.kind.in_(GRANTED_KINDS + SPENT_KINDS),
            )
            .group_by(BudgetEntry.application_id, BudgetEntry.fund_id, BudgetEntry.year),
        )
    )
