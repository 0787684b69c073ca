"""Budgets as a ledger: every movement of money is an appended entry; balances are sums.

The sign of every entry, in one place (the database checks it too, ``ck_budget_entry_sign``):

=================  ======  ==============================================  ===============
kind               sign    what it is                                      figure
=================  ======  ==============================================  ===============
ALLOCATION         +/-     the year's allocation (bevilling); - corrects   budget
CARRY_OVER_IN      +       unspent money from last year (overførsel)       budget, in
CARRY_OVER_OUT     -       unspent money moved to next year                carried out
LAPSE              -       unspent money that lapses (bortfalder)          lapsed
RESERVATION        +       a grant decided (disponering)                   granted
ADJUSTMENT         +/-     a granted amount changed                        granted
RELEASE            -       withdrawn, cancelled or underspent (frigivet)   granted
PAYMENT            +       paid out (udbetaling)                           spent
REFUND             -       paid back (tilbagebetaling)                     spent
=================  ======  ==============================================  ===============

budget = allocations + carried in (the year's money); carried out and lapsed = what left
the year when it was closed, or later (shown as positive amounts); granted = reservations +
adjustments + releases; spent = payments + refunds; awaiting refund = per grant, what is
paid beyond what is now granted; committed (disponeret) = per grant, what is granted and
not paid, never below 0; available (disponibel) = budget - carried out - lapsed - committed
- spent. See grants.budgets.balances.Balance.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from grants.cases.states import State
from grants.core import clock
from grants.core.auditing import NOT_AUDITED, Audited, Record
from grants.core.models import enum_type
from grants.core.money import ZERO, Money
from grants.core.running import add_to, follow
from grants.extensions import Model

if TYPE_CHECKING:
    from grants.cases.models import Application


class EntryKind(enum.StrEnum):
    """The movements of money; their signs are in the table at the top of this module."""

    ALLOCATION = "allocation"  # bevilling
    CARRY_OVER_IN = "carry_over_in"  # overførsel fra sidste år
    CARRY_OVER_OUT = "carry_over_out"  # overførsel til næste år (negative)
    LAPSE = "lapse"  # bortfaldet ved årets lukning (negative)
    RESERVATION = "reservation"  # disponering ved bevilling
    ADJUSTMENT = "adjustment"  # ændret bevilget beløb (+/-)
    RELEASE = "release"  # frigivet ved tilbagekaldelse eller mindreforbrug (negative)
    PAYMENT = "payment"  # udbetaling
    REFUND = "refund"  # tilbagebetaling (negative)


# The year's money (budget), and what left the year again (carried out, lapsed).
BUDGET_KINDS = (EntryKind.ALLOCATION, EntryKind.CARRY_OVER_IN)
MOVED_ON_KINDS = (EntryKind.CARRY_OVER_OUT, EntryKind.LAPSE)
CARRY_OVER_KINDS = (EntryKind.CARRY_OVER_IN, EntryKind.CARRY_OVER_OUT)
GRANTED_KINDS = (EntryKind.RESERVATION, EntryKind.ADJUSTMENT, EntryKind.RELEASE)
SPENT_KINDS = (EntryKind.PAYMENT, EntryKind.REFUND)
NEGATIVE_KINDS = (EntryKind.CARRY_OVER_OUT, EntryKind.LAPSE, EntryKind.RELEASE, EntryKind.REFUND)
POSITIVE_KINDS = (EntryKind.CARRY_OVER_IN, EntryKind.RESERVATION, EntryKind.PAYMENT)


def _in(kinds: Iterable[EntryKind]) -> str:
    return ", ".join(f"'{kind.value}'" for kind in kinds)


class BudgetEntry(Model):
    __tablename__ = "budget_entry"
    __audit__ = Audited(
        added=Record(
            lambda entry: f"money.{entry.kind.value}",
            ("fund_id", "year", "amount", "voucher"),
            actor="created_by_id",
            case="application_id",
        )
    )
    __table_args__ = (
        Index("ix_budget_entry_fund_year", "fund_id", "year"),
        # The dashboard's sums (balances, month by month, the years there are) read this
        # index only, not the table.
        Index("ix_budget_entry_year_figures", "year", "fund_id", "kind", "booked_on", "amount"),
        CheckConstraint(
            f"(kind NOT IN ({_in(NEGATIVE_KINDS)}) OR amount < 0) "
            f"AND (kind NOT IN ({_in(POSITIVE_KINDS)}) OR amount > 0)",
            name="sign",
        ),
        # The app's database role may only read and append (grants.core.database_roles).
        {"info": {"append_only": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    # The budget year the money belongs to (for grants: the year of travel).
    year: Mapped[int]
    kind: Mapped[EntryKind] = mapped_column(enum_type(EntryKind))
    amount: Mapped[Decimal] = mapped_column(Money)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), index=True)
    # The day the movement counts from (bogføringsdato): the day it was recorded, the day
    # of payment for payments and refunds, the year's last and first day for carry-overs.
    # Balances "as of" a date and the months of the chart go by this.
    booked_on: Mapped[dt.date] = mapped_column(Date, default=lambda: clock.today(), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    # The finance system's voucher number, on payments and refunds.
    voucher: Mapped[str] = mapped_column(String(60), default="")

    fund = relationship("Fund")
    created_by = relationship("User")
    application = relationship("Application")


class BudgetTotal(Model):
    """The ledger summed by fund, budget year, month of booking and kind: kept in the same
    transaction as every entry (``_add_to_totals`` below), so that the balances and the
    dashboard's months read a dozen rows per fund instead of every entry of the year.

    Derived, never the truth: the entries are. ``flask budgets rebuild-totals`` makes it
    again from them, and a test checks the two always agree. Balances "as of" a past date
    or moment still read the entries themselves.
    """

    __tablename__ = "budget_total"
    # Derived from the ledger's entries, which are audited.
    __audit__ = NOT_AUDITED
    __table_args__ = (UniqueConstraint("fund_id", "year", "booked_year", "booked_month", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    year: Mapped[int]
    booked_year: Mapped[int]
    booked_month: Mapped[int]
    kind: Mapped[EntryKind] = mapped_column(enum_type(EntryKind))
    amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    entries: Mapped[int] = mapped_column(default=0)


@event.listens_for(BudgetEntry, "after_insert")
def _add_to_totals(mapper: Mapper[Any], connection: Connection, entry: BudgetEntry) -> None:
    booked_on = entry.booked_on or clock.today()
    add_to(
        connection,
        BudgetTotal,
        {
            "fund_id": entry.fund_id,
            "year": entry.year,
            "booked_year": booked_on.year,
            "booked_month": booked_on.month,
            "kind": entry.kind,
        },
        {"amount": entry.amount, "entries": 1},
    )


class BudgetGrant(Model):
    """A grant's own figures in one budget year: what is granted (reservations, adjustments,
    releases), what is spent (payments, refunds) and how many releases there are, by
    application, fund and year. Kept in the same flush as every ledger entry
    (``_keep_grant`` below).

    The balances' "awaiting refund" (paid beyond what is now granted, until refunded) sums
    ``spent - granted`` over the rows with a release where spent exceeds granted: a handful
    of rows, along their own partial index, instead of grouping every entry of every
    released grant of the year (~5,300 entries at 100,000 applications). Derived, never the
    truth: ``flask budgets rebuild-totals`` makes it again from the entries, and a property
    test checks the two agree after any sequence of entries."""

    __tablename__ = "budget_grant"
    # Derived from the ledger's entries, which are audited.
    __audit__ = NOT_AUDITED
    __table_args__ = (
        UniqueConstraint("application_id", "fund_id", "year"),
        Index(
            "ix_budget_grant_awaiting_refund",
            "fund_id",
            "year",
            "spent",
            "granted",
            postgresql_where=text("releases > 0 AND spent > granted"),
            sqlite_where=text("releases > 0 AND spent > granted"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    year: Mapped[int]
    granted: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    spent: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    releases: Mapped[int] = mapped_column(default=0)


_GRANT_FIELDS = ("application_id", "fund_id", "year", "kind", "amount")


def _keep_grant(
    connection: Connection, before: tuple[Any, ...] | None, after: tuple[Any, ...] | None
) -> None:
    """Add a new entry of a grant to its ``BudgetGrant`` row (the ledger is append-only:
    an entry is only ever inserted)."""
    if after is None:
        return
    application_id, fund_id, year, kind, amount = after
    if application_id is None or kind not in GRANTED_KINDS + SPENT_KINDS:
        return
    add_to(
        connection,
        BudgetGrant,
        {"application_id": application_id, "fund_id": fund_id, "year": year},
        {
            "granted": amount if kind in GRANTED_KINDS else ZERO,
            "spent": amount if kind in SPENT_KINDS else ZERO,
            "releases": 1 if kind == EntryKind.RELEASE else 0,
        },
    )


follow(BudgetEntry, _GRANT_FIELDS, _keep_grant, "budget_grant")


class BudgetWaiting(Model):
    """Applications submitted and not yet decided (ansøgt, ikke afgjort), by fund and year
    of travel: how many, and how much they apply for. The dashboard and the decision
    preview read a row here instead of summing the year's undecided applications (~7,000 at
    100,000 applications).

    Kept in the same flush as every change of an application (``_keep_waiting`` below), so a
    rolled-back step rolls its change back. Derived, never the truth: ``flask budgets
    rebuild-totals`` makes it again from the applications, and a property test checks the
    two agree after any sequence of changes."""

    __tablename__ = "budget_waiting"
    # Derived from the applications.
    __audit__ = NOT_AUDITED
    __table_args__ = (UniqueConstraint("fund_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    year: Mapped[int]
    applications: Mapped[int] = mapped_column(default=0)
    amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)


# The application states that never wait for a decision, whatever the outcome.
NOT_WAITING_STATES = (State.DRAFT, State.WITHDRAWN)
_WAITING_FIELDS = (
    "fund_id",
    "departure_date",
    "state",
    "outcome",
    "amount_applied",
    "budget_year_moved_to",
)


def waiting_key(
    fund_id: int | None,
    departure_date: dt.date | None,
    state: str,
    outcome: str | None,
    moved_to: int | None = None,
) -> tuple[int, int] | None:
    """The (fund, year) an application with these values waits in, or None: its budget
    year (``Application.budget_year``), the year of travel or, if later, the budget year
    the case was moved to when its year was closed."""
    if fund_id is None or departure_date is None or state in NOT_WAITING_STATES or outcome:
        return None
    if moved_to is not None and moved_to > departure_date.year:
        return fund_id, moved_to
    return fund_id, departure_date.year


def _move_waiting(
    connection: Connection, key: tuple[int, int] | None, applications: int, amount: Decimal
) -> None:
    if key is None or (applications == 0 and not amount):
        return
    fund_id, year = key
    add_to(
        connection,
        BudgetWaiting,
        {"fund_id": fund_id, "year": year},
        {"applications": applications, "amount": amount},
    )


def _waiting_key_of(values: tuple[Any, ...] | None) -> tuple[int, int] | None:
    """``waiting_key`` of an application's values (``_WAITING_FIELDS``), or None."""
    if not values:
        return None
    fund_id, departure_date, state, outcome, _amount, moved_to = values
    return waiting_key(fund_id, departure_date, state, outcome, moved_to)


