"""Who may see and do what with the budgets: the rules live in grants.core.access."""

from __future__ import annotations

from grants.core import access


def can_read_budgets(user) -> bool:
    return access.may(user, "budgets.read")


def can_close_years(user) -> bool:
    return access.may(user, "budgets.close_year")


def can_export(user) -> bool:
    return access.may(user, "budgets.export")
