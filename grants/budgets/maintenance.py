"""Rebuilding the running totals from the ledger and the applications."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, extract, func, select

from grants.budgets import timing
from grants.budgets.ledger import as_kroner
from grants.budgets.models import (
    NOT_WAITING_STATES,
    BudgetEntry,
    BudgetTotal,
    BudgetWaiting,
    EntryKind,
)
from grants.extensions import db


def rebuild_totals() -> int:
    """Make the running totals again: ``BudgetTotal`` from the ledger's entries (returns its
    number of rows), ``BudgetWaiting`` from the applications, and the counts behind the
    processing times (``timing.kept_by``). For a database filled without the app (a bulk
    load), or to check them."""
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
    _rebuild_waiting()
    timing.rebuild_kept()
    db.session.flush()
    return len(rows)


def _rebuild_waiting() -> None:
    """``BudgetWaiting`` again from the applications (``waiting_conditions`` for every fund
    and year)."""
    from grants.cases.models import Application

    db.session.execute(cast(Table, BudgetWaiting.__table__).delete())
    year = func.coalesce(
        Application.budget_year_moved_to, extract("year", Application.departure_date)
    )
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
