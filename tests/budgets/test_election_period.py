"""A whole election period (2026-2029) and its end, with the clock moved through the years:
the allocation of each year, closing in and out of order, money released after a year is
closed, and the lapse into the next period (issue 17 points 1-3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from grants.budgets.balances import balance
from grants.budgets.closing import close_year
from grants.budgets.models import BudgetEntry, BudgetEvent, EntryKind
from grants.budgets.movements import record_payment, record_refund, release
from grants.extensions import db
from tests.budgets.conftest import economy_committee, granted_trip
from tests.html import table_records

D = Decimal
MOVES = (EntryKind.CARRY_OVER_OUT, EntryKind.CARRY_OVER_IN, EntryKind.LAPSE)


@pytest.fixture
def committee(world, move_clock):
    """Økonomiudvalget, made at the start of the period: 65,000 kr. a year, carried over
    within the election period. Only this year and next are booked when it is made."""
    move_clock(dt.date(2026, 1, 5))
    fund = economy_committee()
    db.session.commit()
    return fund


def trip(world, fund, year, amount):
    return granted_trip(world, fund, dt.date(year, 9, 1), amount)


def moves(fund) -> list[tuple]:
    return [
        (e.kind, e.year, e.amount)
        for e in db.session.scalars(
            select(BudgetEntry)
            .where(BudgetEntry.fund_id == fund.id, BudgetEntry.kind.in_(MOVES))
            .order_by(BudgetEntry.id)
        )
    ]


def test_the_issues_example_closing_2027_then_2026_loses_nothing(world, committee, move_clock):
    move_clock(dt.date(2028, 1, 10))
    close_year(2027, world.finance)
    close_year(2026, world.finance)
    db.session.commit()
    # 65,000 of 2026 and 65,000 of 2027 reach 2028: 130,000, not 65,000.
    assert balance(committee.id, 2028).carried_in == D(130000)
    assert balance(committee.id, 2027).available == D(0)
    assert moves(committee) == [
        (EntryKind.CARRY_OVER_OUT, 2027, D(-65000)),
        (EntryKind.CARRY_OVER_IN, 2028, D(65000)),
        (EntryKind.CARRY_OVER_OUT, 2026, D(-65000)),
        (EntryKind.CARRY_OVER_IN, 2027, D(65000)),
        # ...and on through 2027, which was closed already: the ledger shows the path.
        (EntryKind.CARRY_OVER_OUT, 2027, D(-65000)),
        (EntryKind.CARRY_OVER_IN, 2028, D(65000)),
    ]


def test_in_order_and_out_of_order_closings_carry_the_same(world, committee, move_clock):
    move_clock(dt.date(2026, 3, 1))
    trip(world, committee, 2026, 10000)
    move_clock(dt.date(2027, 3, 1))
    trip(world, committee, 2027, 25000)
    move_clock(dt.date(2029, 2, 1))
    close_year(2028, world.finance)
    close_year(2026, world.finance)
    close_year(2027, world.finance)
    db.session.commit()
    # 55,000 + 40,000 + 65,000 left of 2026-2028.
    assert balance(committee.id, 2029).carried_in == D(160000)
    assert balance(committee.id, 2029).budget == D(225000)
    for year in (2026, 2027, 2028):
        assert balance(committee.id, year).available == D(0)


def test_a_whole_election_period_and_its_end(world, committee, move_clock, client, auth):
    auth.login(world.finance)

    # 2026: a trip of 20,000 kr., 15,000 paid.
    move_clock(dt.date(2026, 3, 1))
    first = trip(world, committee, 2026, 20000)
    record_payment(first, D(15000), world.finance, dt.date(2026, 3, 1), "B-1")
    db.session.commit()

    # 2027: the year's allocation is there; 2026 is closed on the finance officer's page.
    move_clock(dt.date(2027, 1, 12))
    assert client.post("/budgetter/luk-aar", data={"year": "2026"}).status_code == 302
    db.session.expire_all()
    assert balance(committee.id, 2026).carried_out == D(45000)
    assert balance(committee.id, 2027).budget == D(110000)
    second = trip(world, committee, 2027, 30000)
    db.session.commit()

    # 2028: nobody booked it, yet the page shows 2028's allocation (opened on first use).
    move_clock(dt.date(2028, 1, 20))
    budgets = table_records(client.get("/budgetter?year=2028"), ".budget-table")
    assert {row["Pulje"]: row["Budget"] for row in budgets}[committee.name] == "65.000,00 kr."
    db.session.expire_all()
    assert balance(committee.id, 2028).allocated == D(65000)
    third = trip(world, committee, 2028, 10000)
    db.session.commit()

    # 2029: 2028 is closed before 2027 (out of order); both carry into 2029.
    move_clock(dt.date(2029, 1, 8))
    close_year(2028, world.finance)
    close_year(2027, world.finance)
    db.session.commit()
    # 2027: 65,000 + 45,000 - 30,000 = 80,000; 2028: 65,000 - 10,000 = 55,000.
    assert balance(committee.id, 2029).carried_in == D(135000)

    # After the closings: 2026's unpaid 5,000 kr. are released. 2026, 2027 and 2028 are
    # closed, so the money carries on through them to 2029.
    release(first, D(5000), world.caseworker, "Mindreforbrug")
    # And 2027's trip used only 26,000 (nothing was paid): 4,000 kr. freed.
    release(second, D(4000), world.caseworker, "Mindreforbrug")
    db.session.commit()
    last = balance(committee.id, 2029)
    assert (last.allocated, last.carried_in, last.budget) == (D(65000), D(144000), D(209000))
    for year in (2026, 2027, 2028):
        assert balance(committee.id, year).available == D(0), year
    path = [m for m in moves(committee) if m[2] in (D(-5000), D(5000))]
    assert path == [
        (EntryKind.CARRY_OVER_OUT, 2026, D(-5000)),
        (EntryKind.CARRY_OVER_IN, 2027, D(5000)),
        (EntryKind.CARRY_OVER_OUT, 2027, D(-5000)),
        (EntryKind.CARRY_OVER_IN, 2028, D(5000)),
        (EntryKind.CARRY_OVER_OUT, 2028, D(-5000)),
        (EntryKind.CARRY_OVER_IN, 2029, D(5000)),
    ]
    events = [e.action for e in db.session.scalars(select(BudgetEvent).order_by(BudgetEvent.id))]
    # 2027's closing on through 2028; 5,000 through three years; 4,000 through two.
    assert events.count("carried_on") == 1 + 3 + 2
    fourth = trip(world, committee, 2029, 9000)
    db.session.commit()

    # 2030: a new election period. 2029 closes and its 200,000 kr. lapse, as an entry.
    move_clock(dt.date(2030, 1, 6))
    close_year(2029, world.finance)
    db.session.commit()
    ended = balance(committee.id, 2029)
    assert (ended.lapsed, ended.carried_out, ended.available) == (D(200000), D(0), D(0))
    new = balance(committee.id, 2030)
    assert (new.allocated, new.carried_in, new.budget) == (D(65000), D(0), D(65000))

    # A refund into 2029 after the period ended lapses too: nothing reaches 2030.
    record_payment(fourth, D(9000), world.finance, dt.date(2030, 1, 6), "B-4")
    record_refund(fourth, D(1000), world.finance, dt.date(2030, 1, 6), "R-4")
    release_after = balance(committee.id, 2029)
    assert release_after.committed == D(1000)  # refunded but still granted: not yet freed
    release(fourth, D(1000), world.caseworker, "Mindreforbrug")
    db.session.commit()
    gone = balance(committee.id, 2029)
    assert (gone.lapsed, gone.available) == (D(201000), D(0))
    assert balance(committee.id, 2030).carried_in == D(0)
    assert moves(committee)[-1] == (EntryKind.LAPSE, 2029, D(-1000))
    assert third.id  # the 2028 trip stays granted in its year
