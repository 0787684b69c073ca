"""The exact edges of a decision (issue 15, points 20-23), each tested on both sides of its
line, so that moving the line (`>` to `>=`, `<=` to `<`, departure for return) fails a
test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from grants.applications import operations
from grants.budgets.balances import balance
from grants.budgets.opening import allocate
from grants.core import clock
from grants.core.errors import DomainError
from grants.extensions import db
from grants.workflow import engine
from tests.confirming import decide
from tests.factories import make_application, make_fund
from tests.reports.helpers import file_report, granted_case, pay

# -- 20: a grant of exactly what is still available -------------------------------------------


def fund_with(available: str, **overrides):
    fund = make_fund(budget=None, delegated_limit=50000, **overrides)
    departure = clock.today() + dt.timedelta(days=60)
    allocate(fund, departure.year, Decimal(available))
    return fund, departure


def test_a_grant_of_exactly_what_is_available_is_granted(world):
    fund, departure = fund_with("8000.00")
    application = make_application(world.employee, fund, amount="8000.00", state="awaiting_decision",
                                   departure_date=departure,
                                   return_date=departure + dt.timedelta(days=3))  # fmt: skip
    operations.decide(application, world.caseworker, "grant", None, "")
    assert application.state == "granted"
    assert balance(fund.id, departure.year).available == Decimal("0.00")


def test_a_grant_of_one_ore_more_than_is_available_is_refused(world):
    fund, departure = fund_with("7999.99")
    application = make_application(world.employee, fund, amount="8000.00", state="awaiting_decision",
                                   departure_date=departure,
                                   return_date=departure + dt.timedelta(days=3))  # fmt: skip
    with pytest.raises(DomainError, match="Der er kun 7.999,99 kr. til rådighed"):
        operations.check_decision(application, world.caseworker, "grant", None, "")
    with pytest.raises(DomainError, match="Der er kun 7.999,99 kr. til rådighed"):
        operations.decide(application, world.caseworker, "grant", None, "")


# -- 21: an amount exactly at the delegated limit is the caseworker's -----------------------


@pytest.mark.parametrize(
    "applied, decider",
    [("15000.00", "caseworker"), ("15000.01", "board_member")],
)
def test_exactly_at_the_delegated_limit_the_caseworker_decides(world, applied, decider):
    assert world.fund.delegated_limit == Decimal("15000.00")
    application = make_application(
        world.employee, world.fund, amount=applied, state="awaiting_decision",
        budget={"transport": 20000},
    )  # fmt: skip
    deciders = {
        role: {t.role.value for t in engine.available_transitions(application, person)}
        for role, person in (
            ("caseworker", world.caseworker),
            ("board_member", world.board_member),
        )
    }
    assert deciders[decider] == {decider}
    other = "board_member" if decider == "caseworker" else "caseworker"
    assert deciders[other] == set()
    # The guard and decide()'s own cap agree: the whole amount, exactly at the limit.
    person = world.caseworker if decider == "caseworker" else world.board_member
    operations.decide(application, person, "grant", None, "")
    assert application.granted_amount == Decimal(applied)
    assert application.decided_by == person


def test_the_caseworkers_cap_refuses_one_ore_over_the_limit(world):
    application = make_application(world.employee, world.fund, amount="15000.00",
                                   state="awaiting_decision")  # fmt: skip
    world.fund.delegated_limit = Decimal("14999.99")
    with pytest.raises(DomainError):
        operations.check_decision(application, world.caseworker, "grant", None, "")
    world.fund.delegated_limit = Decimal("15000.00")
    decision = operations.check_decision(application, world.caseworker, "grant", None, "")
    assert decision.granted == Decimal("15000.00")


# -- 22: a "partial" grant of the whole amount is no partial grant -----------------------------


def test_a_partial_grant_of_the_whole_amount_is_refused_next_to_the_field(world, client, auth):
    application = make_application(world.employee, world.fund, amount="7000.00",
                                   state="awaiting_decision")  # fmt: skip
    db.session.commit()
    auth.login(world.caseworker)
    response = decide(client, application.id, action="grant_part", amount="7000",
                      reasons="Delvist.")  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split('id="amount-error"', 1)[1].split("</span>", 2)
    assert "under det ansøgte (7.000,00 kr.)" in "".join(error[:2])
    db.session.expire_all()
    assert application.state == "awaiting_decision"
    # One øre less is a partial grant.
    response = decide(client, application.id, action="grant_part", amount="6999,99",
                      reasons="Delvist.")  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert application.state == "partly_granted"
    assert application.granted_amount == Decimal("6999.99")


# -- 23: the report after the return, the refund after the fund's own days ------------------


def test_the_report_is_due_the_funds_days_after_the_return_date(world):
    departure = clock.today() + dt.timedelta(days=60)
    back = departure + dt.timedelta(days=9)
    world.fund.report_due_days = 31
    application = make_application(world.employee, world.fund, state="awaiting_decision",
                                   departure_date=departure, return_date=back)  # fmt: skip
    operations.decide(application, world.caseworker, "grant", None, "")
    assert application.report_due == back + dt.timedelta(days=31)
    assert application.report_due != departure + dt.timedelta(days=31)


def test_a_refund_is_due_the_funds_own_refund_days_after_settlement(world, move_clock):
    world.fund.refund_days = 45  # not the default 30
    application = granted_case(world, 8000)
    pay(application, 8000, world.finance)
    move_clock(application.return_date)  # a report is sent once the trip is over
    file_report(application, world.employee, {"transport": "2500", "accommodation": "3000"})
    from grants.reports.settlement import settle

    settle(application, world.caseworker)
    assert application.report.refund_due == clock.today() + dt.timedelta(days=45)
    assert application.report.refund_amount == Decimal("2500.00")
