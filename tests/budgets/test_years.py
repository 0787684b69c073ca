"""Every fund has its allocation for every year it runs: booked from its yearly budget when
the year opens (on first use, by `flask budgets open-year`, or ahead when the finance
officer plans next year), once, shown and changeable in the app, every change an entry."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from grants.budgets.balances import balance
from grants.budgets.models import BudgetEntry, EntryKind, YearOpening
from grants.budgets.movements import reserve
from grants.budgets.opening import open_years
from grants.extensions import db
from tests.dbstate import table_fingerprint
from tests.factories import make_application, make_fund
from tests.html import errors, flashes, headings, summary_errors, table_records

LATER = dt.date(2028, 3, 2)


def allocations(fund, year) -> list[Decimal]:
    return list(
        db.session.scalars(
            select(BudgetEntry.amount)
            .where(
                BudgetEntry.fund_id == fund.id,
                BudgetEntry.year == year,
                BudgetEntry.kind == EntryKind.ALLOCATION,
            )
            .order_by(BudgetEntry.id)
        )
    )


def openings(fund, year) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(YearOpening)
        .where(YearOpening.fund_id == fund.id, YearOpening.year == year)
    )


def test_a_later_year_has_its_allocation_on_the_dashboard(world, client, auth, move_clock):
    move_clock(LATER)
    auth.login(world.finance)
    budgets = table_records(client.get("/budgetter?year=2028"), ".budget-table")
    assert {row["Pulje"]: row["Budget"] for row in budgets}[world.fund.name] == "100.000,00 kr."
    db.session.expire_all()
    assert allocations(world.fund, 2028) == [Decimal("100000.00")]
    entry = db.session.scalar(
        select(BudgetEntry).where(BudgetEntry.fund_id == world.fund.id, BudgetEntry.year == 2028)
    )
    assert entry.booked_on == dt.date(2028, 1, 1)
    # Next year is opened ahead too (the finance officer may change it on the plan).
    assert balance(world.fund.id, 2029).budget == Decimal("100000.00")
    # Seen again, nothing more is booked.
    client.get("/budgetter?year=2028")
    db.session.expire_all()
    assert allocations(world.fund, 2028) == [Decimal("100000.00")]
    assert openings(world.fund, 2028) == 1


def test_a_decision_in_a_later_year_sees_the_allocation(world, move_clock):
    move_clock(LATER)
    application = make_application(
        world.employee,
        world.fund,
        amount=8000,
        state="awaiting_decision",
        departure_date=dt.date(2028, 5, 1),
        return_date=dt.date(2028, 5, 4),
    )
    reserve(application, Decimal(8000), world.caseworker)
    assert balance(world.fund.id, 2028).available == Decimal("92000.00")


def test_an_inactive_fund_and_a_year_before_the_fund_are_not_opened(world, move_clock):
    closed_fund = make_fund(budget=None, active=False)
    closed_fund.yearly_budget = Decimal(5000)
    db.session.commit()
    move_clock(LATER)
    open_years([closed_fund.id, world.fund.id], [2028, 2025])
    assert allocations(closed_fund, 2028) == []
    assert allocations(world.fund, 2025) == []
    assert openings(world.fund, 2025) == 0
    assert allocations(world.fund, 2028) == [Decimal("100000.00")]


def test_a_year_with_an_allocation_already_is_opened_without_a_second(world, move_clock):
    from grants.budgets.opening import allocate

    move_clock(LATER)
    allocate(world.fund, 2028, Decimal(80000))
    open_years([world.fund.id], [2028])
    assert allocations(world.fund, 2028) == [Decimal("80000.00")]
    assert openings(world.fund, 2028) == 1


def test_the_command_opens_the_year_for_every_active_fund_once(world, runner, move_clock):
    move_clock(LATER)
    other = make_fund(budget=None)
    other.yearly_budget = Decimal(30000)
    db.session.commit()
    result = runner.invoke(args=["budgets", "open-year"])
    assert result.exit_code == 0, result.output
    assert "Budget year 2028: opened for 2 fund(s)." in result.output
    again = runner.invoke(args=["budgets", "open-year", "2028"])
    assert "opened for 0 fund(s)" in again.output
    db.session.expire_all()
    assert allocations(other, 2028) == [Decimal("30000.00")]
    assert allocations(world.fund, 2028) == [Decimal("100000.00")]
    too_far = runner.invoke(args=["budgets", "open-year", "2031"])
    assert too_far.exit_code != 0 and "2029" in too_far.output


def test_two_requests_opening_the_same_year_at_once_book_one_allocation(app, world, move_clock):
    """One opens and holds its transaction; the other's insert waits for it (PostgreSQL:
    the unique index; SQLite: the write lock) and then does nothing."""
    move_clock(LATER)
    fund_id = world.fund.id
    db.session.commit()
    opened_first = threading.Event()
    results: dict[str, int] = {}

    def first():
        with app.app_context():
            results["first"] = open_years([fund_id], [2028])
            opened_first.set()
            time.sleep(0.5)
            db.session.commit()

    thread = threading.Thread(target=first)
    thread.start()
    assert opened_first.wait(10)
    with app.app_context():
        results["second"] = open_years([fund_id], [2028])
        db.session.commit()
    thread.join()
    assert sorted(results.values()) == [0, 1]
    db.session.expire_all()
    assert allocations(world.fund, 2028) == [Decimal("100000.00")]
    assert openings(world.fund, 2028) == 1


def test_a_new_yearly_budget_in_a_later_year_is_booked(world, client, auth, move_clock):
    from tests.administration.test_admin_pages import save_fund

    move_clock(LATER)
    auth.login(world.admin)
    response = save_fund(client, world.fund, yearly_budget="120000")
    assert response.status_code == 302
    db.session.expire_all()
    assert balance(world.fund.id, 2028).allocated == Decimal("120000.00")
    assert balance(world.fund.id, 2029).allocated == Decimal("120000.00")
    assert sum(allocations(world.fund, 2028)) == Decimal("120000.00")


# -- the finance officer's plan ------------------------------------------------------------


def test_the_plan_changes_next_years_allocation_by_an_entry(world, client, auth):
    from grants.core import clock

    year = clock.today().year + 1
    auth.login(world.finance)
    page = client.get(f"/budgetter/bevillinger?year={year}")
    assert page.status_code == 200
    assert any("Bevillinger" in heading for heading in headings(page))
    response = client.post(
        "/budgetter/bevillinger",
        data={
            "year": str(year),
            "fund": "studierejsefonden",
            "amount": "120000",
            "note": "Vedtaget",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert allocations(world.fund, year) == [Decimal("100000.00"), Decimal("20000.00")]
    assert balance(world.fund.id, year).budget == Decimal("120000.00")
    # The same amount again books nothing.
    client.post(
        "/budgetter/bevillinger",
        data={"year": str(year), "fund": "studierejsefonden", "amount": "120000"},
    )
    db.session.expire_all()
    assert len(allocations(world.fund, year)) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "abc"}, ""),
        ({"amount": "8.000"}, ""),
        ({"amount": "-5"}, "negativ"),
        ({"amount": ""}, "Skriv et beløb"),
        ({"fund": "no-such-fund"}, "Vælg en af puljerne"),
        # A form shown for another year (another tab, an old page) is refused, and says so.
        ({"year": "2099"}, "et andet budgetår"),
        ({"amount": "1000"}, "sættes ned"),  # below what is granted
    ],
)
def test_bad_input_on_the_plan_changes_nothing(world, client, auth, data, message):
    from grants.core import clock

    year = clock.today().year
    application = make_application(
        world.employee,
        world.fund,
        amount=8000,
        state="awaiting_decision",
        departure_date=dt.date(year, 12, 28),
        return_date=dt.date(year, 12, 30),
    )
    reserve(application, Decimal(8000), world.caseworker)
    db.session.commit()
    auth.login(world.finance)
    client.get("/budgetter/bevillinger")  # the years are open
    before = table_fingerprint(skip={"login_attempt", "user_session", "audit_event"})
    form = {"year": str(year), "fund": "studierejsefonden", "amount": "90000", **data}
    response = client.post(f"/budgetter/bevillinger?year={year}", data=form)
    assert response.status_code in (400, 422)
    if message:
        shown = errors(response) + summary_errors(response) + flashes(response)
        assert any(message in error for error in shown), shown
    db.session.expire_all()
    assert table_fingerprint(skip={"login_attempt", "user_session", "audit_event"}) == before


def test_a_closed_year_cannot_be_planned(world, move_clock):
    from grants.budgets.closing import close_year
    from grants.budgets.movements import set_allocation
    from grants.core.errors import DomainError

    move_clock(dt.date(2027, 2, 1))
    close_year(2026)
    with pytest.raises(DomainError):
        set_allocation(world.fund, 2026, Decimal(1), world.finance)


@pytest.mark.parametrize("who", ["employee", "caseworker", "board_member", "outsider"])
def test_who_may_not_plan_is_refused_and_nothing_changes(world, client, auth, who):
    from grants.core import clock

    auth.login(getattr(world, who))
    before = table_fingerprint(skip={"login_attempt", "user_session", "audit_event"})
    year = clock.today().year + 1
    assert client.get("/budgetter/bevillinger").status_code == 403
    response = client.post(
        "/budgetter/bevillinger",
        data={"year": str(year), "fund": "studierejsefonden", "amount": "1"},
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert table_fingerprint(skip={"login_attempt", "user_session", "audit_event"}) == before
