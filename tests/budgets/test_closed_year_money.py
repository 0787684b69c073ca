"""Money of a grant whose budget year is closed (issue 17 point 5): a payment is allowed (the
money was committed in its year and stayed there at closing) and the app says so; a refund
is booked in its year and carries on by the closing's rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from grants.budgets.balances import balance
from grants.budgets.closing import close_year
from grants.budgets.models import BudgetEntry, EntryKind
from grants.extensions import db
from tests.html import field_value, flashes, notices
from tests.payments.test_payments import granted

D = Decimal
TRIP = {"departure_date": dt.date(2026, 11, 2), "return_date": dt.date(2026, 11, 5)}

CLOSED_YEAR_NOTICE = (
    "Budgetåret 2026 er lukket. Udbetalingen er tilladt: beløbet blev disponeret i 2026 og "
    "blev i året ved lukningen, så udbetalingen bogføres på 2026."
)


def entries(application, kind):
    return list(
        db.session.scalars(
            select(BudgetEntry).where(
                BudgetEntry.application_id == application.id, BudgetEntry.kind == kind
            )
        )
    )


def test_a_payment_into_a_closed_year_is_allowed_and_says_so(world, client, auth, move_clock):
    move_clock(dt.date(2026, 10, 1))
    application = granted(world, amount=8000, **TRIP)
    db.session.commit()
    move_clock(dt.date(2027, 1, 15))
    close_year(2026, world.finance)
    db.session.commit()
    before = balance(world.fund.id, 2026)
    assert (before.committed, before.lapsed, before.available) == (D(8000), D(92000), D(0))

    auth.login(world.finance)
    page = client.get(f"/udbetalinger/{application.id}/udbetal")
    assert notices(page, "info") == [CLOSED_YEAR_NOTICE]
    response = client.post(
        f"/udbetalinger/{application.id}/udbetal",
        data={"amount": "8000", "paid_on": "2027-01-15", "voucher": "B-77"},
    )
    assert response.status_code == 302
    after_page = client.get(response.headers["Location"])
    assert CLOSED_YEAR_NOTICE in flashes(after_page, "info")
    db.session.expire_all()
    [payment] = entries(application, EntryKind.PAYMENT)
    assert (payment.year, payment.amount, payment.booked_on) == (
        2026,
        D(8000),
        dt.date(2027, 1, 15),
    )
    assert "lukkede budgetår 2026" in payment.note
    after = balance(world.fund.id, 2026)
    # Committed becomes spent; nothing else moves.
    assert (after.committed, after.spent, after.lapsed, after.available) == (
        D(0),
        D(8000),
        D(92000),
        D(0),
    )


def test_a_payment_into_an_open_year_says_nothing_of_closing(world, client, auth, move_clock):
    move_clock(dt.date(2026, 10, 1))
    application = granted(world, amount=8000, **TRIP)
    db.session.commit()
    auth.login(world.finance)
    page = client.get(f"/udbetalinger/{application.id}/udbetal")
    assert field_value(page, "amount") is not None  # the form is there, the notice is not
    assert not any("er lukket" in notice for notice in notices(page) + flashes(page))
    client.post(
        f"/udbetalinger/{application.id}/udbetal",
        data={"amount": "8000", "paid_on": "2026-10-01", "voucher": "B-78"},
    )
    db.session.expire_all()
    assert entries(application, EntryKind.PAYMENT)[0].note == ""


def test_a_refund_into_a_closed_year_lapses_for_a_fund_without_carry_over(world, move_clock):
    from grants.budgets.movements import record_payment, record_refund, release

    move_clock(dt.date(2026, 10, 1))
    application = granted(world, amount=8000, **TRIP)
    record_payment(application, D(8000), world.finance, dt.date(2026, 10, 1), "B-1")
    db.session.commit()
    move_clock(dt.date(2027, 2, 1))
    close_year(2026, world.finance)
    record_refund(application, D(500), world.finance, dt.date(2027, 2, 1), "R-1")
    release(application, D(500), world.caseworker, "Mindreforbrug")
    db.session.commit()
    [refund] = entries(application, EntryKind.REFUND)
    assert "lukkede budgetår 2026" in refund.note
    figures = balance(world.fund.id, 2026)
    # The study travel fund does not carry over: the 500 kr. lapse, as an entry.
    assert (figures.lapsed, figures.available) == (D(92500), D(0))
    assert balance(world.fund.id, 2027).carried_in == D(0)


def test_a_settlement_after_closing_carries_the_money_it_frees_to_next_year(world, move_clock):
    """The issue's example: a settlement releases 2,000 kr. into a closed year; they reach
    the next year of the election period instead of staying "available" there."""
    from grants.funds.models import CarryOver
    from grants.reports.settlement import settle
    from tests.factories import make_fund
    from tests.reports.helpers import file_report, granted_case

    move_clock(dt.date(2026, 10, 1))
    committee = make_fund(
        code="udvalg", carry_over=CarryOver.ELECTION_PERIOD, years=(2026, 2027, 2028)
    )
    db.session.commit()
    application = granted_case(
        world,
        8000,
        fund=committee,
        departure_date=dt.date(2026, 12, 1),
        return_date=dt.date(2026, 12, 4),
    )
    move_clock(dt.date(2027, 1, 10))
    close_year(2026, world.finance)
    db.session.commit()
    assert balance(committee.id, 2027).carried_in == D(92000)

    file_report(application, world.employee, {"transport": "2500", "accommodation": "3500"})
    settlement = settle(application, world.caseworker)
    db.session.commit()
    assert settlement.released == D(2000)
    closed = balance(committee.id, 2026)
    assert (closed.available, closed.carried_out, closed.granted) == (D(0), D(94000), D(6000))
    assert balance(committee.id, 2027).carried_in == D(94000)
