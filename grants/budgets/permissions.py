"""Who may see and do what with the budgets. Views and templates ask these."""

from __future__ import annotations

from grants.people.models import Role

# The dashboard and the entries: finance, administrators, caseworkers, the funds' boards.
BUDGET_READERS = (Role.FINANCE, Role.ADMIN, Role.CASEWORKER, Role.BOARD_MEMBER)
# Closing a year and exporting to the finance department.
BUDGET_KEEPERS = (Role.FINANCE, Role.ADMIN)


def can_read_budgets(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*BUDGET_READERS))


def can_close_years(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*BUDGET_KEEPERS))


def can_export(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*BUDGET_KEEPERS))
