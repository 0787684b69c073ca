"""Who may see and do what with the budgets, in the permission layer (grants.core.access)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from grants.core import access
from grants.extensions import db
from grants.funds.models import FundBoardMember
from grants.people.models import Role

if TYPE_CHECKING:
    from grants.funds.models import Fund
    from grants.people.models import User

# The dashboard and the entries: finance, administrators, caseworkers, the funds' boards.
BUDGET_READERS = (Role.FINANCE, Role.ADMIN, Role.CASEWORKER, Role.BOARD_MEMBER)
# Who reads every fund's figures and entries; a board member reads the funds whose board
# they sit on (``budgets.read_fund``): the entries and the waiting list name employees'
# and associations' applications, which a politician on another fund's board has no part in.
EVERY_FUND_READERS = (Role.FINANCE, Role.ADMIN, Role.CASEWORKER)
# Closing a year and exporting to the finance department.
BUDGET_KEEPERS = (Role.FINANCE, Role.ADMIN)


@access.rule("budgets.read")
def can_read_budgets(user: User, _obj: object = None, **_: object) -> bool:
    return user.has_role(*BUDGET_READERS)


@access.rule("budgets.read_fund")
def can_read_fund(user: User, fund: Fund, **_: object) -> bool:
    """A fund's figures, its entries and the applications waiting on it."""
    if not access.signed_in(user):
        return False
    if user.has_role(*EVERY_FUND_READERS):
        return True
    return user.has_role(Role.BOARD_MEMBER) and fund.is_board_member(user)


def funds_read_by(user: User) -> set[int] | None:
    """The ids of the funds ``user`` reads (``budgets.read_fund``); None: every fund."""
    if user.has_role(*EVERY_FUND_READERS):
        return None
    if not user.has_role(Role.BOARD_MEMBER):
        return set()
    return set(
        db.session.scalars(
            select(FundBoardMember.fund_id).where(FundBoardMember.user_id == user.id)
        )
    )


@access.rule("budgets.close_year")
def can_close_years(user: User, _obj: object = None, **_: object) -> bool:
    return user.has_role(*BUDGET_KEEPERS)


@access.rule("budgets.plan")
def can_plan_budgets(user: User, _obj: object = None, **_: object) -> bool:
    return user.has_role(*BUDGET_KEEPERS)


@access.rule("budgets.export")
def can_export_budgets(user: User, _obj: object = None, **_: object) -> bool:
    return user.has_role(*BUDGET_KEEPERS)
