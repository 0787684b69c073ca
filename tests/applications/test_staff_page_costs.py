"""The staff pages made cheaper for issue 24 show the same cases to the same people: the work
queue's rows are plain rows and its condition is kept per person and day, so these tests
would catch a kept condition that leaks one person's cases to another, or outlives a role
taken away; and every staff page stays within nine SQL statements."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import current_app
from sqlalchemy import delete, event

from grants.core import access, clock
from grants.extensions import db
from grants.people.models import Role, UserRole
from grants.workflow import engine
from tests.factories import (
    cases_before_and_after_the_trip,
    make_application,
    make_fund,
    world_people,
)
from tests.html import links, table_rows
from tests.workflow.test_transition_table import STATES as ROUTE_STATES

# The route's states, but not those where nothing waits for anyone (the cases would only
# make the test slower).
STATES = [
    state for state in ROUTE_STATES if state not in ("partly_granted", "refused", "withdrawn")
]


def _queue_ids(client, query: str = "") -> set[int]:
    html = client.get(f"/arbejdskoe{query}").get_data(as_text=True)
    return {
        int(match.group(1))
        for href in links(html)
        if (match := re.fullmatch(r"/ansoegninger/(\d+)", href.split("?")[0]))
    }


def test_each_persons_queue_shows_what_waits_for_them_and_nothing_they_may_not_see(
    app, client, auth, world
):
    app.config["WORK_QUEUE_PAGE_SIZE"] = 500
    cases = cases_before_and_after_the_trip(world, STATES)
    # Twice round everyone: the second time every person's condition is kept from the
    # first, and must still be their own.
    for _round in range(2):
        for user in world_people(world):
            auth.login(user)
            shown = _queue_ids(client)
            expected = {
                case.id
                for case in cases
                if any(t.notifies for t in engine.available_transitions(case, user))
            }
            assert shown == expected, user.email
            assert all(
                access.may(user, "case.view", db.session.get(type(cases[0]), i)) for i in shown
            )


def test_a_role_taken_away_empties_the_queue_at_once(client, auth, world):
    case = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    auth.login(world.caseworker)
    assert _queue_ids(client) == {case.id}
    db.session.execute(
        delete(UserRole).where(
            UserRole.user_id == world.caseworker.id, UserRole.role == Role.CASEWORKER
        )
    )
    db.session.commit()
    assert _queue_ids(client) == set()


def test_the_next_day_is_a_new_condition(app, client, auth, world, monkeypatch):
    """The guards compare with today: a trip that ends tomorrow is reported from tomorrow."""
    today = clock.today()
    case = make_application(
        world.employee,
        world.fund,
        state="granted",
        departure_date=today - dt.timedelta(days=2),
        return_date=today + dt.timedelta(days=1),
    )
    world.fund.report_before_return = False
    db.session.commit()
    auth.login(world.employee)
    assert case.id not in _queue_ids(client)
    monkeypatch.setattr(clock, "today", lambda: today + dt.timedelta(days=1))
    assert case.id in _queue_ids(client)


def test_a_row_shows_the_case_the_applicant_and_the_fund(client, auth, world):
    other = make_fund(code="andenfond", name="Anden pulje")
    case = make_application(world.employee, other, state="screening", title="Konference i Oslo")
    db.session.commit()
    auth.login(world.caseworker)
    rows = table_rows(client.get("/arbejdskoe?q=Oslo"))[1:]  # below the heading
    assert len(rows) == 1
    assert rows[0][:4] == [
        case.case_number,
        "Konference i Oslo",
        world.employee.name,
        "Anden pulje",
    ]
    # The applicant's name is searched too.
    assert _queue_ids(client, f"?q={world.employee.name[:4]}") == {case.id}


def _statements(client, path: str) -> int:
    statements = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    client.get(path)  # first-use caches
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        # As a request of its own finds them: a new app context, so a new session with no
        # person or case loaded yet (the test's requests share the test's app context, whose
        # session holds what the first request loaded).
        with current_app.app_context():
            assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return len(statements)


@pytest.mark.parametrize(
    "who, path, at_most",
    [
        ("caseworker", "/arbejdskoe", 7),
        ("caseworker", "/arbejdskoe?fund=studierejsefonden&q=i", 7),
        ("employee", "/ansoegninger/mine", 4),
        # The decision preview's case: the person with their roles, the case (its letters
        # joined), its route's steps, journal and documents, the balance with the waiting
        # applications (one UNION ALL), the messages and notes (one), the ESDH part, and the
        # municipality with the menu's count (one). No letters: no deliveries to read.
        ("caseworker", "/ansoegninger/{case}", 9),
        # The person, the years, the funds with their closings, the balances with the
        # waiting applications, month by month, the decision times, and the municipality
        # with the menu's count and the committee question (one).
        ("finance", "/budgetter", 7),
    ],
)
def test_a_staff_page_asks_as_many_statements_for_two_cases_as_for_thirty(
    client, auth, world, who, path, at_most
):
    """The bench checks that each of these asks at most nine at 100,000 applications
    (bench/run.py, ``TARGETS["queries"]``); here, that none asks more than it does now
    (``at_most``), and none more as the cases grow."""
    case = make_application(world.employee, world.fund, state="awaiting_decision")
    make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    auth.login(getattr(world, who))
    few = _statements(client, path.format(case=case.id))
    assert few <= at_most
    for state in STATES * 3 + ["awaiting_decision"]:
        make_application(world.employee, world.fund, state=state, amount=40000)
    db.session.commit()
    assert _statements(client, path.format(case=case.id)) == few
