"""Closing a budget year (årsafslutning): what is left carries over within the election
period or lapses, and money freed in a closed year moves on by the same rule."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Select, bindparam, select

from grants.budgets.balances import application_money, balance, balances
from grants.budgets.elections import ElectionPeriod, election_period
from grants.budgets.ledger import append, in_ledger_language
from grants.budgets.lock import lock_fund
from grants.budgets.models import BudgetEvent, ClosingOutcome, EntryKind, YearClosing
from grants.budgets.signals import budget_year_moved
from grants.budgets.waiting import waiting_conditions
from grants.core import clock, events
from grants.core.errors import DomainError
from grants.core.money import ZERO, kroner
from grants.extensions import db

if TYPE_CHECKING:
    from grants.cases.models import Application
    from grants.funds.models import Fund
    from grants.people.models import User


@dataclass(frozen=True)
class ClosingStep:
    """What closing the year does, or did, for one fund."""

    fund_id: int
    fund_code: str
    fund_name: str
    carry_over_policy: str
    year: int
    amount: Decimal  # available at the end of the year
    outcome: ClosingOutcome
    already_closed: bool = False

    @property
    def carried_to(self) -> int | None:
        return self.year + 1 if self.outcome is ClosingOutcome.CARRIED else None


@dataclass(frozen=True)
class ClosingPlan:
    year: int
    period: ElectionPeriod
    dry_run: bool
    steps: list[ClosingStep] = field(default_factory=list)
    # Applications for the year not yet decided, and what the finance officer chose for
    # them: WAITING_MOVE (to next year's budget) or WAITING_CLOSE (close anyway).
    waiting: list = field(default_factory=list)
    waiting_choice: str | None = None
    moved: dict = field(default_factory=dict)  # application id -> the year moved to

    @property
    def to_close(self) -> list[ClosingStep]:
        return [step for step in self.steps if not step.already_closed]

    @property
    def changes_nothing(self) -> bool:
        return not self.to_close and not self.moved

    @property
    def waiting_amount(self) -> Decimal:
        return sum((kroner(a.amount_applied or 0) for a in self.waiting), ZERO)

    def total(self, outcome: ClosingOutcome) -> Decimal:
        return sum((s.amount for s in self.to_close if s.outcome == outcome), ZERO)


def closable_year(year: int) -> None:
    """Refuse a year that is not over yet, or is not a year."""
    if not 2000 <= year <= 2100:
        raise DomainError(_("Skriv et år mellem 2000 og 2100."), field="year")
    if year >= clock.today().year:
        raise DomainError(
            _("Budgetåret %(year)s er ikke slut endnu og kan ikke lukkes.", year=year),
            field="year",
        )


WAITING_MOVE = "move"  # the undecided applications go to next year's budget
WAITING_CLOSE = "close"  # close anyway: they stay in the closed year (only a refusal fits)
WAITING_CHOICES = (WAITING_MOVE, WAITING_CLOSE)


def close_year(
    year: int, actor: User | None = None, dry_run: bool = False, waiting: str | None = None
) -> ClosingPlan:
    """Close the budget year of every fund (årsafslutning) and return what it does.

    What is available at the year's end (budget - granted; money committed to grants not yet
    paid stays in its year) is carried over to next year if the fund's policy is
    ELECTION_PERIOD and next year is in the same election period: a CARRY_OVER_OUT booked on
    31 December and a CARRY_OVER_IN booked on 1 January. Otherwise it lapses, and no entry
    is written. Each fund's closing is recorded once (YearClosing, unique per fund and year)
    and the whole in the budgets' journal. A fund already closed is left as it is, so
    closing twice changes nothing. ``dry_run`` only returns the plan.

    The plan lists the applications for the year that wait for a decision. If there are
    any, closing needs ``waiting``: WAITING_MOVE moves them to the next open year of their
    fund (they are decided on its budget), WAITING_CLOSE closes anyway. Moving is possible
    after the year is closed too.
    """
    from grants.cases.models import Application
    from grants.funds.models import CarryOver, Fund

    closable_year(year)
    if waiting is not None and waiting not in WAITING_CHOICES:
        raise DomainError(_("Vælg en af mulighederne."), field="waiting")
    period = election_period(year)
    funds = db.session.scalars(select(Fund).order_by(Fund.id)).all()
    # Closings are never undone: if every fund is closed already, there is nothing to lock.
    if not dry_run and (len(closings(year)) < len(funds) or waiting == WAITING_MOVE):
        # In id order, so two finance officers closing at once queue instead of deadlocking.
        for fund in funds:
            lock_fund(fund)
    closed = {
        closing.fund_id: closing
        for closing in db.session.scalars(select(YearClosing).where(YearClosing.year == year))
    }
    figures = balances([fund.id for fund in funds], [year])
    steps = []
    for fund in funds:
        if fund.id in closed:
            previous = closed[fund.id]
            outcome, amount, already = previous.outcome, previous.amount, True
        else:
            amount = max(figures[fund.id, year].available, ZERO)
            if amount == ZERO:
                outcome = ClosingOutcome.NONE
            elif fund.carry_over is CarryOver.ELECTION_PERIOD and year + 1 in period:
                outcome = ClosingOutcome.CARRIED
            else:
                outcome = ClosingOutcome.LAPSED
            already = False
        steps.append(
            ClosingStep(
                fund_id=fund.id,
                fund_code=fund.code,
                fund_name=fund.name,
                carry_over_policy=fund.carry_over.value,
                year=year,
                amount=amount,
                outcome=outcome,
                already_closed=already,
            )
        )
    undecided = db.session.scalars(
        select(Application)
        .where(*waiting_conditions([fund.id for fund in funds], year))
        .order_by(Application.fund_id, Application.departure_date, Application.id)
    ).all()
    plan = ClosingPlan(
        year=year,
        period=period,
        dry_run=dry_run,
        steps=steps,
        waiting=list(undecided),
        waiting_choice=waiting,
    )
    if dry_run:
        return plan
    if plan.to_close and plan.waiting and waiting is None:
        raise DomainError(
            ngettext(
                "%(num)d ansøgning til %(year)s venter på afgørelse. Vælg, om den flyttes til "
                "næste års budget, eller om året lukkes alligevel.",
                "%(num)d ansøgninger til %(year)s venter på afgørelse. Vælg, om de flyttes til "
                "næste års budget, eller om året lukkes alligevel.",
                len(plan.waiting),
                year=year,
            ),
            field="waiting",
        )
    if waiting == WAITING_MOVE and plan.waiting:
        plan.moved.update(_move_to_next_year(plan.waiting, year, actor))
    if plan.to_close:
        _write_closing(plan, actor)
    elif plan.moved:
        _journal_moves(plan, actor)
    return plan


def _move_to_next_year(
    applications: Iterable[Application], year: int, actor: User | None
) -> dict[int, int]:
    """Each application to the first year after ``year`` its fund has not closed, noted in
    the case's journal (``signals.budget_year_moved``)."""
    closed = set(
        db.session.execute(
            select(YearClosing.fund_id, YearClosing.year).where(YearClosing.year > year)
        ).all()
    )
    moved = {}
    for application in applications:
        target = year + 1
        while (application.fund_id, target) in closed:
            target += 1
        application.budget_year_moved_to = target
        moved[application.id] = target
        events.send(budget_year_moved, application, year=year, to=target, actor=actor)
    db.session.flush()
    return moved


