"""Closing a year with applications for it not yet decided (issue 17 point 4): the plan
lists them and the finance officer decides - move them to next year's budget, or close
anyway. Without a choice nothing is closed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from grants.budgets.balances import balance
from grants.budgets.closing import close_year
from grants.budgets.maintenance import rebuild_totals
from grants.budgets.models import BudgetWaiting
from grants.budgets.movements import YearClosed, reserve
from grants.budgets.waiting import waiting
from grants.core.errors import DomainError
from grants.extensions import db
from tests.dbstate import table_fingerprint
from tests.factories import make_application
from tests.html import buttons, flashes, has_error, headings, options, table_rows

D = Decimal
SKIP = {"login_attempt", "user_session", "audit_event"}


@pytest.fixture
def undecided(world, move_clock):
    move_clock(dt.date(2026, 10, 1))
    application = make_application(
        world.employee,
        world.fund,
        amount=6000,
        state="awaiting_decision",
        title="Konference i Lyon",
        departure_date=dt.date(2026, 12, 20),
        return_date=dt.date(2026, 12, 23),
    )
    db.session.commit()
    move_clock(dt.date(2027, 1, 20))
    return application


def waiting_rows() -> list[tuple]:
    return sorted(
        db.session.execute(
            select(BudgetWaiting.fund_id, BudgetWaiting.year, BudgetWaiting.applications).where(
                BudgetWaiting.applications != 0
            )
        ).all()
    )


def test_the_plan_lists_the_waiting_applications(world, undecided, client, auth):
    auth.login(world.finance)
    page = client.get("/budgetter/luk-aar?year=2026")
    assert "Ansøgninger til 2026, der venter på afgørelse" in headings(page)
    [header, row, _total] = table_rows(page, "table[aria-labelledby=waiting-heading]")
    assert (row[header.index("Titel")], row[header.index("Ansøgt")]) == (
        "Konference i Lyon",
        "6.000,00 kr.",
    )
    choices = options(page, "waiting").values()
    assert any("Flyt dem til næste års budget" in c for c in choices)
    assert any("Luk året alligevel" in c for c in choices)


def test_without_a_choice_nothing_is_closed(world, undecided, client, auth):
    auth.login(world.finance)
    client.get("/budgetter/luk-aar?year=2026")
    before = table_fingerprint(skip=SKIP)
    for data in ({"year": "2026"}, {"year": "2026", "waiting": "somewhere"}):
        response = client.post("/budgetter/luk-aar", data=data)
        assert response.status_code == 422
        db.session.expire_all()
        assert table_fingerprint(skip=SKIP) == before
    assert has_error(response, "1 ansøgning til 2026 venter på afgørelse") or has_error(
        response, "Vælg en af mulighederne"
    )
    with pytest.raises(DomainError):
        close_year(2026, world.finance)


def test_moved_applications_are_decided_on_next_years_budget(world, undecided, client, auth):
    auth.login(world.finance)
    response = client.post("/budgetter/luk-aar", data={"year": "2026", "waiting": "move"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "1 ansøgning er flyttet til næste års budget." in flashes(page)
    db.session.expire_all()
    assert undecided.budget_year == 2027
    [note] = [e for e in undecided.journal if e.action == "budget_year_moved"]
    assert (note.details["year"], note.details["to"]) == (2026, 2027)
    assert waiting([world.fund.id], 2026)[world.fund.id].count == 0
    assert waiting([world.fund.id], 2027)[world.fund.id].amount == D(6000)
    # The running totals agree with the applications.
    rows = waiting_rows()
    rebuild_totals()
    assert waiting_rows() == rows
    reserve(undecided, D(6000), world.caseworker)
    assert balance(world.fund.id, 2027).granted == D(6000)
    assert balance(world.fund.id, 2026).lapsed == D(100000)


def test_closing_anyway_leaves_them_where_only_a_refusal_fits(world, undecided, runner):
    result = runner.invoke(args=["budgets", "close-year", "2026", "--waiting", "close"])
    assert result.exit_code == 0, result.output
    assert "Waiting for a decision: 1 application(s)." in result.output
    db.session.expire_all()
    assert undecided.budget_year == 2026
    with pytest.raises(YearClosed):
        reserve(undecided, D(6000), world.caseworker)


def test_the_command_without_a_choice_refuses(world, undecided, runner):
    result = runner.invoke(args=["budgets", "close-year", "2026"])
    assert result.exit_code != 0
    assert "venter på afgørelse" in result.output


def test_after_closing_anyway_they_can_still_be_moved(world, undecided, client, auth):
    close_year(2026, world.finance, waiting="close")
    db.session.commit()
    auth.login(world.finance)
    page = client.get("/budgetter/luk-aar?year=2026")
    assert "Flyt ansøgningerne til næste års budget" in buttons(page)
    response = client.post("/budgetter/luk-aar", data={"year": "2026", "waiting": "move"})
    assert response.status_code == 302
    db.session.expire_all()
    assert undecided.budget_year == 2027


def test_a_move_skips_a_next_year_closed_already(world, undecided, move_clock):
    move_clock(dt.date(2028, 1, 20))
    close_year(2027, world.finance)
    plan = close_year(2026, world.finance, waiting="move")
    assert plan.moved == {undecided.id: 2028}
    assert undecided.budget_year == 2028


@pytest.mark.parametrize("who", ["employee", "caseworker", "board_member"])
def test_who_may_not_close_cannot_move_either(world, undecided, client, auth, who):
    auth.login(getattr(world, who))
    before = table_fingerprint(skip=SKIP)
    response = client.post("/budgetter/luk-aar", data={"year": "2026", "waiting": "move"})
    assert response.status_code == 403
    db.session.expire_all()
    assert table_fingerprint(skip=SKIP) == before


def test_a_moved_application_whose_trip_moves_later_is_paid_by_the_year_of_travel(world, undecided):
    """Moved from closed 2026 to 2027, the trip is then put off to February 2028 (the
    applicant's answer to a request for information): the grant belongs to 2028's budget,
    not 2027's, and it waits in 2028's queue."""
    close_year(2026, world.finance, waiting="move")
    assert undecided.budget_year == 2027
    undecided.departure_date = dt.date(2028, 2, 10)
    undecided.return_date = dt.date(2028, 2, 12)
    db.session.flush()
    assert undecided.budget_year == 2028
    assert waiting([world.fund.id], 2027)[world.fund.id].count == 0
    assert waiting([world.fund.id], 2028)[world.fund.id].amount == D(6000)
    rows = waiting_rows()
    rebuild_totals()
    assert waiting_rows() == rows
    reserve(undecided, D(6000), world.caseworker)
    assert balance(world.fund.id, 2028).granted == D(6000)
    assert balance(world.fund.id, 2027).granted == D(0)


def test_a_moved_application_whose_trip_moves_within_the_closed_year_stays_moved(world, undecided):
    close_year(2026, world.finance, waiting="move")
    undecided.departure_date = dt.date(2026, 12, 28)
    undecided.return_date = dt.date(2026, 12, 30)
    db.session.flush()
    assert undecided.budget_year == 2027
    assert waiting([world.fund.id], 2027)[world.fund.id].count == 1


def test_a_moved_application_whose_trip_moves_later_and_back_stays_moved(world, undecided):
    """The move is kept whatever the dates do: put off to 2028 the case is paid by 2028,
    brought back into the closed year it is again decided on 2027's budget, as its journal
    says, never on the closed year's."""
    close_year(2026, world.finance, waiting="move")
    undecided.departure_date = dt.date(2028, 2, 10)
    undecided.return_date = dt.date(2028, 2, 12)
    db.session.flush()
    assert undecided.budget_year == 2028
    undecided.departure_date = dt.date(2026, 12, 28)
    undecided.return_date = dt.date(2026, 12, 30)
    db.session.flush()
    assert undecided.budget_year == 2027
    assert waiting([world.fund.id], 2026)[world.fund.id].count == 0
    assert waiting([world.fund.id], 2027)[world.fund.id].amount == D(6000)
    assert waiting([world.fund.id], 2028)[world.fund.id].count == 0
    rows = waiting_rows()
    rebuild_totals()
    assert waiting_rows() == rows
    reserve(undecided, D(6000), world.caseworker)
    assert balance(world.fund.id, 2027).granted == D(6000)


def test_the_closing_plan_lists_a_moved_case_under_its_budget_year(world, undecided, move_clock):
    """Moved to 2027, the trip put off to 2028: closing 2027 leaves it alone, closing 2028
    would list it; brought back to 2026, closing 2027 lists it again."""
    close_year(2026, world.finance, waiting="move")
    undecided.departure_date = dt.date(2028, 2, 10)
    undecided.return_date = dt.date(2028, 2, 12)
    db.session.flush()
    move_clock(dt.date(2029, 1, 20))  # both years over: the plans may be made
    assert close_year(2027, dry_run=True).waiting == []
    assert close_year(2028, dry_run=True).waiting == [undecided]
    undecided.departure_date = dt.date(2026, 12, 28)
    undecided.return_date = dt.date(2026, 12, 30)
    db.session.flush()
    assert close_year(2026, dry_run=True).waiting == []
    assert close_year(2027, dry_run=True).waiting == [undecided]
