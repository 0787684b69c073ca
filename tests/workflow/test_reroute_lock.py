"""Re-routing a case to a new manager (the employee's manager changed, or the old manager's
cases handed over) and the old manager's endorsement, at the same moment: both take the
case's row lock first (``engine.lock_case``) and read the case again under it, so one waits
for the other. The endorsement that comes second is refused (the case names another
manager now); the re-routing that comes second leaves the endorsed case alone (it is past
the manager's step and keeps the manager who took it). PostgreSQL: two server processes,
two threads here (SQLite has one writer and no row locks)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from grants.administration.operations import hand_over_as_manager, set_roles
from grants.cases.models import Application
from grants.cases.states import State
from grants.core.errors import NotAllowed
from grants.extensions import db
from grants.notifications.models import OutboxMessage
from grants.people.models import Role, User
from grants.people.operations import set_manager
from grants.workflow import engine
from grants.workflow.models import JournalEntry
from tests.factories import make_application, make_user
from tests.locking import someone_waits_for_a_lock


@pytest.fixture
def race(app, owner_database_url):
    """``race(first, second)``: ``first`` runs in a request of its own and holds its
    transaction open after its writes; ``second`` starts then (and reads the case as it was
    before ``first``), and once it waits for a lock ``first`` commits. What each did
    ("done" or the error) and whether ``second`` waited."""
    if make_url(owner_database_url).get_backend_name() != "postgresql":
        pytest.skip("row locks: PostgreSQL")

    def run(first, second):
        holding, release = threading.Event(), threading.Event()
        outcome: dict[str, object] = {}

        def work(name, do, hold):
            with app.test_request_context():
                try:
                    do()
                    db.session.flush()
                    if hold:
                        holding.set()
                        release.wait(30)
                    db.session.commit()
                    outcome[name] = "done"
                except Exception as error:  # noqa: BLE001 - the test reports what happened
                    db.session.rollback()
                    outcome[name] = error
                finally:
                    holding.set()
                    db.session.remove()

        one = threading.Thread(target=work, args=("first", first, True))
        one.start()
        assert holding.wait(30)
        two = threading.Thread(target=work, args=("second", second, False))
        two.start()
        waited = someone_waits_for_a_lock(owner_database_url, 10)
        release.set()
        for thread in (one, two):
            thread.join(60)
        assert not one.is_alive() and not two.is_alive()
        return outcome, waited

    return run


@pytest.fixture
def waiting(world):
    karen = make_user(
        Role.EMPLOYEE, Role.MANAGER, name="Karen Kvist", email="karen@ballerup.dk", locale="en"
    )
    application = make_application(world.employee, world.fund, state=State.AWAITING_ENDORSEMENT)
    db.session.commit()
    return application.id, karen.id


def endorse(world, application_id):
    def do():
        application = db.session.get(Application, application_id)
        engine.take_step(application, db.session.get(User, world.manager.id), "endorse", "Ja.")

    return do


def new_manager(world, karen_id):
    def do():
        employee = db.session.get(User, world.employee.id)
        set_manager(employee, db.session.get(User, karen_id), db.session.get(User, world.admin.id))

    return do


def hand_over(world, karen_id):
    def do():
        manager = db.session.get(User, world.manager.id)
        actor = db.session.get(User, world.admin.id)
        set_roles(manager, set(manager.roles) - {Role.MANAGER}, True, actor)
        hand_over_as_manager(manager, db.session.get(User, karen_id), actor)

    return do


def facts(application_id):
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    journal = db.session.scalars(
        select(JournalEntry.action)
        .where(JournalEntry.application_id == application_id)
        .order_by(JournalEntry.id)
    ).all()
    mails = db.session.scalars(select(OutboxMessage.to_address)).all()
    return application.state, application.manager_id, journal, mails


@pytest.mark.parametrize(
    "reroute", [new_manager, hand_over], ids=["manager changed", "handed over"]
)
def test_an_endorsement_behind_a_reroute_is_refused(world, race, waiting, reroute):
    application_id, karen_id = waiting
    outcome, waited = race(reroute(world, karen_id), endorse(world, application_id))
    assert waited
    assert outcome["first"] == "done", outcome
    assert isinstance(outcome["second"], NotAllowed), outcome
    state, manager_id, journal, _mails = facts(application_id)
    assert state == State.AWAITING_ENDORSEMENT
    assert manager_id == karen_id
    assert "endorse" not in journal and "manager_changed" in journal


@pytest.mark.parametrize(
    "reroute", [new_manager, hand_over], ids=["manager changed", "handed over"]
)
def test_a_reroute_behind_an_endorsement_leaves_the_endorsed_case(world, race, waiting, reroute):
    application_id, karen_id = waiting
    outcome, waited = race(endorse(world, application_id), reroute(world, karen_id))
    assert waited
    assert outcome == {"first": "done", "second": "done"}, outcome
    state, manager_id, journal, mails = facts(application_id)
    assert state != State.AWAITING_ENDORSEMENT
    assert manager_id == world.manager.id  # the manager who took the step
    assert "endorse" in journal and "manager_changed" not in journal
    assert "karen@ballerup.dk" not in mails
