"""Telling a lock not had in time from other database errors, on PostgreSQL and SQLite: the
domains' locks (the fund's: grants.budgets.lock; the organisation's:
grants.organisations.lock) answer it with a clear refusal that changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from grants.core.errors import DomainError
from grants.extensions import db


class Busy(DomainError):
    """A row another request holds was not had within BUDGET_LOCK_TIMEOUT: nothing was
    changed, and the person is asked to try again (a view that does not say it itself gets
    the app's "try again" page, grants.core.views.busy_page: 503, never a hang or a 500)."""


def lock_timeout_ms() -> int:
    """How long a request waits for a lock (BUDGET_LOCK_TIMEOUT, config.py), in ms."""
    return int(float(current_app.config["BUDGET_LOCK_TIMEOUT"]) * 1000)


def is_lock_timeout(error: OperationalError) -> bool:
    original = error.orig
    if getattr(original, "sqlstate", None) == "55P03":  # PostgreSQL: lock_not_available
        return True
    return "database is locked" in str(original) or "database table is locked" in str(original)


def bound_lock_wait() -> None:
    """Wait at most BUDGET_LOCK_TIMEOUT for the row locks this transaction takes from now on
    (PostgreSQL's ``SET LOCAL lock_timeout``; it ends with the transaction). The connection's
    own default is the same bound (grants._bound_lock_waits_on_postgresql); this reads the
    setting as it is now. SQLite has one writer and no row locks: nothing to do."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL lock_timeout = {lock_timeout_ms()}"))


@contextmanager
def busy_refused(refusal: Callable[[], Busy]) -> Iterator[None]:
    """A lock not had in time inside the block is ``refusal()`` (a Busy with the domain's own
    words), not a database error."""
    try:
        yield
    except OperationalError as error:
        if is_lock_timeout(error):
            raise refusal() from error
        raise
