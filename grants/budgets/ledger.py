"""Writing to the ledger: an entry appended (never edited), its notes in the ledger's
language, and the sums read back as kroner.

Nothing here commits (the request, or the command, does). The signs of the entries are in
``grants.budgets.models``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask_babel import force_locale

from grants.budgets.models import BudgetEntry, EntryKind
from grants.core import clock
from grants.core.money import kroner
from grants.extensions import db

if TYPE_CHECKING:
    from grants.people.models import User


def as_kroner(total: Decimal | int | None) -> Decimal:
    # SUM over the Money column comes back converted; a bare 0 from COALESCE does not (and
    # a SUM over no rows is NULL).
    return kroner(total) if isinstance(total, Decimal) else kroner(Decimal(int(total or 0)) / 100)


#: The ledger is the municipality's accounts: the notes the app writes into it are Danish,
#: whichever language the person who took the step reads (an entry is never rewritten, so
#: a note in the actor's language would stay in it for good).
LEDGER_LANGUAGE = "da"


def in_ledger_language(message: object) -> str:
    """A lazy message (``_l``) in the ledger's language."""
    with force_locale(LEDGER_LANGUAGE):
        return str(message)


def append(
    fund_id: int, year: int, kind: EntryKind, amount: Decimal, actor: User | None, **values: Any
) -> BudgetEntry:
    values.setdefault("booked_on", clock.today())  # the day it happens, not the day of flush
    entry = BudgetEntry(
        fund_id=fund_id,
        year=year,
        kind=kind,
        amount=kroner(amount),
        created_by_id=actor.id if actor else None,
        created_at=clock.now(),
        **values,
    )
    db.session.add(entry)
    return entry
