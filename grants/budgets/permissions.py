"""Who may see and do what with the budgets, in the permission layer (grants.core.access)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grants.core import access
from grants.people.models import Role

if TYPE_CHECKING:
    from grants.people.models import User

# The dashboard and the entries: finance, administrators, caseworkers, the funds' boards.
BUDGET_READERS = (Role.FINANCE, Role.ADMIN, Role.CASEWORKER, Role.BOARD_MEMBER)
# Closing a year and exporting to the finance department.
BUDGET_KEEPERS = (Role.FINANCE, Role.ADMIN)


@access.rule("budgets.read")
def can_read_budgets(user: User, _obj: object = None, **_: object) -> bool:
    return user.has_role(*BUDGET_READERS)


@access.rule("budgets.close_year")
def can_close_years(user: User, _obj: object = None, **_: object) -> bool:
    return user.has_role(*BUDGET_KEEPERS)


@access.rule("budgets.plan")
def can_plan_budgets(user: User, _obj: object = None, **_: object) -> bool:
    return user.has_role(*BUDGET_KEEPERS)


@access.rule("budgets.export")
def can_export_budgets(user: User, _obj: object = None, **_: object) -> bool:
    return user.has_role(*BUDGET_KEEPERS)
