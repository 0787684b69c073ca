"""Money movements. Every function appends entries; none edits one; none commits."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from grants.budgets.models import (
    BUDGET_KINDS,
    GRANTED_KINDS,
    SPENT_KINDS,
    BudgetEntry,
    EntryKind,
)
from grants.core.errors import DomainError
from grants.core.formatting import money
from grants.core.money import ZERO, kroner
from grants.extensions import db


class InsufficientFunds(DomainError):
    pass


@dataclass(frozen=True)
class Balance:
    """A fund's year in the budget vocabulary. All figures are sums of ledger entries."""

    budget: Decimal  # bevilling + overførsel
    granted: Decimal  # reserved by decisions, net of adjustments and releases
    spent: Decimal  # forbrug: paid out, net of refunds

    @property
    def committed(self) -> Decimal:
        """disponeret: granted and not yet paid."""
        return self.granted - self.spent

    @property
    def available(self) -> Decimal:
        """disponibel: what new grants may still use."""
        return self.budget - self.granted


def balance(fund_id: int, year: int) -> Balance:
    return balances([fund_id], [year])[fund_id, year]


def balances(fund_ids, years) -> dict[tuple[int, int], Balance]:
    """Balances of several funds and years, in one query."""
    fund_ids, years = list(fund_ids), list(years)
    rows = db.session.execute(
        select(
            BudgetEntry.fund_id,
            BudgetEntry.year,
            BudgetEntry.kind,
            func.coalesce(func.sum(BudgetEntry.amount), 0),
        )
        .where(BudgetEntry.fund_id.in_(fund_ids), BudgetEntry.year.in_(years))
        .group_by(BudgetEntry.fund_id, BudgetEntry.year, BudgetEntry.kind)
    ).all()
    sums: dict[tuple[int, int], dict[EntryKind, Decimal]] = {}
    for fund_id, year, kind, total in rows:
        sums.setdefault((fund_id, year), {})[EntryKind(kind)] = _as_kroner(total)

    def total(key, kinds) -> Decimal:
        return sum((sums.get(key, {}).get(kind, ZERO) for kind in kinds), ZERO)

    return {
        (f, y): Balance(
            budget=total((f, y), BUDGET_KINDS),
            granted=total((f, y), GRANTED_KINDS),
            spent=total((f, y), SPENT_KINDS),
        )
        for f in fund_ids
        for y in years
    }


def _as_kroner(total) -> Decimal:
    # SUM over the Money column comes back converted; a bare 0 from COALESCE does not.
    return kroner(total) if isinstance(total, Decimal) else kroner(Decimal(int(total)) / 100)


def lock_fund(fund) -> None:
    """Take the fund's write lock until the transaction ends.

    An UPDATE takes a row lock on PostgreSQL and the database's write lock on SQLite, so a
    second decider waits here and then reads the balance the first one left behind.
    """
    from grants.funds.models import Fund

    db.session.execute(
        update(Fund)
        .where(Fund.id == fund.id)
        .values(ledger_version=Fund.ledger_version + 1)
        .execution_options(synchronize_session=False)
    )


def allocate(fund, year: int, amount: Decimal, actor=None, note: str = "") -> BudgetEntry:
    entry = BudgetEntry(
        fund_id=fund.id,
        year=year,
        kind=EntryKind.ALLOCATION,
        amount=kroner(amount),
        created_by_id=actor.id if actor else None,
        note=note,
    )
    db.session.add(entry)
    return entry


def reserve(application, amount: Decimal, actor) -> BudgetEntry:
    """Reserve a grant on the fund's budget for the year of travel, or refuse it whole."""
    amount = kroner(amount)
    if amount <= ZERO:
        raise DomainError(_("Beløbet skal være større end 0 kr."), field="amount")
    lock_fund(application.fund)
    year = application.budget_year
    available = balance(application.fund_id, year).available
    if amount > available:
        raise InsufficientFunds(
            _(
                "Der er kun %(available)s til rådighed på %(fund)s i %(year)s, så der kan ikke "
                "bevilges %(amount)s. Intet er ændret.",
                available=money(available),
                fund=application.fund.name,
                year=year,
                amount=money(amount),
            ),
            field="amount",
        )
    entry = BudgetEntry(
        fund_id=application.fund_id,
        year=year,
        kind=EntryKind.RESERVATION,
        amount=amount,
        application_id=application.id,
        created_by_id=actor.id if actor else None,
        note=application.case_number or "",
    )
    db.session.add(entry)
    return entry
