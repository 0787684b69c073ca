"""Applications waiting for a decision: how many and how much, per fund and year.

An application waits for a decision once submitted and until it has an outcome (or is
withdrawn); the running totals (``BudgetWaiting``) hold the figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, or_, select

from grants.budgets.models import NOT_WAITING_STATES, BudgetWaiting, waiting_key
from grants.core.money import ZERO, kroner
from grants.extensions import db

if TYPE_CHECKING:
    from grants.cases.models import Application


@dataclass(frozen=True)
class Waiting:
    """Applications waiting for a decision: how many, and how much they apply for."""

    count: int = 0
    amount: Decimal = ZERO


def waiting_conditions(fund_ids: Iterable[int], year: int) -> list[ColumnElement[bool]]:
    """The condition for applications in these funds, whose budget year is ``year``, that
    are submitted and not yet decided (ansøgt, ikke afgjort)."""
    from grants.cases.models import Application

    return [
        Application.fund_id.in_(list(fund_ids)),
        # The budget year (Application.budget_year) is ``year``: moved to it and travelling
        # in it or before, or travelling in it and not moved past it. Ranges of dates, not
        # the year computed, so the departure date's index serves.
        or_(
            and_(
                Application.budget_year_moved_to == year,
                Application.departure_date <= dt.date(year, 12, 31),
            ),
            and_(
                or_(
                    Application.budget_year_moved_to.is_(None),
                    Application.budget_year_moved_to <= year,
                ),
                Application.departure_date >= dt.date(year, 1, 1),
                Application.departure_date <= dt.date(year, 12, 31),
            ),
        ),
        Application.state.not_in(NOT_WAITING_STATES),
        Application.outcome.is_(None),
    ]


def waiting(
    fund_ids: Iterable[int], year: int, excluding: Application | None = None
) -> dict[int, Waiting]:
    """Per fund: applications for ``year`` waiting for a decision, read from the running
    totals (``BudgetWaiting``) in one query; without the application ``excluding`` when it
    is one of them."""
    fund_ids = list(fund_ids)
    rows = db.session.execute(
        select(BudgetWaiting.fund_id, BudgetWaiting.applications, BudgetWaiting.amount).where(
            BudgetWaiting.fund_id.in_(fund_ids), BudgetWaiting.year == year
        )
    ).all()
    found = {fund_id: Waiting(count, amount) for fund_id, count, amount in rows}
    return without(found, fund_ids, year, excluding)


def without(
    found: dict[int, Waiting], fund_ids: list[int], year: int, excluding: Application | None
) -> dict[int, Waiting]:
    """The running totals read (``found``, per fund) for each of the funds, without the
    application ``excluding`` when it is one of them."""
    if excluding is not None and waiting_key(
        excluding.fund_id,
        excluding.departure_date,
        excluding.state,
        excluding.outcome,
        excluding.budget_year_moved_to,
    ) == (excluding.fund_id, year):
        own = found.get(excluding.fund_id, Waiting())
        found[excluding.fund_id] = Waiting(
            own.count - 1, own.amount - kroner(excluding.amount_applied or 0)
        )
    return {fund_id: found.get(fund_id, Waiting()) for fund_id in fund_ids}