def _journal_moves(plan: ClosingPlan, actor: User | None) -> None:
    db.session.add(
        BudgetEvent(
            created_at=clock.now(),
            actor_id=actor.id if actor else None,
            action="waiting_moved",
            year=plan.year,
            details=_moved_details(plan),
        )
    )
    db.session.flush()


def _moved_details(plan: ClosingPlan) -> dict:
    return {
        "year": plan.year,
        "waiting": plan.waiting_choice,
        "moved": [
            {"case": a.case_number or str(a.id), "to": plan.moved[a.id]}
            for a in plan.waiting
            if a.id in plan.moved
        ],
        "left": [a.case_number or str(a.id) for a in plan.waiting if a.id not in plan.moved],
    }


def _write_closing(plan: ClosingPlan, actor: User | None) -> None:
    year = plan.year
    for step in plan.to_close:
        db.session.add(
            YearClosing(
                fund_id=step.fund_id,
                year=year,
                outcome=step.outcome,
                amount=step.amount,
                closed_at=clock.now(),
                closed_by_id=actor.id if actor else None,
            )
        )
        if step.outcome is ClosingOutcome.LAPSED:
            append(
                step.fund_id,
                year,
                EntryKind.LAPSE,
                -step.amount,
                actor,
                booked_on=dt.date(year, 12, 31),
                note=in_ledger_language(_l("Bortfaldet ved lukning af %(year)s", year=year)),
            )
        if step.outcome is ClosingOutcome.CARRIED:
            note = in_ledger_language(
                _l("Overført fra %(year)s til %(next)s", year=year, next=year + 1)
            )
            append(
                step.fund_id,
                year,
                EntryKind.CARRY_OVER_OUT,
                -step.amount,
                actor,
                booked_on=dt.date(year, 12, 31),
                note=note,
            )
            append(
                step.fund_id,
                year + 1,
                EntryKind.CARRY_OVER_IN,
                step.amount,
                actor,
                booked_on=dt.date(year + 1, 1, 1),
                note=note,
            )
    db.session.add(
        BudgetEvent(
            created_at=clock.now(),
            actor_id=actor.id if actor else None,
            action="year_closed",
            year=year,
            details={
                "year": year,
                "election_period": str(plan.period),
                "waiting_applications": _moved_details(plan),
                "funds": [
                    {
                        "fund": step.fund_code,
                        "outcome": step.outcome.value,
                        "amount": str(step.amount),
                    }
                    for step in plan.to_close
                ],
            },
        )
    )
    # Now, so the unique (fund, year) constraint backs up the check above at once.
    db.session.flush()
    # Money carried into a year that is closed already (years closed out of order) moves on
    # from there by the same rule, so nothing stays behind in a closed year.
    carried = [step.fund_id for step in plan.to_close if step.outcome is ClosingOutcome.CARRIED]
    if carried:
        from grants.funds.models import Fund

        for fund in db.session.scalars(select(Fund).where(Fund.id.in_(carried))):
            carry_on_if_closed(fund, year + 1, actor)


