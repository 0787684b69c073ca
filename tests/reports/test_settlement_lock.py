"""A settlement makes its two letters (the settlement and the approved report) before it
takes the fund's lock, and writes nothing before it: the report's figures, the step and the
money come under the lock, the fund's row before the case's (``reports.settlement.settle``).
A committee meeting that approves reports no longer makes the next decision on the fund wait
for these letters. The figures are read again under the lock, and a payment or refund booked
on the case meanwhile refuses the settlement whole."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from grants.budgets.balances import application_money
from grants.budgets.models import BudgetEntry, EntryKind
from grants.budgets.movements import record_payment
from grants.core import clock
from grants.core.errors import DomainError
from grants.extensions import db
from grants.letters.models import Letter
from grants.reports.settlement import settle
from tests.locking import lockable_from_elsewhere
from tests.reports.helpers import file_report, granted_case

COSTS = {"transport": 3000, "accommodation": 3000}  # 6.000 kr. of a grant of 8.000 kr.


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def reported(world, move_clock):
    application = granted_case(world, 8000)
    move_clock(application.return_date)
    file_report(application, world.employee, COSTS)
    return application


def test_the_fund_is_free_while_the_settlement_letters_are_made(
    world, reported, database_url, pdfs_made
):
    # Nothing is written before the lock either (the report's figures are flushed under
    # it), so on SQLite too, where the first write takes the whole database's lock.
    seen = []
    pdfs_made["before"] = lambda: seen.append(lockable_from_elsewhere(database_url, world.fund.id))

    settlement = settle(reported, world.caseworker)

    assert seen == [True, True]  # the settlement letter and the approved report
    assert not lockable_from_elsewhere(database_url, world.fund.id)  # money moved under it
    db.session.commit()
    assert (settlement.final, settlement.released) == (Decimal(6000), Decimal(2000))
    assert application_money(reported).granted == Decimal(6000)
    assert reported.state == "settled"


def test_a_payment_booked_while_the_letters_are_made_refuses_the_settlement(
    world, reported, pdfs_made
):
    releases = count(
        BudgetEntry,
        BudgetEntry.application_id == reported.id,
        BudgetEntry.kind == EntryKind.RELEASE,
    )

    def paid_meanwhile():
        if pdfs_made["count"] == 1:
            record_payment(reported, Decimal(7000), world.caseworker, clock.today(), "B-9")
            db.session.flush()

    pdfs_made["before"] = paid_meanwhile
    with pytest.raises(DomainError, match="udbetaling eller tilbagebetaling"):
        settle(reported, world.caseworker)
    db.session.rollback()

    db.session.expire_all()
    assert reported.state == "report_submitted"
    assert count(Letter, Letter.application_id == reported.id, Letter.kind != "decision") == 0
    assert (
        count(
            BudgetEntry,
            BudgetEntry.application_id == reported.id,
            BudgetEntry.kind == EntryKind.RELEASE,
        )
        == releases
    )
    assert application_money(reported).spent == 0
