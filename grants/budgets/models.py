from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core import clock
from grants.core.models import enum_type
from grants.core.money import Money
from grants.extensions import db


class EntryKind(enum.StrEnum):
    """The movements of money. Signs: allocations and carry-over in add to the budget;
    carry-over out is negative. Reservations, adjustments and releases change what is
    committed (a release is negative). Payments and refunds change what is spent."""

    ALLOCATION = "allocation"  # bevilling
    CARRY_OVER_IN = "carry_over_in"  # overførsel fra sidste år
    CARRY_OVER_OUT = "carry_over_out"  # overførsel til næste år (negative)
    RESERVATION = "reservation"  # disponering ved bevilling
    ADJUSTMENT = "adjustment"  # ændret bevilget beløb (+/-)
    RELEASE = "release"  # frigivet ved tilbagekaldelse eller mindreforbrug (negative)
    PAYMENT = "payment"  # udbetaling
    REFUND = "refund"  # tilbagebetaling (negative)


BUDGET_KINDS = (EntryKind.ALLOCATION, EntryKind.CARRY_OVER_IN, EntryKind.CARRY_OVER_OUT)
GRANTED_KINDS = (EntryKind.RESERVATION, EntryKind.ADJUSTMENT, EntryKind.RELEASE)
SPENT_KINDS = (EntryKind.PAYMENT, EntryKind.REFUND)


class BudgetEntry(db.Model):
    __tablename__ = "budget_entry"
    __table_args__ = (Index("ix_budget_entry_fund_year", "fund_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    year: Mapped[int]
    kind: Mapped[EntryKind] = mapped_column(enum_type(EntryKind))
    amount: Mapped[Decimal] = mapped_column(Money)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    # The finance system's voucher number, on payments and refunds.
    voucher: Mapped[str] = mapped_column(String(60), default="")

    fund = relationship("Fund")
    created_by = relationship("User")


class LedgerIsAppendOnly(RuntimeError):
    pass


@event.listens_for(BudgetEntry, "before_update")
@event.listens_for(BudgetEntry, "before_delete")
def _ledger_is_append_only(mapper, connection, target) -> None:
    raise LedgerIsAppendOnly("Ledger entries are appended, never changed: add a correcting entry.")


def _labels():
    from flask_babel import lazy_gettext as _l

    return {
        EntryKind.ALLOCATION: _l("Bevilling"),
        EntryKind.CARRY_OVER_IN: _l("Overført fra sidste år"),
        EntryKind.CARRY_OVER_OUT: _l("Overført til næste år"),
        EntryKind.RESERVATION: _l("Disponeret ved bevilling"),
        EntryKind.ADJUSTMENT: _l("Regulering af bevilling"),
        EntryKind.RELEASE: _l("Frigivet"),
        EntryKind.PAYMENT: _l("Udbetalt"),
        EntryKind.REFUND: _l("Tilbagebetalt"),
    }


ENTRY_KIND_LABELS = _labels()
