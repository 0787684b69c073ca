"""Who may see and do what with the budgets, in the permission layer (grants.core.access)."""

from __future__ import annotations

from grants.core import access
from grants.people.models import Role

# The dashboard and the entries: finance, administrators, caseworkers, the funds' boards.
BUDGET_READERS = (Role.FINANCE, Role.ADMIN, Role.CASEWORKER, Role.BOARD_MEMBER)
# Closing a year and exporting to the finance department.
BUDGET_KEEPERS = (Role.FINANCE, Role.ADMIN)


@access.rule("budgets.read")
def can_read_budgets(user, _obj=None, **_) -> bool:
    return user.has_role(*BUDGET_READERS)


@access.rule("budgets.close_year")
def can_close_years(user, _obj=None, **_) -> bool:
    return user.has_role(*BUDGET_KEEPERS)


@access.rule("budgets.plan")
def can_plan_budgets(user, _obj=None, **_) -> bool:
    return user.has_role(*BUDGET_KEEPERS)


@access.rule("budgets.export")
def can_export_budgets(user, _obj=None, **_) -> bool:
    return user.has_role(*BUDGET_KEEPERS)
