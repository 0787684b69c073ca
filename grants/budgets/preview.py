"""What a full grant would do to its fund's year, shown to the decider before deciding."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from grants.budgets.balances import balances_and_waiting
from grants.core.money import ZERO, kroner

if TYPE_CHECKING:
    from grants.cases.models import Application


@dataclass(frozen=True)
class DecisionPreview:
    """What a full grant of the application does to its fund's year, before deciding."""

    fund_code: str
    fund_name: str
    year: int
    amount: Decimal  # applied for
    available_now: Decimal
    waiting_count: int  # other applications for the fund and year, not yet decided
    waiting_amount: Decimal

    @property
    def available_after(self) -> Decimal:
        return self.available_now - self.amount

    @property
    def fits(self) -> bool:
        return self.available_after >= ZERO

    @property
    def available_after_queue(self) -> Decimal:
        """If this one and every waiting one were granted in full."""
        return self.available_after - self.waiting_amount


def decision_preview(application: Application) -> DecisionPreview | None:
    """Available now, available after a full grant, and the queue for the fund and year.
    None when the application has no year of travel yet."""
    year = application.budget_year
    if year is None:
        return None
    # The balance and the waiting applications in one statement.
    figures, waiting = balances_and_waiting([application.fund_id], year, excluding=application)
    queue = waiting[application.fund_id]
    return DecisionPreview(
        fund_code=application.fund.code,
        fund_name=application.fund.name,
        year=year,
        amount=kroner(application.amount_applied),
        available_now=figures[application.fund_id, year].available,
        waiting_count=queue.count,
        waiting_amount=queue.amount,
    )
