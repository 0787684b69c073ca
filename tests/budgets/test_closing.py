"""Closing a year: committees carry unspent money over within the election period, and it
lapses at the period's end; the study travel fund does not carry over; closing twice
changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from grants.budgets.balances import balance
from grants.budgets.closing import close_year
from grants.budgets.elections import election_period
from grants.budgets.models import BudgetEntry, BudgetEvent, ClosingOutcome, EntryKind, YearClosing
from grants.budgets.movements import YearClosed, record_payment
from grants.budgets.opening import allocate
from grants.core import clock
from grants.core.errors import DomainError
from grants.extensions import db
from grants.funds import kinds
from grants.funds.models import CarryOver, Fund
from tests.budgets.conftest import reserved_trip
from tests.factories import make_fund
from tests.html import (
    badges,
    buttons,
    errors,
    field_value,
    flashes,
    summary_errors,
    table_rows,
    texts,
)

COMMITTEE_YEARS = (2026, 2027, 2028, 2029, 2030)


def count(model, **where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


@pytest.fixture
def in_2031(monkeypatch):
    """Early 2031: every year of the 2026-2029 period is over."""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2031, 1, 15))
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2031, 1, 15, 9, 0, tzinfo=dt.UTC))


@pytest.fixture
def committee(world):
    """Økonomiudvalget: 65,000 kr. a year, carried over within the election period."""
    fund = make_fund(
        code="okonomiudvalget",
        name="Økonomiudvalget",
        route="screening_decision",
        kind=kinds.COMMITTEE.code,
        budget=None,
        carry_over=CarryOver.ELECTION_PERIOD,
    )
    for year in COMMITTEE_YEARS:
        allocate(fund, year, Decimal(65_000), booked_on=dt.date(year - 1, 12, 1))
    study = world.fund
    for year in COMMITTEE_YEARS:
        if year not in (clock.today().year, clock.today().year + 1):
            allocate(study, year, Decimal(100_000), booked_on=dt.date(year - 1, 12, 1))
    db.session.commit()
    return fund


def trip(world, fund, year: int, amount: int):
    return reserved_trip(world, fund, dt.date(year, 5, 3), amount, "awaiting_decision")


@pytest.mark.parametrize(
    ("year", "period"),
    [
        (2022, (2022, 2025)),
        (2025, (2022, 2025)),
        (2026, (2026, 2029)),
        (2029, (2026, 2029)),
        (2030, (2030, 2033)),
        (2021, (2018, 2021)),
    ],
)
def test_the_election_periods_are_four_years_from_2022(app, year, period):
    found = election_period(year)
    assert (found.first, found.last) == period
    assert year in found and found.last + 1 not in found


def test_the_election_periods_are_the_municipalitys(app):
    from grants.core.models import Municipality

    db.session.add(
        Municipality(name="Prøve Kommune", election_first_year=2021, election_period_years=3)
    )
    db.session.commit()
    assert str(election_period(2026)) == "2024-2026"
    assert str(election_period(2020)) == "2018-2020"


def test_a_municipality_with_another_election_rhythm_carries_over_by_its_own_periods(
    world, committee, in_2031
):
    """Periods from 2027 (2027-2030): closing 2026 ends a period (the money lapses), where
    the Danish rhythm (2026-2029) would carry it on; closing 2029 carries it into 2030."""
    world.municipality.election_first_year = 2027
    db.session.commit()
    trip(world, committee, 2026, 20_000)
    db.session.commit()

    by_fund = {s.fund_code: s for s in close_year(2026, world.finance, waiting="close").steps}
    assert by_fund["okonomiudvalget"].outcome == ClosingOutcome.LAPSED
    db.session.commit()
    for year in (2027, 2028, 2029):
        by_fund = {s.fund_code: s for s in close_year(year, world.finance, waiting="close").steps}
        assert by_fund["okonomiudvalget"].outcome == ClosingOutcome.CARRIED, year
        assert by_fund["okonomiudvalget"].carried_to == year + 1
        db.session.commit()
    assert str(election_period(2030)) == "2027-2030"


def test_a_committee_carries_over_through_the_election_period_and_it_lapses_at_the_end(
    world, committee, in_2031
):
    paid = trip(world, committee, 2026, 20_000)
    record_payment(paid, Decimal(15_000), world.finance, dt.date(2026, 6, 1), "B-1")
    trip(world, committee, 2028, 30_000)
    db.session.commit()

    plan = close_year(2026, world.finance, waiting="close")
    by_fund = {step.fund_code: step for step in plan.steps}
    assert (by_fund["okonomiudvalget"].outcome, by_fund["okonomiudvalget"].amount) == (
        ClosingOutcome.CARRIED,
        Decimal("45000.00"),
    )
    assert by_fund["okonomiudvalget"].carried_to == 2027
    # The study travel fund does not carry over: its 100,000 kr. lapse.
    assert (by_fund["studierejsefonden"].outcome, by_fund["studierejsefonden"].amount) == (
        ClosingOutcome.LAPSED,
        Decimal("100000.00"),
    )
    db.session.commit()

    closed = balance(committee.id, 2026)
    # Committed but unpaid money (5,000 kr.) stays in its year; the rest moved on. The
    # year's budget is still its 65,000 kr.: what was carried out is a figure of its own.
    assert (
        closed.budget,
        closed.carried_in,
        closed.carried_out,
        closed.lapsed,
        closed.committed,
        closed.spent,
        closed.available,
    ) == (
        Decimal("65000.00"),
        Decimal("0.00"),
        Decimal("45000.00"),
        Decimal("0.00"),
        Decimal("5000.00"),
        Decimal("15000.00"),
        Decimal("0.00"),
    )
    entries = db.session.scalars(
        select(BudgetEntry)
        .where(BudgetEntry.fund_id == committee.id, BudgetEntry.kind.in_(CARRY_KINDS))
        .order_by(BudgetEntry.id)
    ).all()
    assert [(e.kind, e.year, e.amount, e.booked_on) for e in entries] == [
        (EntryKind.CARRY_OVER_OUT, 2026, Decimal("-45000.00"), dt.date(2026, 12, 31)),
        (EntryKind.CARRY_OVER_IN, 2027, Decimal("45000.00"), dt.date(2027, 1, 1)),
    ]
    assert balance(committee.id, 2027).budget == Decimal("110000.00")
    assert balance(world.fund.id, 2027).carried_over == Decimal("0.00")

    close_year(2027, world.finance)  # nothing spent: 110,000 carried
    close_year(2028, world.finance, waiting="close")  # 30,000 granted: 145,000 carried
    db.session.commit()
    last = balance(committee.id, 2029)
    assert (last.allocated, last.carried_in, last.budget) == (
        Decimal("65000.00"),
        Decimal("145000.00"),
        Decimal("210000.00"),
    )

    # 2029 is the period's last year: what is left lapses, nothing reaches 2030.
    plan = close_year(2029, world.finance)
    step = next(s for s in plan.steps if s.fund_code == "okonomiudvalget")
    assert (step.outcome, step.amount, step.carried_to) == (
        ClosingOutcome.LAPSED,
        Decimal("210000.00"),
        None,
    )
    db.session.commit()
    # Lapsing is an entry of its own: the year's budget stays, nothing is available, and
    # nothing reaches the next period.
    lapsed = balance(committee.id, 2029)
    assert (lapsed.budget, lapsed.lapsed, lapsed.carried_out, lapsed.available) == (
        Decimal("210000.00"),
        Decimal("210000.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    first = balance(committee.id, 2030)
    assert (first.budget, first.carried_in) == (Decimal("65000.00"), Decimal("0.00"))
    closings = db.session.scalars(
        select(YearClosing).where(YearClosing.fund_id == committee.id).order_by(YearClosing.year)
    ).all()
    assert [(c.year, c.outcome, c.amount, c.closed_by_id) for c in closings] == [
        (2026, ClosingOutcome.CARRIED, Decimal("45000.00"), world.finance.id),
        (2027, ClosingOutcome.CARRIED, Decimal("110000.00"), world.finance.id),
        (2028, ClosingOutcome.CARRIED, Decimal("145000.00"), world.finance.id),
        (2029, ClosingOutcome.LAPSED, Decimal("210000.00"), world.finance.id),
    ]


CARRY_KINDS = (EntryKind.CARRY_OVER_IN, EntryKind.CARRY_OVER_OUT)


def test_closing_a_year_twice_changes_nothing_the_second_time(world, committee, in_2031):
    close_year(2026, world.finance)
    db.session.commit()
    before = (count(BudgetEntry), count(YearClosing), count(BudgetEvent))
    versions = db.session.execute(select(Fund.id, Fund.ledger_version, Fund.updated_at)).all()
    again = close_year(2026, world.admin)
    db.session.commit()
    assert again.changes_nothing
    assert all(step.already_closed for step in again.steps)
    assert (count(BudgetEntry), count(YearClosing), count(BudgetEvent)) == before
    db.session.expire_all()
    assert db.session.execute(select(Fund.id, Fund.ledger_version, Fund.updated_at)).all() == (
        versions
    )
    assert balance(committee.id, 2027).carried_over == Decimal("65000.00")


def test_the_journal_records_who_closed_what(world, committee, in_2031):
    close_year(2026, world.finance)
    db.session.commit()
    event = db.session.scalars(select(BudgetEvent)).one()
    assert (event.action, event.year, event.actor_id) == ("year_closed", 2026, world.finance.id)
    assert event.details["election_period"] == "2026-2029"
    assert {"fund": "okonomiudvalget", "outcome": "carried", "amount": "65000.00"} in event.details[
        "funds"
    ]


def test_a_dry_run_shows_the_plan_and_changes_nothing(world, committee, in_2031):
    before = (count(BudgetEntry), count(YearClosing), count(BudgetEvent))
    preview = close_year(2026, world.finance, dry_run=True)
    assert (count(BudgetEntry), count(YearClosing), count(BudgetEvent)) == before
    done = close_year(2026, world.finance)
    assert [(s.fund_code, s.outcome, s.amount) for s in preview.steps] == [
        (s.fund_code, s.outcome, s.amount) for s in done.steps
    ]


def test_a_year_that_is_not_over_cannot_be_closed(world):
    for year in (clock.today().year, clock.today().year + 1, 1999):
        with pytest.raises(DomainError):
            close_year(year, world.finance)
    assert count(YearClosing) == 0


def test_nothing_more_can_be_granted_from_a_closed_year(world, committee, in_2031):
    close_year(2026, world.finance)
    db.session.commit()
    with pytest.raises(YearClosed, match="lukket"):
        trip(world, committee, 2026, 1_000)
    db.session.rollback()
    assert balance(committee.id, 2026).granted == Decimal("0.00")


def test_the_database_refuses_a_second_closing_of_the_same_fund_and_year(world, committee, in_2031):
    from sqlalchemy.exc import IntegrityError

    close_year(2026, world.finance)
    db.session.commit()
    db.session.add(YearClosing(fund_id=committee.id, year=2026, outcome=ClosingOutcome.NONE))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# -- the finance officer's page ------------------------------------------------------------


def ledger_state() -> tuple[int, int, int]:
    return count(BudgetEntry), count(YearClosing), count(BudgetEvent)


def test_the_page_shows_the_plan_first_and_closes_on_the_button(
    client, auth, world, committee, in_2031
):
    auth.login(world.finance)
    before = ledger_state()
    page = client.get("/budgetter/luk-aar?year=2026")
    assert page.status_code == 200
    assert "Det sker, når budgetåret 2026 lukkes" in texts(page, "caption")
    plan = {row[0]: row[2:] for row in table_rows(page)[1:]}
    assert plan[committee.name] == ["65.000,00 kr.", "Overføres til 2027"]
    assert plan[world.fund.name] == ["100.000,00 kr.", "Bortfalder"]
    assert "Luk budgetåret 2026" in buttons(page)
    assert ledger_state() == before

    response = client.post("/budgetter/luk-aar", data={"year": "2026"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/budgetter/luk-aar?year=2026")
    assert balance(committee.id, 2027).carried_over == Decimal("65000.00")
    closed = ledger_state()
    # Carried out and in for the committee, lapsed for the study travel fund.
    assert closed == (before[0] + 3, before[1] + 2, before[2] + 1)

    closed_page = client.get(response.headers["Location"])
    assert flashes(closed_page, "success") == ["Budgetåret 2026 er lukket."]
    assert "Allerede lukket" in badges(closed_page)
    assert "Luk budgetåret 2026" not in buttons(closed_page)

    again = client.post("/budgetter/luk-aar", data={"year": "2026"}, follow_redirects=True)
    assert "Budgetåret 2026 var allerede lukket. Intet er ændret." in flashes(again)
    assert ledger_state() == closed


@pytest.mark.parametrize("year", ["abc", "", str(2031), "2040", "1900"])
def test_a_year_that_cannot_be_closed_is_a_clear_message_and_nothing_changes(
    client, auth, world, committee, in_2031, year
):
    auth.login(world.finance)
    before = ledger_state()
    response = client.post("/budgetter/luk-aar", data={"year": year})
    assert response.status_code == 422
    shown = errors(response)
    assert summary_errors(response) or shown
    assert any(
        any(message in error for error in shown)
        for message in (
            "Skriv året som et helt tal.",
            "Vælg det år, der skal lukkes.",
            "er ikke slut endnu",
            "Skriv et år mellem 2000 og 2100.",
        )
    )
    assert ledger_state() == before
    assert client.get(f"/budgetter/luk-aar?year={year}").status_code in (200, 400)


@pytest.mark.parametrize("role", ["caseworker", "board_member", "employee"])
def test_only_finance_and_admins_may_close_a_year(client, auth, world, committee, in_2031, role):
    auth.login(getattr(world, role))
    before = ledger_state()
    assert client.get("/budgetter/luk-aar?year=2026").status_code == 403
    assert client.post("/budgetter/luk-aar", data={"year": "2026"}).status_code == 403
    assert ledger_state() == before


def test_an_admin_may_close_a_year(client, auth, world, committee, in_2031):
    auth.login(world.admin)
    assert client.post("/budgetter/luk-aar", data={"year": "2026"}).status_code == 302
    assert count(YearClosing) == 2


def test_closing_without_the_forms_token_is_refused(app, client, auth, world, committee, in_2031):
    auth.login(world.finance)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/budgetter/luk-aar?year=2026")
    assert field_value(page, "csrf_token")
    before = ledger_state()
    assert client.post("/budgetter/luk-aar", data={"year": "2026"}).status_code == 400
    assert ledger_state() == before


# -- the command ----------------------------------------------------------------------------


def test_the_command_shows_the_plan_closes_and_does_nothing_the_second_time(
    runner, world, committee, in_2031
):
    before = ledger_state()
    dry = runner.invoke(args=["budgets", "close-year", "2026", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "carry over to 2027" in dry.output and "65.000,00 kr." in dry.output
    assert "Dry run: nothing changed." in dry.output
    assert ledger_state() == before

    done = runner.invoke(args=["budgets", "close-year", "2026", "--by", "okonomi@ballerup.dk"])
    assert done.exit_code == 0, done.output
    assert "Closed 2 fund(s)." in done.output
    db.session.expire_all()
    assert count(YearClosing, closed_by_id=world.finance.id) == 2
    closed = ledger_state()

    again = runner.invoke(args=["budgets", "close-year", "2026"])
    assert again.exit_code == 0 and "Already closed: nothing changed." in again.output
    assert ledger_state() == closed


def test_the_command_refuses_a_year_not_over_and_a_person_who_may_not(runner, world, in_2031):
    refused = runner.invoke(args=["budgets", "close-year", "2031"])
    assert refused.exit_code != 0 and "ikke slut endnu" in refused.output
    stranger = runner.invoke(
        args=["budgets", "close-year", "2026", "--by", "medarbejder@ballerup.dk"]
    )
    assert stranger.exit_code != 0 and "not a finance officer" in stranger.output
    assert count(YearClosing) == 0


def test_the_ledgers_notes_are_danish_whatever_language_the_officer_reads(
    client, auth, world, committee, in_2031
):
    """The ledger is the municipality's accounts and is never rewritten: a finance officer
    reading English closed a year and left "Carried over from 2026 to 2027" and "Lapsed
    when 2026 was closed" in it for good."""
    auth.login(world.finance)
    client.post("/sprog", data={"locale": "en"})
    assert "Close the budget year 2026" in buttons(client.get("/budgetter/luk-aar?year=2026"))
    before = {e.id for e in db.session.scalars(select(BudgetEntry))}
    assert client.post("/budgetter/luk-aar", data={"year": "2026"}).status_code == 302
    notes = sorted(e.note for e in db.session.scalars(select(BudgetEntry)) if e.id not in before)
    assert notes == [
        "Bortfaldet ved lukning af 2026",
        "Overført fra 2026 til 2027",
        "Overført fra 2026 til 2027",
    ]