def _keep_waiting(
    connection: Connection, before: tuple[Any, ...] | None, after: tuple[Any, ...] | None
) -> None:
    old = _waiting_key_of(before)
    new = _waiting_key_of(after)
    old_amount = (before[4] or ZERO) if before is not None and old else ZERO
    new_amount = (after[4] or ZERO) if after is not None and new else ZERO
    if old == new:
        _move_waiting(connection, new, 0, new_amount - old_amount)
    else:
        _move_waiting(connection, old, -1, -old_amount)
        _move_waiting(connection, new, 1, new_amount)


def register_waiting_listeners(application_class: type[Application]) -> None:
    """Keep ``BudgetWaiting`` with every insert, change and delete of an application, in the
    same flush (grants.core.running)."""
    follow(application_class, _WAITING_FIELDS, _keep_waiting, "budget_waiting")


class ClosingOutcome(enum.StrEnum):
    """What closing a fund's year did with the money left over."""

    CARRIED = "carried"  # moved to next year, in the same election period
    LAPSED = "lapsed"  # bortfaldet: no carry-over policy, or the period ended
    NONE = "none"  # nothing was left


class YearClosing(Model):
    """A fund's year closed (årsafslutning). One per fund and year: closing twice, or two
    finance officers closing at once, cannot carry the same money over twice."""

    __tablename__ = "budget_year_closing"
    # Closing a year is recorded as a BudgetEvent, which is audited.
    __audit__ = NOT_AUDITED
    __table_args__ = (UniqueConstraint("fund_id", "year", name="uq_budget_year_closing_fund_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    year: Mapped[int]
    outcome: Mapped[ClosingOutcome] = mapped_column(enum_type(ClosingOutcome))
    # The money left at the year's end: carried over, or lapsed.
    amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    closed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=lambda: clock.now()
    )
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    fund = relationship("Fund")
    closed_by = relationship("User")


class YearOpening(Model):
    """A fund's year opened: its allocation (bevilling) booked from the fund's yearly budget,
    once. Unique per fund and year, so two requests opening the same year at once book one
    allocation (the second one's insert does nothing). Appended, never changed."""

    __tablename__ = "budget_year_opening"
    # Opening a year is recorded as a BudgetEvent, which is audited.
    __audit__ = NOT_AUDITED
    __table_args__ = (
        UniqueConstraint("fund_id", "year", name="uq_budget_year_opening_fund_year"),
        {"info": {"append_only": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    year: Mapped[int]
    opened_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=lambda: clock.now()
    )
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    fund = relationship("Fund")
    opened_by = relationship("User")


class BudgetEvent(Model):
    """The budgets' journal: who did what to the budgets, and when. Appended, never changed."""

    __tablename__ = "budget_event"
    __audit__ = Audited(
        added=Record(
            lambda event: f"budget.{event.action}",
            lambda event: {"year": event.year, **(event.details or {})},
            actor="actor_id",
        )
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # e.g. "year_closed"
    action: Mapped[str] = mapped_column(String(40))
    year: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor = relationship("User")


class LedgerIsAppendOnly(RuntimeError):
    pass


@event.listens_for(BudgetEntry, "before_update")
@event.listens_for(BudgetEntry, "before_delete")
@event.listens_for(YearClosing, "before_update")
@event.listens_for(YearClosing, "before_delete")
@event.listens_for(BudgetEvent, "before_update")
@event.listens_for(BudgetEvent, "before_delete")
def _ledger_is_append_only(mapper: Mapper[Any], connection: Connection, target: object) -> None:
    raise LedgerIsAppendOnly("Ledger entries are appended, never changed: add a correcting entry.")


def _labels() -> dict[EntryKind, Any]:
    from flask_babel import lazy_gettext as _l

    return {
        EntryKind.ALLOCATION: _l("Bevilling"),
        EntryKind.CARRY_OVER_IN: _l("Overført fra sidste år"),
        EntryKind.CARRY_OVER_OUT: _l("Overført til næste år"),
        EntryKind.LAPSE: _l("Bortfaldet"),
        EntryKind.RESERVATION: _l("Disponeret ved bevilling"),
        EntryKind.ADJUSTMENT: _l("Regulering af bevilling"),
        EntryKind.RELEASE: _l("Frigivet"),
        EntryKind.PAYMENT: _l("Udbetalt"),
        EntryKind.REFUND: _l("Tilbagebetalt"),
    }


ENTRY_KIND_LABELS = _labels()


def _closing_labels() -> dict[ClosingOutcome, Any]:
    from flask_babel import lazy_gettext as _l

    return {
        ClosingOutcome.CARRIED: _l("Overføres til næste år"),
        ClosingOutcome.LAPSED: _l("Bortfalder"),
        ClosingOutcome.NONE: _l("Intet at overføre"),
    }


CLOSING_OUTCOME_LABELS = _closing_labels()
