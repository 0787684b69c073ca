"""Named conditions a transition may carry. Each has a Python form (for one case) and a SQL
form (for the work queue), and the two must agree; tests/workflow checks that they do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, true


@dataclass(frozen=True)
class Guard:
    name: str
    holds: Callable[[object], bool]
    sql: Callable[[type, type], ColumnElement[bool]]


def _within(app) -> bool:
    return app.amount_applied <= app.fund.delegated_limit


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
}


def guard(name: str) -> Guard:
    try:
        return GUARDS[name]
    except KeyError:
        raise ValueError(f"unknown guard {name!r}; known: {sorted(GUARDS)}") from None
