"""What a full grant would do to its fund's year, shown to the decider before deciding. For
a reconsidered decision (genoptagelse) the ledger moves by the difference to the grant in
force only (grants.budgets.movements.regrant), and so does the preview."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from grants.budgets.balances import application_money, balances_and_waiting
from grants.budgets.opening import last_openable_year
from grants.cases.states import RECONSIDERING_STATES
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
    # A reconsideration: the grant of the decision in force (0 after a refusal); None for a
    # first decision.
    in_force: Decimal | None = None
    # The year's allocation is not booked yet (a trip the year after next): the year it
    # opens in, on 1 January. None when the year is open.
    opens_in: int | None = None

    @property
    def reconsideration(self) -> bool:
        return self.in_force is not None

    @property
    def change(self) -> Decimal:
        """What a full grant moves in the ledger: all of it, or the difference to the grant
        in force (negative when the new grant is lower)."""
        return self.amount - (self.in_force or ZERO)

    @property
    def available_after(self) -> Decimal:
        return self.available_now - self.change

    @property
    def fits(self) -> bool:
        return self.available_after >= ZERO

    @property
    def available_after_queue(self) -> Decimal:
        """If this one and every waiting one were granted in full."""
        return self.available_after - self.waiting_amount


def decision_preview(application: Application) -> DecisionPreview | None:
    """Available now, available after a full grant, and the queue for the fund and year.
    None when the application has no year of travel yet. For a reconsideration, on the year
    the grant in force is booked on, with what it would move."""
    year = application.budget_year
    in_force = None
    if application.state in RECONSIDERING_STATES:
        held = application_money(application)
        in_force = held.granted if held is not None else ZERO
        year = held.year if held is not None else year
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
        in_force=in_force,
        opens_in=year - 1
        if year > last_openable_year() and figures[application.fund_id, year].budget == ZERO
        else None,
    )
