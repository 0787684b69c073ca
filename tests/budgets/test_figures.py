"""Each figure means what its label says, in every state of a year: open, between a
settlement and its refund, after the refund, closed with carry-over, closed with a lapse
(issue 17 point 6). Nothing is netted: budget is the year's money, what left it is shown
as carried out or lapsed, committed is never below 0."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from grants.budgets.balances import balance
from grants.budgets.closing import close_year
from grants.budgets.models import BudgetEntry, EntryKind
from grants.budgets.movements import record_payment, reserve
from grants.budgets.opening import allocate
from grants.core import clock
from grants.extensions import db
from grants.funds.models import CarryOver
from tests.budgets.conftest import economy_committee, granted_trip
from tests.factories import make_application, make_fund
from tests.html import table_records

D = Decimal


def grant(world, fund, year, amount, paid=0):
    return granted_trip(world, fund, dt.date(year, 5, 3), amount, paid)


def settle_lower(world, application, year, final_below_paid):
    """What the settlement does when less was used than paid (grants.reports.settlement):
    the grant is lowered below what was paid; the difference is claimed back."""
    db.session.add(
        BudgetEntry(
            fund_id=application.fund_id,
            year=year,
            kind=EntryKind.RELEASE,
            amount=-D(final_below_paid),
            application_id=application.id,
            created_by_id=world.caseworker.id,
            note="Tilbagebetalingskrav ved afregning",
        )
    )
    db.session.flush()


def figures(fund, year):
    b = balance(fund.id, year)
    return {
        "budget": b.budget,
        "carried_in": b.carried_in,
        "carried_out": b.carried_out,
        "lapsed": b.lapsed,
        "granted": b.granted,
        "committed": b.committed,
        "spent": b.spent,
        "awaiting_refund": b.awaiting_refund,
        "available": b.available,
    }


@pytest.fixture
def committee(world, move_clock):
    move_clock(dt.date(2026, 3, 1))
    fund = economy_committee(years=(2026, 2027, 2028, 2029))
    db.session.commit()
    return fund


def test_between_a_settlement_and_its_refund_nothing_is_negative(world, committee, move_clock):
    trip = grant(world, committee, 2026, 10000, paid=10000)
    other = grant(world, committee, 2026, 5000, paid=1000)
    settle_lower(world, trip, 2026, 2000)  # used 8,000 of 10,000 paid
    state = figures(committee, 2026)
    assert state == {
        "budget": D(65000),
        "carried_in": D(0),
        "carried_out": D(0),
        "lapsed": D(0),
        "granted": D(13000),
        "committed": D(4000),  # the other grant's unpaid 4,000; never -2,000
        "spent": D(11000),
        "awaiting_refund": D(2000),
        # The 2,000 kr. are not back yet: not available until they are.
        "available": D(50000),
    }
    from grants.budgets.movements import record_refund

    move_clock(dt.date(2026, 6, 1))
    record_refund(trip, D(2000), world.finance, dt.date(2026, 6, 1), "R-1")
    after = figures(committee, 2026)
    assert (after["committed"], after["awaiting_refund"], after["spent"], after["available"]) == (
        D(4000),
        D(0),
        D(9000),
        D(52000),
    )
    assert other.id  # the other grant is untouched


def test_the_dashboard_shows_what_awaits_a_refund_not_a_negative_commitment(
    world, committee, client, auth
):
    trip = grant(world, committee, 2026, 10000, paid=10000)
    settle_lower(world, trip, 2026, 2000)
    db.session.commit()
    auth.login(world.finance)
    budgets = table_records(client.get("/budgetter?year=2026"), ".budget-table")
    shown = {row["Pulje"]: row["Disponeret"] for row in budgets}[committee.name]
    assert "-2.000,00" not in shown and "−2.000,00" not in shown
    assert shown == "0,00 kr. Afventer tilbagebetaling: 2.000,00 kr."
    page = client.get("/budgetter/okonomiudvalget/2026?figure=awaiting_refund")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r"I alt: Afventer tilbagebetaling.*?2\.000,00 kr\.", text, re.S)


def test_a_closed_year_shows_its_budget_what_was_carried_out_and_nothing_available(
    world, committee, move_clock, client, auth
):
    grant(world, committee, 2026, 20000, paid=15000)
    move_clock(dt.date(2027, 1, 10))
    close_year(2026, world.finance)
    db.session.commit()
    closed = figures(committee, 2026)
    assert closed == {
        "budget": D(65000),  # not 0: the year's money
        "carried_in": D(0),
        "carried_out": D(45000),  # not -65,000 netted into "carried"
        "lapsed": D(0),
        "granted": D(20000),
        "committed": D(5000),  # stays in its year until paid
        "spent": D(15000),
        "awaiting_refund": D(0),
        "available": D(0),
    }
    nxt = figures(committee, 2027)
    assert (nxt["budget"], nxt["carried_in"], nxt["available"]) == (D(110000), D(45000), D(110000))
    # The study travel fund's money lapsed: shown as lapsed, not as available.
    study = figures(world.fund, 2026)
    assert (study["lapsed"], study["available"], study["budget"]) == (D(100000), D(0), D(100000))

    auth.login(world.finance)
    html = client.get("/budgetter?year=2026").get_data(as_text=True)
    row = re.search(r"Økonomiudvalget</a>.*?</tr>", html, re.S).group(0)
    cells = re.findall(r">([-−]?[\d.]+,\d\d kr\.)<", row)
    # budget, carried in, carried out, lapsed, committed, spent, available, waiting
    assert cells[:7] == [
        "65.000,00 kr.",
        "0,00 kr.",
        "45.000,00 kr.",
        "0,00 kr.",
        "5.000,00 kr.",
        "15.000,00 kr.",
        "0,00 kr.",
    ]


def test_the_month_chart_never_shows_a_negative_commitment(world, committee):
    from grants.budgets.balances import month_by_month

    trip = grant(world, committee, 2026, 10000, paid=10000)
    settle_lower(world, trip, 2026, 2000)
    months = month_by_month([committee.id], 2026)
    assert all(month.committed >= 0 for month in months)


def test_an_allocation_correction_is_part_of_the_budget(world, committee):
    allocate(committee, 2026, D(-5000), note="Rettelse")
    assert figures(committee, 2026)["budget"] == D(60000)
    assert clock.today() == dt.date(2026, 3, 1)


# -- any sequence ---------------------------------------------------------------------------


ACTIONS = ("grant", "pay", "claim", "refund", "release", "close")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.integers(0, 2), st.integers(1, 100)),
        min_size=1,
        max_size=14,
    )
)
def test_every_figure_keeps_its_meaning_after_any_sequence(world, move_clock, steps):
    """Grants, payments, a settlement below what was paid (a refund claim), refunds,
    releases and the year's closing in any order: committed and awaiting refund are the
    per-grant figures, nothing is negative, a closed year has nothing available, what it
    carried out arrived next year, and the entries behind each figure add up to it."""
    from grants.budgets.movements import record_refund, release
    from grants.budgets.views import FIGURES, _effect
    from grants.core.errors import DomainError

    move_clock(dt.date(2027, 2, 1))
    fund = make_fund(carry_over=CarryOver.ELECTION_PERIOD, budget=50000, years=(2026, 2027))
    applications = [
        make_application(
            world.employee,
            fund,
            amount=20000,
            state="granted",
            departure_date=dt.date(2026, 11, 1),
            return_date=dt.date(2026, 11, 3),
        )
        for _ in range(3)
    ]
    model = [{"granted": None, "spent": D(0)} for _ in applications]
    closed = False
    today = clock.today()
    for action, which, share in steps:
        application, own = applications[which], model[which]
        base = own["spent"] if action in ("claim", "refund") else own["granted"] or D(20000)
        amount = max((base * share / 100).quantize(D(1)), D(1))
        try:
            with db.session.begin_nested():
                if action == "grant":
                    if own["granted"] is not None:
                        raise DomainError("decided")
                    reserve(application, amount, world.caseworker)
                    own["granted"] = amount
                elif own["granted"] is None and action != "close":
                    raise DomainError("not granted")
                elif action == "pay":
                    record_payment(application, amount, world.finance, today, "B")
                    own["spent"] += amount
                elif action == "claim":  # the settlement lowers the grant below what was paid
                    if amount > own["spent"] or own["granted"] != own["spent"]:
                        raise DomainError("no claim")
                    settle_lower(world, application, 2026, amount)
                    own["granted"] -= amount
                elif action == "refund":
                    record_refund(application, amount, world.finance, today, "R")
                    own["spent"] -= amount
                elif action == "release":
                    release(application, amount, world.caseworker, "Frigivet")
                    own["granted"] -= amount
                else:
                    if closed:
                        raise DomainError("closed")
                    close_year(2026, world.finance, waiting="close")
                    closed = True
        except DomainError:
            pass
        figures = balance(fund.id, 2026)
        expected_committed = sum(
            (max((m["granted"] or D(0)) - m["spent"], D(0)) for m in model), D(0)
        )
        expected_awaiting = sum(
            (max(m["spent"] - (m["granted"] or D(0)), D(0)) for m in model), D(0)
        )
        assert (figures.committed, figures.awaiting_refund) == (
            expected_committed,
            expected_awaiting,
        )
        assert figures.available >= 0 and figures.spent >= 0 and figures.lapsed == 0
        assert figures.available == (
            figures.budget - figures.moved_on - figures.committed - figures.spent
        )
        if closed:
            assert figures.available == 0
        assert figures.carried_out == balance(fund.id, 2027).carried_in
        entries = db.session.scalars(
            select(BudgetEntry).where(BudgetEntry.fund_id == fund.id, BudgetEntry.year == 2026)
        ).all()
        over = {
            a.id
            for a, m in zip(applications, model, strict=True)
            if m["spent"] > (m["granted"] or 0)
        }
        for name in FIGURES:
            total = sum(
                (e.amount * s for e in entries if (s := _effect(name, e, over)) is not None),
                D(0),
            )
            assert total == getattr(figures, name), name
    db.session.rollback()


def test_the_grants_export_has_the_same_per_grant_figures(world, committee, client, auth):
    import csv
    import io

    trip = grant(world, committee, 2026, 10000, paid=10000)
    grant(world, committee, 2026, 5000, paid=1000)
    settle_lower(world, trip, 2026, 2000)
    db.session.commit()
    auth.login(world.finance)
    body = client.get("/budgetter/eksport/grants.csv?fund=okonomiudvalget&year=2026").get_data()
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    figures = balance(committee.id, 2026)
    assert sorted((r["committed"], r["awaiting_refund"]) for r in rows) == [
        ("0.00", "2000.00"),
        ("4000.00", "0.00"),
    ]
    assert sum(D(r["committed"]) for r in rows) == figures.committed
    assert sum(D(r["awaiting_refund"]) for r in rows) == figures.awaiting_refund
