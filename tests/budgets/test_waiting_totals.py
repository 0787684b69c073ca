"""The running totals of the applications waiting for a decision (BudgetWaiting) always
equal the applications counted again from scratch, whatever happens to them."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from grants.budgets.maintenance import rebuild_totals
from grants.budgets.models import BudgetWaiting
from grants.budgets.waiting import waiting
from grants.cases.models import Application, Outcome
from grants.extensions import db
from grants.workflow import engine
from tests.factories import make_application, make_fund, this_year

FUND_NUMBERS = itertools.count(1)
STATES = ["draft", "screening", "awaiting_decision", "granted", "refused", "withdrawn"]


def totals() -> list[tuple]:
    rows = db.session.execute(
        select(
            BudgetWaiting.fund_id,
            BudgetWaiting.year,
            BudgetWaiting.applications,
            BudgetWaiting.amount,
        )
    )
    # A (fund, year) that once had waiting applications keeps its row at zero.
    return sorted(tuple(row) for row in rows if row.applications or row.amount)


operation = st.one_of(
    st.tuples(
        st.just("new"),
        st.sampled_from(STATES),
        st.integers(0, 1),
        st.integers(-1, 1),
        st.integers(1, 90_000),
    ),
    st.tuples(st.just("state"), st.integers(0, 20), st.sampled_from(STATES)),
    st.tuples(st.just("amount"), st.integers(0, 20), st.integers(0, 90_000)),
    st.tuples(st.just("year"), st.integers(0, 20), st.integers(-1, 1)),
    st.tuples(st.just("fund"), st.integers(0, 20), st.integers(0, 1)),
    st.tuples(st.just("decide"), st.integers(0, 20)),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("commit")),
    st.tuples(st.just("rollback")),
)


# No deadline: an example is a database round trip per step and a rebuild of every running
# figure (the processing times too), whose wall time on a busy machine is not what is tested.
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=st.lists(operation, max_size=25))
def test_the_totals_equal_the_applications_counted_again(world, operations):
    # The world lives through all the examples: each makes its second fund under a new code.
    db.session.rollback()
    funds = [world.fund, make_fund(code=f"anden-{next(FUND_NUMBERS)}")]
    db.session.commit()
    made: list[Application] = []
    for step in operations:
        kind, *args = step
        alive = [a for a in made if a in db.session and a.id is not None]
        if kind == "new":
            state, fund, years, amount = args
            made.append(
                make_application(
                    world.employee,
                    funds[fund],
                    state=state,
                    amount=amount,
                    departure_date=dt.date(this_year() + years, 6, 1),
                    return_date=dt.date(this_year() + years, 6, 5),
                )
            )
        elif kind == "commit":
            db.session.commit()
        elif kind == "rollback":
            db.session.rollback()
            made = [a for a in made if a in db.session]
        elif not alive:
            continue
        elif kind == "state":
            alive[args[0] % len(alive)].state = args[1]
        elif kind == "amount":
            alive[args[0] % len(alive)].amount_applied = Decimal(args[1])
        elif kind == "year":
            application = alive[args[0] % len(alive)]
            application.departure_date = dt.date(this_year() + args[1], 3, 1)
        elif kind == "fund":
            alive[args[0] % len(alive)].fund = funds[args[1]]
        elif kind == "decide":
            alive[args[0] % len(alive)].outcome = Outcome.REFUSED
        elif kind == "delete":
            application = alive[args[0] % len(alive)]
            db.session.delete(application)
            made.remove(application)
        db.session.flush()
    kept = totals()
    rebuild_totals()
    assert totals() == kept
    db.session.rollback()


def test_a_decision_takes_the_case_out_of_the_waiting_totals(world):
    application = make_application(
        world.employee,
        world.fund,
        amount=12_000,
        state="awaiting_decision",
        departure_date=dt.date(this_year(), 9, 1),
        return_date=dt.date(this_year(), 9, 4),
    )
    make_application(
        world.employee,
        world.fund,
        amount=3_000,
        state="screening",
        departure_date=dt.date(this_year(), 10, 1),
        return_date=dt.date(this_year(), 10, 4),
    )
    db.session.commit()
    before = waiting([world.fund.id], this_year())[world.fund.id]
    assert (before.count, before.amount) == (2, Decimal("15000.00"))

    engine.take(application, "refuse", world.caseworker, comment="Ikke inden for formålet")
    application.outcome = Outcome.REFUSED
    db.session.commit()
    after = waiting([world.fund.id], this_year())[world.fund.id]
    assert (after.count, after.amount) == (1, Decimal("3000.00"))
