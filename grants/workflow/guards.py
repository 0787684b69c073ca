"""Named conditions a transition may carry. Each has a Python form (for one case) and a SQL
form (for the work queue), and the two must agree; tests/workflow checks that they do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, or_, true

from grants.core import clock

if TYPE_CHECKING:
    from grants.cases.models import Application
    from grants.funds.models import Fund


@dataclass(frozen=True)
class Guard:
    name: str
    holds: Callable[[Application], bool]
    sql: Callable[[type[Application], type[Fund]], ColumnElement[bool]]


def _within(app: Application) -> bool:
    return not app.above_delegated_limit


def _trip_over(app: Application) -> bool:
    """The return date has come: the trip is over at the end of its last day, and its
    report and settlement may be made from that day on."""
    return app.return_date is not None and app.return_date <= clock.today()


def _report_allowed(app: Application) -> bool:
    return bool(app.fund.report_before_return) or _trip_over(app)


GUARDS: dict[str, Guard] = {
    "": Guard("", lambda app: True, lambda Application, Fund: true()),
    "within_delegated_limit": Guard(
        "within_delegated_limit",
        _within,
        lambda Application, Fund: Application.amount_applied <= Fund.delegated_limit,
    ),
    "above_delegated_limit": Guard(
        "above_delegated_limit",
        lambda app: not _within(app),
        lambda Application, Fund: Application.amount_applied > Fund.delegated_limit,
    ),
    # The report and accounts: once the trip is over, or earlier where the fund says so.
    "report_allowed": Guard(
        "report_allowed",
        _report_allowed,
        lambda Application, Fund: or_(
            Fund.report_before_return.is_(True), Application.return_date <= clock.today()
        ),
    ),
    # The settlement: never before the return date, whatever the fund says.
    "trip_over": Guard(
        "trip_over",
        _trip_over,
        lambda Application, Fund: Application.return_date <= clock.today(),
    ),
}


def guard(name: str) -> Guard:
    try:
        return GUARDS[name]
    except KeyError:
        raise ValueError(f"unknown guard {name!r}; known: {sorted(GUARDS)}") from None
