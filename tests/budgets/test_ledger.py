"""The ledger: grants reserve exactly their amount, never more than is available; every
movement after the decision keeps each grant between nothing and what is granted; the
balances are always the sums of the entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from grants.applications import operations
from grants.budgets.balances import application_money, balance, balances, month_by_month
from grants.budgets.lock import BudgetBusy
from grants.budgets.maintenance import rebuild_totals
from grants.budgets.models import BudgetEntry, BudgetTotal, EntryKind, LedgerIsAppendOnly
from grants.budgets.movements import (
    InsufficientFunds,
    adjust,
    record_payment,
    record_refund,
    release,
    reserve,
)
from grants.core import clock
from grants.core.errors import DomainError
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


# -- movements after the decision: adjust, release, pay, refund -------------------------------


def granted(world, amount=8000, reserved=8000, fund=None):
    application = make_application(
        world.employee, fund or world.fund, amount=amount, state="awaiting_decision"
    )
    reserve(application, Decimal(reserved), world.caseworker)
    db.session.flush()
    return application


def test_an_adjustment_changes_the_grant_by_the_difference(world):
    application = granted(world)
    entry = adjust(application, Decimal("9500"), world.caseworker, "Dyrere fly")
    assert (entry.kind, entry.amount, entry.note) == (
        EntryKind.ADJUSTMENT,
        Decimal("1500.00"),
        "Dyrere fly",
    )
    adjust(application, Decimal("7000"), world.caseworker, "Kortere ophold")
    figures = balance(world.fund.id, application.budget_year)
    assert figures.granted == Decimal("7000.00")
    assert figures.available == Decimal("93000.00")
    assert adjust(application, Decimal("7000"), world.caseworker, "") is None


def test_an_increase_that_does_not_fit_is_refused_and_changes_nothing(world):
    fund = make_fund(budget=10_000)
    application = granted(world, fund=fund, reserved=8000)
    db.session.commit()
    before = count(BudgetEntry)
    with pytest.raises(InsufficientFunds) as refused:
        adjust(application, Decimal("12000"), world.caseworker, "Mere")
    assert "2.000,00 kr." in refused.value.message
    db.session.rollback()
    assert count(BudgetEntry) == before


def test_release_pay_and_refund_keep_each_grant_between_zero_and_what_is_granted(world):
    application = granted(world)
    year = application.budget_year
    today = clock.today()
    record_payment(application, Decimal("6000"), world.finance, today, "B-1001")
    with pytest.raises(DomainError, match="højst udbetales 2.000,00 kr."):
        record_payment(application, Decimal("2500"), world.finance, today, "B-1002")
    with pytest.raises(DomainError, match="højst frigives 2.000,00 kr."):
        release(application, Decimal("3000"), world.caseworker, "Mindreforbrug")
    release(application, Decimal("2000"), world.caseworker, "Mindreforbrug")
    with pytest.raises(DomainError, match="højst tilbagebetales 6.000,00 kr."):
        record_refund(application, Decimal("6500"), world.finance, today, "B-1003")
    record_refund(application, Decimal("1000"), world.finance, today, "B-1003")
    with pytest.raises(DomainError, match="under det, der allerede er udbetalt"):
        adjust(application, Decimal("4000"), world.caseworker, "")
    figures = balance(world.fund.id, year)
    assert (figures.granted, figures.spent, figures.committed, figures.available) == (
        Decimal("6000.00"),
        Decimal("5000.00"),
        Decimal("1000.00"),
        Decimal("94000.00"),
    )
    money = application_money(application)
    assert (money.year, money.granted, money.spent) == (
        year,
        Decimal("6000.00"),
        Decimal("5000.00"),
    )
    payments = db.session.scalars(
        select(BudgetEntry).where(BudgetEntry.kind.in_([EntryKind.PAYMENT, EntryKind.REFUND]))
    ).all()
    assert [(e.amount, e.voucher, e.booked_on) for e in payments] == [
        (Decimal("6000.00"), "B-1001", today),
        (Decimal("-1000.00"), "B-1003", today),
    ]


def test_movements_need_a_grant_a_positive_amount_and_a_day_that_has_come(world):
    application = awaiting_decision(world)
    with pytest.raises(DomainError, match="ingen bevilling"):
        release(application, Decimal("10"), world.caseworker, "")
    application = granted(world)
    for bad in (Decimal("0"), Decimal("-5"), None):
        with pytest.raises(DomainError):
            record_payment(application, bad, world.finance, clock.today(), "")
    with pytest.raises(DomainError, match="fremtiden"):
        record_payment(
            application, Decimal("10"), world.finance, clock.today() + dt.timedelta(days=1), ""
        )
    with pytest.raises(DomainError, match="negativt"):
        adjust(application, Decimal("-1"), world.caseworker, "")


def test_the_database_refuses_an_entry_with_the_wrong_sign(world):
    from sqlalchemy.exc import IntegrityError

    db.session.add(
        BudgetEntry(fund_id=world.fund.id, year=2026, kind=EntryKind.RELEASE, amount=Decimal("5"))
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_balances_as_of_a_date_or_a_moment(world):
    application = granted(world)
    year = application.budget_year
    last_month = clock.today() - dt.timedelta(days=30)
    record_payment(application, Decimal("3000"), world.finance, last_month, "B-1")
    db.session.flush()
    # Booked a month ago: in the balance as of a month ago; the reservation (today) is not.
    then = balance(world.fund.id, year, as_of=last_month)
    assert (then.granted, then.spent) == (Decimal("0.00"), Decimal("3000.00"))
    # As of a moment: what had been recorded by then, whatever its booking day.
    before_anything = balance(world.fund.id, year, as_of=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert before_anything == balance(world.fund.id, 1999)
    now = balance(world.fund.id, year, as_of=clock.now() + dt.timedelta(minutes=1))
    assert now == balance(world.fund.id, year)
    assert now.budget == Decimal("100000.00") and now.carried_over == Decimal("0.00")
    assert now.allocated == Decimal("100000.00")


def test_a_busy_fund_is_a_clear_refusal_not_a_server_error(world, app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    application = awaiting_decision(world)

    class Locked(Exception):
        sqlstate = "55P03"

    def locked(*args, **kwargs):
        raise OperationalError("UPDATE fund ...", {}, Locked("canceling statement: lock timeout"))

    monkeypatch.setattr(db.session, "execute", locked)
    with pytest.raises(BudgetBusy) as busy:
        reserve(application, Decimal("100"), world.caseworker)
    assert busy.value.message == "Budgettet er optaget af en anden afgørelse lige nu. Prøv igen."


# -- the property: whatever happens, the balances are the sums of the entries ----------------

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["grant", "adjust", "release", "pay", "refund"]),
        st.integers(min_value=0, max_value=1),
        # The amount as a share (in per cent) of what the step is about: the application's
        # 45,000 kr. for a grant, the grant for a change, release or payment, the payments
        # for a refund; up to 130 % so that some steps go too far and must be refused.
        st.integers(min_value=1, max_value=130),
    ),
    min_size=1,
    max_size=20,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
@example(
    steps=[
        ("grant", 0, 50),  # 22,500
        ("pay", 0, 60),
        ("refund", 0, 50),
        ("release", 0, 40),
        ("adjust", 0, 120),
        ("grant", 1, 130),  # 58,500 does not fit in what is left
        ("grant", 1, 100),
        ("refund", 1, 10),  # nothing paid yet
        ("pay", 1, 100),
        ("refund", 1, 100),
        ("release", 1, 100),
    ]
)
def test_balances_equal_the_sum_of_the_entries_after_any_sequence(world, steps):
    """Decisions, changes, withdrawals, payments and refunds in any order: each is taken
    exactly when the rules allow it, a refused one changes nothing, and every figure is
    the sum of the entries."""
    fund = make_fund(budget=100_000)
    applications = [
        make_application(world.employee, fund, amount=45_000, state="awaiting_decision")
        for _ in range(4)
    ]
    year = applications[0].budget_year
    model = [{"granted": None, "spent": Decimal(0)} for _ in applications]
    today = clock.today()
    for action, which, share in steps:
        application, own = applications[which], model[which]
        base = {"grant": Decimal(45_000), "refund": own["spent"]}.get(
            action, own["granted"] or Decimal(0)
        )
        amount = max((base * share / 100).quantize(Decimal("1")), Decimal(1))
        total_granted = sum((m["granted"] or 0 for m in model), Decimal(0))
        available = Decimal(100_000) - total_granted
        if action == "grant":
            expected = own["granted"] is None and amount <= available
        elif own["granted"] is None:
            expected = False
        elif action == "adjust":
            change = amount - own["granted"]
            expected = amount >= own["spent"] and change <= available
        elif action == "release":
            expected = amount <= own["granted"] - own["spent"]
        elif action == "pay":
            expected = own["spent"] + amount <= own["granted"]
        else:
            expected = amount <= own["spent"]
        entries_before = count(BudgetEntry)
        try:
            with db.session.begin_nested():
                if action == "grant":
                    if own["granted"] is not None:  # decide() never reserves twice
                        raise DomainError("already decided")
                    reserve(application, amount, world.caseworker)
                elif action == "adjust":
                    adjust(application, amount, world.caseworker, "Ændret")
                elif action == "release":
                    release(application, amount, world.caseworker, "Frigivet")
                elif action == "pay":
                    record_payment(application, amount, world.finance, today, "B")
                else:
                    record_refund(application, amount, world.finance, today, "B")
        except DomainError:
            taken = False
            assert count(BudgetEntry) == entries_before  # refused: nothing left behind
        else:
            taken = True
            if action in ("grant", "adjust"):
                own["granted"] = amount
            elif action == "release":
                own["granted"] -= amount
            elif action == "pay":
                own["spent"] += amount
            else:
                own["spent"] -= amount
        event(f"{action} {'taken' if taken else 'refused'}")
        assert taken == expected, (action, which, amount, model)

        figures = balance(fund.id, year)
        entries = db.session.scalars(
            select(BudgetEntry).where(BudgetEntry.fund_id == fund.id, BudgetEntry.year == year)
        )
        by_kind = {kind: Decimal(0) for kind in EntryKind}
        for entry in entries:
            by_kind[entry.kind] += entry.amount
        assert figures.budget == by_kind[EntryKind.ALLOCATION] == 100_000
        assert (
            figures.granted
            == sum(by_kind[k] for k in GRANTED)
            == sum((m["granted"] or 0 for m in model), Decimal(0))
        )
        assert (
            figures.spent
            == sum(by_kind[k] for k in SPENT)
            == sum((m["spent"] for m in model), Decimal(0))
        )
        assert figures.committed == figures.granted - figures.spent
        assert figures.available == figures.budget - figures.granted >= 0
        assert all(0 <= m["spent"] <= (m["granted"] or 0) for m in model)
        assert balances([fund.id], [year])[fund.id, year] == figures
    db.session.rollback()


GRANTED = (EntryKind.RESERVATION, EntryKind.ADJUSTMENT, EntryKind.RELEASE)
SPENT = (EntryKind.PAYMENT, EntryKind.REFUND)


def test_the_running_totals_are_the_entries_summed_by_month_and_kind(world):
    """The balances and the dashboard's months read running totals kept with each entry;
    they always equal the entries summed again from scratch."""
    application = granted(world)
    year = application.budget_year
    for days_ago, amount in ((70, "1000"), (40, "2500"), (0, "500")):
        day = clock.today() - dt.timedelta(days=days_ago)
        record_payment(application, Decimal(amount), world.finance, day, f"B-{days_ago}")
    record_refund(application, Decimal("700"), world.finance, clock.today(), "R-1")
    db.session.flush()

    def totals():
        rows = db.session.execute(
            select(
                BudgetTotal.fund_id,
                BudgetTotal.year,
                BudgetTotal.booked_year,
                BudgetTotal.booked_month,
                BudgetTotal.kind,
                BudgetTotal.amount,
                BudgetTotal.entries,
            )
        )
        return sorted(tuple(row) for row in rows)

    kept = totals()
    months = month_by_month([world.fund.id], year)
    assert sum(row[-1] for row in kept) == count(BudgetEntry)
    assert rebuild_totals() == len(kept)
    assert totals() == kept
    assert month_by_month([world.fund.id], year) == months
    # What the totals give is what the entries give.
    now = balance(world.fund.id, year)
    assert now == balance(world.fund.id, year, as_of=clock.now() + dt.timedelta(minutes=1))
    assert now.spent == Decimal("3300.00")


def test_on_sqlite_a_write_before_the_funds_lock_waits_as_long_as_the_lock(app):
    """A decision may write before it takes the fund's lock (its budget year opened on first
    use, before the letter is made); on SQLite that write waits for the one writer as long as
    the lock would, not pysqlite's own 5 s ("database is locked": ten deciders at once)."""
    from sqlalchemy import text

    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL writers wait for rows, not for the database")
    with db.engine.connect() as connection:
        waits = connection.execute(text("PRAGMA busy_timeout")).scalar()
    assert waits == int(float(app.config["BUDGET_LOCK_TIMEOUT"]) * 1000)
