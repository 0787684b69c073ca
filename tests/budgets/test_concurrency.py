"""No overspending, ever: ten deciders in ten processes approve at the same moment against an
allocation that fits only some of them. Exactly those that fit go through; the
others are refused with a clear message and leave nothing behind. Runs on the database the
tests run on: SQLite by default (a file, shared by the processes), PostgreSQL with
TEST_DATABASE_URL."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from decimal import Decimal

from sqlalchemy import func, select

from grants.budgets.balances import balance
from grants.budgets.models import BudgetEntry, EntryKind
from grants.budgets.opening import allocate
from grants.cases.models import Application
from grants.extensions import db
from grants.letters.models import Letter
from grants.notifications.models import OutboxMessage
from grants.workflow.models import JournalEntry
from tests.budgets.deciders import decide_in_own_process
from tests.factories import make_application, make_fund

# Ten processes on a two-core machine already meet in the budget's lock every time; twenty
# took 80 s of CI's time each run and showed nothing more.
DECIDERS = 10
AMOUNT = 7_000
ALLOCATION = 30_000  # fits four grants of 7,000 kr.


def count(model, **where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_parallel_approvals_never_spend_more_than_the_allocation(
    app, world, database_url, tmp_path
):
    fund = make_fund(code="sidste-penge", budget=None, board=[world.board_member])
    departure = dt.date.today() + dt.timedelta(days=90)
    allocate(fund, departure.year, Decimal(ALLOCATION))
    applications = [
        make_application(
            world.employee,
            fund,
            amount=AMOUNT,
            state="awaiting_decision",
            departure_date=departure,
            return_date=departure + dt.timedelta(days=3),
        )
        for _ in range(DECIDERS)
    ]
    db.session.commit()
    ids = [application.id for application in applications]
    journal_before = {i: count(JournalEntry, application_id=i) for i in ids}

    # Each decider is a process of its own that shares nothing with this one (no connection,
    # no session, no app), as ten app servers would be. Spawned, each imported the app and
    # WeasyPrint afresh: 3-4 s of CPU each, most of the test's 40 s. A fork server imports
    # them once (it is started clean, before any connection, and forks each decider from
    # itself), so each decider starts as fresh and only builds its app and decides.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(
        ["grants", "grants.letters.operations", decide_in_own_process.__module__]
    )
    barrier = context.Barrier(DECIDERS)
    results = context.Queue()
    processes = [
        context.Process(
            target=decide_in_own_process,
            args=(
                database_url,
                str(tmp_path / "mail"),
                application_id,
                world.caseworker.id,
                barrier,
                results,
            ),
        )
        for application_id in ids
    ]
    for process in processes:
        process.start()
    outcome = {}
    for _ in processes:
        application_id, result, message = results.get(timeout=180)
        outcome[application_id] = (result, message)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0

    errors = {i: m for i, (r, m) in outcome.items() if r == "error"}
    assert not errors
    granted = sorted(i for i, (r, _m) in outcome.items() if r == "granted")
    refused = sorted(i for i, (r, _m) in outcome.items() if r == "refused")
    assert len(granted) == ALLOCATION // AMOUNT == 4
    assert len(refused) == DECIDERS - 4
    for _result, message in (outcome[i] for i in refused):
        assert message.startswith("Der er kun 2.000,00 kr. til rådighed"), message

    db.session.expire_all()
    reserved = db.session.scalar(
        select(func.sum(BudgetEntry.amount)).where(
            BudgetEntry.fund_id == fund.id, BudgetEntry.kind == EntryKind.RESERVATION
        )
    )
    assert reserved == Decimal(4 * AMOUNT) <= ALLOCATION
    figures = balance(fund.id, departure.year)
    assert (figures.granted, figures.available) == (Decimal("28000.00"), Decimal("2000.00"))

    for application_id in granted:
        application = db.session.get(Application, application_id)
        assert application.state == "granted"
        assert count(Letter, application_id=application_id) == 1
        assert count(BudgetEntry, application_id=application_id) == 1
    for application_id in refused:
        application = db.session.get(Application, application_id)
        assert application.state == "awaiting_decision"
        assert application.outcome is None and application.granted_amount is None
        assert count(BudgetEntry, application_id=application_id) == 0
        assert count(Letter, application_id=application_id) == 0
        assert count(OutboxMessage, application_id=application_id) == 0
        assert count(JournalEntry, application_id=application_id) == journal_before[application_id]
