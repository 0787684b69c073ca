"""The grants' running figures (BudgetGrant) behind the balances' "awaiting refund" always
equal the ledger's entries summed again, and the balance now shows what the entries give,
whatever entries are appended: grants, payments beyond them, refunds, releases, adjustments,
entries in another year or fund, rolled back or committed."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from grants.budgets.balances import balance, grant_positions
from grants.budgets.maintenance import rebuild_totals
from grants.budgets.models import BudgetEntry, BudgetGrant, EntryKind
from grants.core import clock
from grants.extensions import db
from tests.factories import make_application, make_fund, this_year

FUND_NUMBERS = itertools.count(1)

# The kinds of a grant's entries, with the sign the ledger demands of each.
SIGNS = {
    EntryKind.RESERVATION: 1,
    EntryKind.ADJUSTMENT: None,  # either
    EntryKind.RELEASE: -1,
    EntryKind.PAYMENT: 1,
    EntryKind.REFUND: -1,
}


def kept() -> list[tuple]:
    rows = db.session.execute(
        select(
            BudgetGrant.application_id,
            BudgetGrant.fund_id,
            BudgetGrant.year,
            BudgetGrant.granted,
            BudgetGrant.spent,
            BudgetGrant.releases,
        )
    )
    return sorted(tuple(row) for row in rows)


def awaiting_refund_from_the_entries(fund_id: int, year: int) -> Decimal:
    """The definition: per grant of the year with a release, what is paid beyond what is
    granted (grant_positions reads the entries themselves)."""
    return sum(
        (
            spent - granted
            for _f, _y, _a, granted, spent in grant_positions([fund_id], [year])
            if spent > granted
        ),
        Decimal(0),
    )


entry = st.tuples(
    st.just("entry"),
    st.integers(0, 2),  # which application
    st.integers(0, 1),  # which fund
    st.integers(0, 1),  # this year or the next (a case moved to next year)
    st.sampled_from(list(SIGNS)),
    st.integers(1, 30_000),
    st.booleans(),  # an adjustment's sign
)
operation = st.one_of(
    entry, entry, entry, st.tuples(st.just("commit")), st.tuples(st.just("rollback"))
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=st.lists(operation, max_size=30))
def test_the_kept_figures_equal_the_entries_summed_again(world, operations):
    # The world lives through all the examples: each makes its own funds under new codes.
    db.session.rollback()
    funds = [make_fund(code=f"refusion-{next(FUND_NUMBERS)}") for _ in range(2)]
    applications = [
        make_application(world.employee, funds[0], amount=40_000, state="granted") for _ in range(3)
    ]
    db.session.commit()
    years = [this_year(), this_year() + 1]
    for step in operations:
        if step[0] == "commit":
            db.session.commit()
            continue
        if step[0] == "rollback":
            db.session.rollback()
            continue
        _, which, fund, year, kind, amount, up = step
        sign = SIGNS[kind] or (1 if up else -1)
        db.session.add(
            BudgetEntry(
                fund_id=funds[fund].id,
                year=years[year],
                kind=kind,
                amount=Decimal(sign * amount),
                application_id=applications[which].id,
                booked_on=clock.today(),
            )
        )
        db.session.flush()
    for fund in funds:
        for year in years:
            expected = awaiting_refund_from_the_entries(fund.id, year)
            assert balance(fund.id, year).awaiting_refund == expected
            # The balance as of a moment reads the entries, as before.
            later = clock.now() + dt.timedelta(minutes=1)
            assert balance(fund.id, year, as_of=later).awaiting_refund == expected
    figures = kept()
    rebuild_totals()
    assert kept() == figures
    db.session.rollback()


def test_a_grant_paid_beyond_its_lowered_grant_awaits_its_refund(world):
    fund = make_fund(code="refusion-eksempel")
    application = make_application(world.employee, fund, amount=10_000, state="granted")
    db.session.flush()
    year = this_year()

    def book(kind: EntryKind, amount: int) -> None:
        db.session.add(
            BudgetEntry(
                fund_id=fund.id,
                year=year,
                kind=kind,
                amount=Decimal(amount),
                application_id=application.id,
            )
        )
        db.session.flush()

    book(EntryKind.RESERVATION, 10_000)
    book(EntryKind.PAYMENT, 10_000)
    assert balance(fund.id, year).awaiting_refund == 0
    book(EntryKind.RELEASE, -3_000)  # the settlement: 7,000 spent of the trip
    assert balance(fund.id, year).awaiting_refund == Decimal("3000.00")
    book(EntryKind.REFUND, -2_000)
    assert balance(fund.id, year).awaiting_refund == Decimal("1000.00")
    book(EntryKind.REFUND, -1_000)
    assert balance(fund.id, year).awaiting_refund == 0
    db.session.rollback()
