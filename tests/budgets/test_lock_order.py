"""One lock order: the fund's lock before the case's row (docs/budgets.md, "No overspending,
ever"). A fund's settings saved write the fund's row and then, in the same flush, the days its
cases wait from (``grants.workflow.waits_for``); every movement of money takes the fund's lock
(``budgets.lock.lock_fund``) and writes the case. Were one of them to write the case first and
then wait for the fund, the two at once would wait for each other: PostgreSQL ends that as a
deadlock and one request fails."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

import grants.budgets.movements as movements
from grants.applications import operations
from grants.budgets.balances import balance
from grants.budgets.models import BudgetEntry, EntryKind
from grants.cases.models import Application
from grants.cases.states import State
from grants.core.errors import NotAllowed
from grants.extensions import db
from grants.funds.models import Fund
from grants.people.models import User
from grants.workflow.guards import ALWAYS
from tests.administration.test_admin_pages import save_fund
from tests.applications.test_give_up import granted_case
from tests.factories import make_application
from tests.locking import someone_waits_for_a_lock


def test_a_fund_saved_while_a_grant_is_given_up_fails_neither(
    app, world, client, auth, database_url, owner_database_url, monkeypatch
):
    """The applicant gives up a grant while the administrator saves the fund, now with
    reports allowed before the return. The save moves the case's days (its report, waiting
    for the return date, may come now), so it writes the case's row; giving up writes the
    case and releases the grant under the fund's lock. The applicant's request is held
    just before the release until the administrator's save waits for a lock: with the case
    written first, the save then held the fund and waited for the case, the release waited
    for the fund, and PostgreSQL failed one of them as a deadlock."""
    if make_url(database_url).get_backend_name() == "sqlite":
        pytest.skip("row locks: SQLite has one writer, and a second one waits for the first")
    application = granted_case(world)
    year = application.budget_year
    assert not world.fund.report_before_return
    application_id, applicant_id = application.id, world.employee.id
    assert balance(world.fund.id, year).available == Decimal("92000.00")

    at_the_release = threading.Event()
    go_on = threading.Event()
    release = movements.release

    def held_release(*args, **kwargs):
        at_the_release.set()
        go_on.wait(30)
        return release(*args, **kwargs)

    monkeypatch.setattr(movements, "release", held_release)
    outcome: dict[str, object] = {}

    def applicant():
        with app.app_context():
            try:
                case = db.session.get(Application, application_id)
                person = db.session.get(User, applicant_id)
                operations.give_up_grant(case, person, "give_up_grant", "Konferencen er aflyst.")
                db.session.commit()
                outcome["applicant"] = "given up"
            except Exception as error:  # noqa: BLE001 - the test reports what failed
                db.session.rollback()
                outcome["applicant"] = error
            finally:
                db.session.remove()

    def watcher():
        # The administrator's save is waiting (or never will): let the applicant go on.
        outcome["save waited"] = someone_waits_for_a_lock(owner_database_url)
        go_on.set()

    auth.login(world.admin)
    giving_up = threading.Thread(target=applicant)
    giving_up.start()
    assert at_the_release.wait(30)
    watching = threading.Thread(target=watcher)
    watching.start()
    try:
        response = save_fund(client, world.fund, report_before_return="y")
        outcome["administrator"] = response.status_code
    except Exception as error:  # noqa: BLE001 - a deadlock propagates out of the test client
        db.session.rollback()
        outcome["administrator"] = error
    finally:
        go_on.set()
        giving_up.join(60)
        watching.join(60)
    assert not giving_up.is_alive()

    assert outcome["save waited"]  # the two met: one waited for the other's lock
    assert outcome["applicant"] == "given up"
    assert outcome["administrator"] == 302
    db.session.expire_all()
    assert db.session.get(Fund, world.fund.id).report_before_return
    case = db.session.get(Application, application_id)
    assert case.state == State.WITHDRAWN
    assert all(
        getattr(case, day) is None
        for day in ("waits_for_applicant", "waits_for_caseworker", "waits_for_board")
    )
    releases = db.session.scalar(
        select(func.count())
        .select_from(BudgetEntry)
        .where(BudgetEntry.application_id == application_id, BudgetEntry.kind == EntryKind.RELEASE)
    )
    assert releases == 1
    assert balance(world.fund.id, year).available == Decimal("100000.00")


# -- the order every path writes in ----------------------------------------------------------


class Writes:
    """The rows a block writes, in order: the fund's ("fund": ``lock_fund`` or the fund's
    settings) and the case's ("application", and its report's, "trip_report"), as the
    statements the database is sent. Only an UPDATE counts: a row that merely refers to the
    case (a journal entry, a letter) takes a key-share lock, which no UPDATE that changes no
    key waits for."""

    def __init__(self) -> None:
        self.tables: list[str] = []

    def _note(self, _conn, _cursor, statement: str, *_args) -> None:
        words = statement.split(None, 2)
        if len(words) >= 2 and words[0].upper() == "UPDATE":
            table = words[1].strip('"')
            if table in ("fund", "application", "trip_report"):
                self.tables.append(table)

    def __enter__(self) -> Writes:
        event.listen(db.engine, "before_cursor_execute", self._note)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(db.engine, "before_cursor_execute", self._note)

    def fund_first(self) -> bool:
        """The fund's row written, and before any case's."""
        return "fund" in self.tables and self.tables[0] == "fund"


def test_giving_up_and_cancelling_take_the_funds_lock_before_the_case(world):
    for action, person in (("give_up_grant", world.employee), ("cancel_grant", world.caseworker)):
        application = granted_case(world)
        with Writes() as writes:
            operations.give_up_grant(application, person, action, "Rejsen er aflyst.")
            db.session.flush()
        db.session.commit()
        assert writes.fund_first(), (action, writes.tables)
        assert "application" in writes.tables


def test_a_refused_give_up_takes_no_lock(world):
    """Who may not give the grant up is refused before the fund is locked."""
    application = granted_case(world)
    with Writes() as writes, pytest.raises(NotAllowed):
        operations.give_up_grant(application, world.outsider, "give_up_grant", "Aflyst.")
    db.session.rollback()
    assert writes.tables == []


def test_a_decision_and_a_reconsidered_one_take_the_funds_lock_before_the_case(world):
    application = make_application(world.employee, world.fund, state="awaiting_decision")
    db.session.commit()
    with Writes() as granting:
        operations.decide(application, world.caseworker, "grant_part", Decimal(5000), "Kun rejsen.")
        db.session.flush()
    db.session.commit()
    operations.request_reconsideration(
        application, world.employee, "request_reconsideration", "Hotellet er dyrere."
    )
    db.session.commit()
    with Writes() as reconsidering:
        operations.decide(application, world.caseworker, "grant", None, "")
        db.session.flush()
    db.session.commit()
    assert granting.fund_first(), granting.tables
    assert reconsidering.fund_first(), reconsidering.tables


@pytest.mark.parametrize("paid", [0, 7000], ids=["released", "claimed back"])
def test_a_settlement_takes_the_funds_lock_before_the_case(world, move_clock, paid):
    from grants.reports.settlement import settle
    from tests.reports.helpers import file_report, pay
    from tests.reports.helpers import granted_case as decided

    application = decided(world, 8000)
    if paid:
        pay(application, paid, world.finance)
    move_clock(application.return_date)
    file_report(application, world.employee, {"transport": 3000, "accommodation": 3000})
    db.session.commit()
    with Writes() as writes:
        settle(application, world.caseworker)
        db.session.flush()
    db.session.commit()
    assert writes.fund_first(), writes.tables
    assert application.state == State.SETTLED


def test_payments_and_refunds_take_the_funds_lock_first(world, move_clock):
    from grants.core import clock
    from grants.payments.operations import pay, receive_refund
    from grants.reports.settlement import settle
    from tests.reports.helpers import file_report
    from tests.reports.helpers import granted_case as decided

    application = decided(world, 8000)
    with Writes() as paying:
        pay(application, Decimal(8000), world.finance, clock.today(), "B-1")
        db.session.flush()
    db.session.commit()
    move_clock(application.return_date)
    file_report(application, world.employee, {"transport": 3000, "accommodation": 3000})
    settle(application, world.caseworker)
    db.session.commit()
    with Writes() as refunding:
        receive_refund(application, Decimal(2000), world.finance, clock.today(), "R-1")
        db.session.flush()
    db.session.commit()
    assert paying.fund_first(), paying.tables
    assert refunding.fund_first(), refunding.tables


def test_closing_a_year_locks_the_funds_before_it_moves_the_waiting_cases(world, move_clock):
    from grants.budgets.closing import WAITING_MOVE, close_year

    move_clock(dt.date(2026, 10, 1))
    application = make_application(
        world.employee,
        world.fund,
        state="awaiting_decision",
        departure_date=dt.date(2026, 12, 20),
        return_date=dt.date(2026, 12, 23),
    )
    db.session.commit()
    move_clock(dt.date(2027, 1, 20))
    with Writes() as writes:
        close_year(2026, world.finance, waiting=WAITING_MOVE)
        db.session.flush()
    db.session.commit()
    assert writes.fund_first(), writes.tables
    assert "application" in writes.tables
    assert application.budget_year_moved_to == 2027


def test_a_funds_settings_write_the_fund_before_its_cases(world, client, auth):
    """The other side of the order: the fund's row, then (after the flush's own statements)
    the days of the cases it moves."""
    application = granted_case(world)
    auth.login(world.admin)
    with Writes() as writes:
        response = save_fund(client, world.fund, report_before_return="y")
    assert response.status_code == 302
    assert writes.fund_first(), writes.tables
    assert "application" in writes.tables
    db.session.expire_all()
    # Its report may come now, no longer from the return date.
    assert db.session.get(Application, application.id).waits_for_applicant == ALWAYS
