"""The ledger: grants reserve exactly their amount, never more than is available."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from grants.applications import operations
from grants.budgets.models import BudgetEntry, EntryKind, LedgerIsAppendOnly
from grants.budgets.operations import InsufficientFunds, balance, reserve
from grants.core import clock
from grants.extensions import db
from grants.letters.models import Letter
from grants.notifications.models import OutboxMessage
from grants.workflow.models import JournalEntry
from tests.factories import make_application, make_fund


def awaiting_decision(world, amount=8000, **overrides):
    application = make_application(
        world.employee, world.fund, amount=amount, state="awaiting_decision", **overrides
    )
    db.session.commit()
    return application


def count(model, **where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_balance_is_the_sum_of_the_entries(world):
    application = awaiting_decision(world)
    year = application.budget_year
    assert balance(world.fund.id, year).budget == Decimal("100000.00")
    reserve(application, Decimal("8000"), world.caseworker)
    figures = balance(world.fund.id, year)
    assert (
        figures.budget,
        figures.granted,
        figures.committed,
        figures.spent,
        figures.available,
    ) == (
        Decimal("100000.00"),
        Decimal("8000.00"),
        Decimal("8000.00"),
        Decimal("0.00"),
        Decimal("92000.00"),
    )


def test_a_grant_reserves_exactly_its_amount_on_the_year_of_travel(world):
    next_year = dt.date(clock.today().year + 1, 3, 2)
    application = awaiting_decision(
        world, amount=8000, departure_date=next_year, return_date=next_year + dt.timedelta(days=4)
    )
    operations.decide(application, world.caseworker, "grant", None, "")
    db.session.commit()
    entries = db.session.scalars(select(BudgetEntry).filter_by(application_id=application.id)).all()
    assert [(e.kind, e.year, e.amount) for e in entries] == [
        (EntryKind.RESERVATION, next_year.year, Decimal("8000.00"))
    ]
    assert balance(world.fund.id, next_year.year).available == Decimal("92000.00")
    assert balance(world.fund.id, clock.today().year).available == Decimal("100000.00")
    assert application.state == "granted"
    assert application.granted_amount == Decimal("8000.00")


def test_a_part_grant_reserves_the_part(world):
    application = awaiting_decision(world, amount=8000)
    operations.decide(
        application,
        world.caseworker,
        "grant_part",
        Decimal("5000"),
        "Transport dækkes ikke; fonden dækker ophold og gebyrer.",
    )
    db.session.commit()
    assert balance(world.fund.id, application.budget_year).granted == Decimal("5000.00")


def test_a_refusal_reserves_nothing(world):
    application = awaiting_decision(world)
    operations.decide(
        application, world.caseworker, "refuse", None, "Rejsen ligger uden for fondens formål."
    )
    db.session.commit()
    assert count(BudgetEntry, application_id=application.id) == 0
    assert application.state == "refused"


def test_a_grant_beyond_what_is_available_changes_nothing(world):
    fund = make_fund(budget=5000, board=[world.board_member])
    application = make_application(world.employee, fund, amount=8000, state="awaiting_decision")
    db.session.commit()
    before = {model: count(model) for model in (BudgetEntry, Letter, JournalEntry, OutboxMessage)}
    with pytest.raises(InsufficientFunds) as refused:
        operations.decide(application, world.caseworker, "grant", None, "")
    db.session.rollback()
    assert "5.000,00 kr." in refused.value.message
    assert {model: count(model) for model in before} == before
    db.session.refresh(application)
    assert application.state == "awaiting_decision"
    assert application.outcome is None and application.granted_amount is None


def test_the_ledger_is_append_only(world):
    entry = db.session.scalars(select(BudgetEntry)).first()
    entry.amount = Decimal("1")
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalars(select(BudgetEntry)).first())
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(amounts=st.lists(st.integers(min_value=1, max_value=60_000), min_size=1, max_size=8))
def test_grants_never_exceed_the_budget(world, amounts):
    fund = make_fund(budget=100_000)
    accepted = Decimal(0)
    for amount in amounts:
        application = make_application(
            world.employee, fund, amount=amount, state="awaiting_decision"
        )
        year = application.budget_year
        try:
            with db.session.begin_nested():
                reserve(application, Decimal(amount), world.caseworker)
            accepted += amount
        except InsufficientFunds:
            pass
        figures = balance(fund.id, year)
        assert figures.granted == accepted <= 100_000
        assert figures.available == 100_000 - accepted >= 0
    db.session.rollback()
