"""What the thread makes a case wait for is kept in the case's days (``waits_for``): an open
request for information in the applicant side's, an unread reply in the caseworkers'. The
work queue, the task list and the menu's count read only the days, never the thread: a
subquery over the messages in the waiting rule doubled PostgreSQL's time of the queue."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Date, literal, null, select, update

from grants.cases.models import Application
from grants.cases.states import State
from grants.desk import tasks
from grants.extensions import db
from grants.messages import operations
from grants.messages.models import UnreadReply
from grants.workflow import engine, waits_for
from grants.workflow.guards import ALWAYS
from tests.factories import future, make_application
from tests.messages.helpers import post_message


def days(application: Application) -> tuple[dt.date | None, dt.date | None]:
    """The applicant side's and the caseworkers' days, as the database keeps them."""
    row = db.session.execute(
        select(Application.waits_for_applicant, Application.waits_for_caseworker).where(
            Application.id == application.id
        )
    ).one()
    return row[0], row[1]


def ask(client, auth, world, application) -> None:
    auth.login(world.caseworker)
    response = post_message(
        client, application, body="Send programmet.", request="y",
        due_date=future(5).isoformat(),
    )  # fmt: skip
    assert response.status_code == 302


def reply(client, auth, world, application) -> None:
    auth.login(world.outsider)
    assert post_message(client, application, body="Programmet.").status_code == 302


def compiled(statement) -> str:
    return str(statement.compile(dialect=db.session.get_bind().dialect))


def test_the_waiting_rule_reads_the_days_not_the_thread(world):
    """The statements of the menu's count, the task list's count and the rule itself
    mention neither the messages nor the unread replies."""
    for person in (world.caseworker, world.outsider, world.board_member, world.manager):
        for quick in (False, True):
            parts = engine.waiting_parts(person, quick)
            for part in (parts.condition, *parts.branches):
                sql = compiled(part)
                assert "case_message" not in sql, person.email
                assert "case_reply_unread" not in sql, person.email
        statements = [tasks._menu_statements(person)[1]]
        statements.append(tasks.task_query(person, tasks.Filters())[1])
        for statement in statements:
            sql = compiled(statement)
            assert "case_message" not in sql, person.email
            assert "case_reply_unread" not in sql, person.email


def test_a_request_waits_for_the_applicant_side_until_answered(
    client, auth, world, before_the_board
):
    application = before_the_board
    assert days(application) == (None, None)
    ask(client, auth, world, application)
    assert days(application) == (ALWAYS, None)
    reply(client, auth, world, application)
    # Answered; the reply took no step: unread, the caseworkers' at once.
    assert days(application) == (None, ALWAYS)
    # A caseworker answering in the thread has read it (a Core DELETE of the unread rows).
    auth.login(world.caseworker)
    assert post_message(client, application, body="Tak.").status_code == 302
    assert days(application) == (None, None)


def test_reading_the_replies_tells_the_case_the_session_holds(
    client, auth, world, before_the_board
):
    application = before_the_board
    ask(client, auth, world, application)
    reply(client, auth, world, application)
    db.session.expire_all()
    assert application.waits_for_caseworker == ALWAYS
    assert operations.replies_read(application) == 1
    # Not expired: the held case learnt its day from the recomputation.
    assert application.waits_for_caseworker is None
    assert days(application) == (None, None)


def test_marking_the_reply_read_leaves_the_caseworkers(client, auth, world, before_the_board):
    application = before_the_board
    ask(client, auth, world, application)
    reply(client, auth, world, application)
    message_id = db.session.scalar(select(UnreadReply.message_id))
    assert operations.mark_read(application, message_id, world.caseworker)
    assert days(application) == (None, None)


def test_a_withdrawn_case_asks_nothing_more(client, auth, world, before_the_board):
    application = before_the_board
    ask(client, auth, world, application)
    assert days(application)[0] == ALWAYS
    application.state = State.WITHDRAWN
    db.session.commit()
    assert days(application)[0] is None


def test_refresh_works_the_thread_s_days_out_too(client, auth, world, before_the_board):
    """The bench's data, loaded by COPY, and ``flask workflow refresh-waiting``."""
    application = before_the_board
    ask(client, auth, world, application)
    other = make_application(world.outsider, world.fund, state=State.AWAITING_DECISION)
    db.session.commit()
    ask(client, auth, world, other)
    reply(client, auth, world, other)
    db.session.execute(
        update(Application).values(waits_for_applicant=None, waits_for_caseworker=None)
    )
    waits_for.refresh(db.session.connection())
    assert days(application) == (ALWAYS, None)
    assert days(other) == (None, ALWAYS)


@pytest.mark.parametrize(
    ("given", "earliest"),
    [
        ((None,), None),
        ((None, None), None),
        ((dt.date(2026, 5, 1), None), dt.date(2026, 5, 1)),
        ((None, dt.date(2026, 5, 1), None), dt.date(2026, 5, 1)),
        ((dt.date(2026, 5, 1), dt.date(2026, 4, 1)), dt.date(2026, 4, 1)),
        ((dt.date(2026, 5, 1), ALWAYS, None), ALWAYS),
    ],
)
def test_the_earliest_day_passes_over_nulls(world, given, earliest):
    """PostgreSQL's LEAST passes over NULLs, SQLite's min(a, b) does not: the same on both."""
    values = [null() if day is None else literal(day, Date) for day in given]
    assert db.session.scalar(select(waits_for.earliest(*values))) == earliest
