"""The fund's lock, taken before every movement of money.

A row lock on PostgreSQL, the database's write lock on SQLite, held until the transaction
ends. The checks that follow ("does it fit?", "is more paid than granted?") therefore read
what the previous movement left behind, however many server processes there are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError

from grants.core.locks import Busy, is_lock_timeout
from grants.extensions import db

if TYPE_CHECKING:
    from grants.funds.models import Fund


class BudgetBusy(Busy):
    """The fund's lock could not be had in time; nothing was changed."""


def lock_fund(fund: Fund) -> None:
    """Take the fund's write lock until the transaction ends.

    An UPDATE takes a row lock on PostgreSQL and the database's write lock on SQLite, so a
    second decider waits here and then reads the balance the first one left behind. Nothing
    is held in Python's memory, so this holds across server processes. A decider who waits
    longer than BUDGET_LOCK_TIMEOUT seconds (config.py; 30) gets BudgetBusy, a clear refusal
    that changes nothing, instead of a server error.

    The lock order is the fund's before the case's: take this before writing a case of the
    fund (the step's UPDATE). A fund's settings saved write the fund's row and then the days
    of its cases (``grants.workflow.waits_for``); a request holding a case while it waits
    here would wait for that save while the save waits for the case, a deadlock.
    """
    from grants.funds.models import Fund

    timeout_ms = int(float(current_app.config["BUDGET_LOCK_TIMEOUT"]) * 1000)
    dialect = db.session.get_bind().dialect.name
    # No autoflush first: what the caller changed and has not flushed (a case, its report)
    # is written after the lock, by the next statement's flush, never before it.
    with refused_when_busy(), db.session.no_autoflush:
        if dialect == "postgresql":
            db.session.execute(text(f"SET LOCAL lock_timeout = {timeout_ms}"))
        elif dialect == "sqlite":
            # pysqlite's own default is 5 s: too short behind a decision that renders a PDF.
            db.session.execute(text(f"PRAGMA busy_timeout = {timeout_ms}"))
        db.session.execute(
            update(Fund)
            .where(Fund.id == fund.id)
            # updated_at kept: a movement of money is not an edit of the fund
            .values(ledger_version=Fund.ledger_version + 1, updated_at=Fund.updated_at)
            .execution_options(synchronize_session=False)
        )


def lock_organisation(organisation_id: int) -> None:
    """Take the organisation's row lock until the transaction ends, after the fund's lock
    (``lock_fund``, whose wait it shares). A once-a-year rule may count the organisation's
    grants from every fund of a kind (format 2's ``limits.grants_counted_across``), and two
    such funds have two locks: this one makes a decision on the other fund wait, and then
    read the grant this one made. SQLite has one writer, so the fund's lock holds already."""
    from grants.organisations.models import Organisation

    if db.session.get_bind().dialect.name != "postgresql":
        return
    with refused_when_busy():
        db.session.execute(
            select(Organisation.id)
            .where(Organisation.id == organisation_id)
            # FOR NO KEY UPDATE: rows that merely refer to the organisation (a new case,
            # a member) do not wait for it.
            .with_for_update(key_share=True)
        )


@contextmanager
def refused_when_busy() -> Iterator[None]:
    """A lock not had in time (BUDGET_LOCK_TIMEOUT) is BudgetBusy: a clear refusal that
    changes nothing, not a server error."""
    try:
        yield
    except OperationalError as error:
        if is_lock_timeout(error):
            raise BudgetBusy(
                _("Budgettet er optaget af en anden afgørelse lige nu. Prøv igen.")
            ) from error
        raise
