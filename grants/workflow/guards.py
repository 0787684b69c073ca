"""Named conditions a transition may carry. Each has a Python form (for one case), a SQL form
(whether it holds today, for the task list's next steps) and a SQL form of the first day it
holds (``since``: what the case keeps as the day it waits for a role's step from,
``grants.workflow.waiting``); the three must agree, and tests/workflow checks that they do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Date, case, literal, null, or_, true

from grants.core import clock

if TYPE_CHECKING:
    from grants.cases.models import Application
    from grants.funds.models import Fund


# The first day of a guard that holds whatever the date: the earliest a date column keeps.
ALWAYS = dt.date(1, 1, 1)

SqlForm = Callable[["type[Application]", "type[Fund]"], "ColumnElement[Any] | Any"]


@dataclass(frozen=True)
class Guard:
    name: str
    holds: Callable[[Application], bool]
    # Whether it holds today.
    sql: SqlForm
    # The first day it holds, as the case and its fund stand (``ALWAYS``: whatever the date;
    # NULL: not as they stand). It holds today exactly when that day is today or before.
    since: SqlForm


def _always() -> ColumnElement[dt.date]:
    return literal(ALWAYS, Date)


def _always_if(condition: ColumnElement[bool]) -> ColumnElement[dt.date]:
    return case((condition, _always()), else_=null())


def _within(app: Application) -> bool:
    return not app.above_delegated_limit


def _trip_over(app: Application) -> bool:
    """The return date has come: the trip is over at the end of its last day, and its
    report and settlement may be made from that day on."""
    return app.return_date is not None and app.return_date <= clock.today()


def _report_allowed(app: Application) -> bool:
    return bool(app.fund.report_before_return) or _trip_over(app)


GUARDS: dict[str, Guard] = {
    "": Guard("", lambda app: True, lambda Application, Fund: true(), lambda *_: _always()),
    "within_delegated_limit": Guard(
        "within_delegated_limit",
        _within,
        lambda Application, Fund: Application.amount_applied <= Fund.delegated_limit,
        lambda Application, Fund: _always_if(Application.amount_applied <= Fund.delegated_limit),
    ),
    "above_delegated_limit": Guard(
        "above_delegated_limit",
        lambda app: not _within(app),
        lambda Application, Fund: Application.amount_applied > Fund.delegated_limit,
        lambda Application, Fund: _always_if(Application.amount_applied > Fund.delegated_limit),
    ),
    # The report and accounts: once the trip is over, or earlier where the fund says so.
    "report_allowed": Guard(
        "report_allowed",
        _report_allowed,
        lambda Application, Fund: or_(
            Fund.report_before_return.is_(True), Application.return_date <= clock.today()
        ),
        lambda Application, Fund: case(
            (Fund.report_before_return.is_(True), _always()), else_=Application.return_date
        ),
    ),
    # The settlement: never before the return date, whatever the fund says.
    "trip_over": Guard(
        "trip_over",
        _trip_over,
        lambda Application, Fund: Application.return_date <= clock.today(),
        lambda Application, Fund: Application.return_date,
    ),
}


def guard(name: str) -> Guard:
    try:
        return GUARDS[name]
    except KeyError:
        raise ValueError(f"unknown guard {name!r}; known: {sorted(GUARDS)}") from None
