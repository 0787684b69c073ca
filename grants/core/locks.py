"""Telling a lock not had in time from other database errors, on PostgreSQL and SQLite: the
domains' locks (the fund's: grants.budgets.lock; the organisation's:
grants.organisations.lock) answer it with a clear refusal that changes nothing."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import OperationalError


def lock_timeout_ms() -> int:
    """How long a request waits for a lock (BUDGET_LOCK_TIMEOUT, config.py), in ms."""
    return int(float(current_app.config["BUDGET_LOCK_TIMEOUT"]) * 1000)


def is_lock_timeout(error: OperationalError) -> bool:
    original = error.orig
    if getattr(original, "sqlstate", None) == "55P03":  # PostgreSQL: lock_not_available
        return True
    return "database is locked" in str(original) or "database table is locked" in str(original)