def where_released_money_goes(fund: Fund, year: int | None) -> str:
    """What becomes of money given back from ``year``'s budget (a grant given up or
    cancelled), said before it is done: back to the year's budget while it is open; after
    the year's closing, on to the next year within the election period or lapsed, as
    ``carry_on_if_closed`` does it."""
    from grants.funds.models import CarryOver

    if year is None or not is_closed(fund.id, year):
        return _("Pengene går tilbage til puljens budget.")
    if fund.carry_over is CarryOver.ELECTION_PERIOD and year + 1 in election_period(year):
        return _(
            "Budgetåret %(year)s er lukket, så pengene overføres til %(next)s.",
            year=year,
            next=year + 1,
        )
    return _("Budgetåret %(year)s er lukket, så pengene bortfalder.", year=year)


def carry_on_if_closed(fund: Fund, year: int, actor: User | None = None) -> Decimal:
    """Money that becomes available in a closed year (a release, a refund, a grant lowered,
    a carry-over into a year closed first) moves on by the closing's rule: to next year
    within the election period (and on from there if that year is closed too), else it
    lapses; as ledger entries booked today, and in the budgets' journal. Returns the amount
    moved. The caller holds the fund's lock."""
    from grants.funds.models import CarryOver

    if not is_closed(fund.id, year):
        return ZERO
    db.session.flush()
    amount = balance(fund.id, year).available
    if amount <= ZERO:
        return ZERO
    today = clock.today()
    period = election_period(year)
    carries = fund.carry_over is CarryOver.ELECTION_PERIOD and year + 1 in period
    if carries:
        note = in_ledger_language(
            _l(
                "Frigivet efter lukningen: overført fra %(year)s til %(next)s",
                year=year,
                next=year + 1,
            )
        )
        append(fund.id, year, EntryKind.CARRY_OVER_OUT, -amount, actor, booked_on=today, note=note)
        append(
            fund.id,
            year + 1,
            EntryKind.CARRY_OVER_IN,
            amount,
            actor,
            booked_on=max(today, dt.date(year + 1, 1, 1)),
            note=note,
        )
    else:
        append(
            fund.id,
            year,
            EntryKind.LAPSE,
            -amount,
            actor,
            booked_on=today,
            note=in_ledger_language(
                _l("Frigivet efter lukningen af %(year)s: bortfalder", year=year)
            ),
        )
    db.session.add(
        BudgetEvent(
            created_at=clock.now(),
            actor_id=actor.id if actor else None,
            action="carried_on" if carries else "lapsed_after_closing",
            year=year,
            details={
                "fund": fund.code,
                "year": year,
                "amount": str(amount),
                "to": year + 1 if carries else None,
                "election_period": str(period),
            },
        )
    )
    db.session.flush()
    if carries:
        carry_on_if_closed(fund, year + 1, actor)
    return amount


def closed_budget_year(application: Application) -> int | None:
    """The budget year of the application's grant on the ledger, if that year is closed
    for its fund (a payment is still allowed there; a refund carries on from it)."""
    figures = application_money(application)
    if figures is None or not is_closed(application.fund_id, figures.year):
        return None
    return figures.year


def is_closed(fund_id: int, year: int) -> bool:
    return (
        db.session.scalar(
            select(YearClosing.id).where(YearClosing.fund_id == fund_id, YearClosing.year == year)
        )
        is not None
    )


def closings(year: int) -> dict[int, YearClosing]:
    """The funds whose ``year`` is closed, by fund id."""
    return {
        closing.fund_id: closing
        for closing in db.session.scalars(_closings_statement(), {"year": year})
    }


@functools.cache
def _closings_statement() -> Select[YearClosing]:
    """Kept (the budgets page asks on every request): made and its cache key worked out once."""
    return select(YearClosing).where(YearClosing.year == bindparam("year"))
