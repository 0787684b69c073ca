"""A message of the applicant side that answers no request for information reaches the
caseworkers as a reply does: it puts the case on their list, marked unread, until one has
read it (marked it read, answered in the thread, or taken a step). The task page offers the
fund and state of such a case among its filter choices. A message that does not change whose
turn it is writes nothing to the case's row (its days, ``waits_for``)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from grants.cases.states import State
from grants.extensions import db
from grants.messages.models import UnreadReply
from grants.workflow import waits_for
from tests import html
from tests.factories import make_application
from tests.messages.helpers import post_message
from tests.messages.test_late_reply import (
    latest_reply,
    on_list,
    only_the_secretariat_marks_read,
)
from tests.messages.test_waiting_days import ask, days

# The applicant side's newest message, reply or not.
latest_from_applicant = latest_reply


def write(client, auth, person, application, body: str) -> None:
    auth.login(person)
    assert post_message(client, application, body=body).status_code == 302


@pytest.mark.parametrize("locale", ["da", "en"])
def test_a_message_asking_nothing_puts_the_case_on_the_caseworkers_list(
    client, auth, world, before_the_board, locale
):
    application = before_the_board
    auth.login(world.caseworker)
    assert not on_list(client, "Til bestyrelsen")
    write(client, auth, world.outsider, application, "Vi har fået en ny dato for rejsen.")
    db.session.expire_all()
    assert application.state == State.AWAITING_DECISION  # the applicant moved nothing
    auth.login(world.caseworker)
    client.post("/sprog", data={"locale": locale})
    (row,) = [r for r in html.table_rows(client.get("/opgaver"))[1:] if "Til bestyrelsen" in r[1]]
    said = {
        "da": "Afventer afgørelse Ulæst besked fra ansøgeren",
        "en": "Awaiting decision Unread message from the applicant",
    }
    assert row[2] == said[locale]
    message = latest_from_applicant()
    page = client.get(f"/ansoegninger/{application.id}")
    assert {"da": "Ulæst", "en": "Unread"}[locale] in html.text_of(page, f"#besked-{message.id}")
    # Read: off the list.
    response = client.post(f"/ansoegninger/{application.id}/beskeder/{message.id}/laest")
    assert response.status_code == 302
    assert not on_list(client, "Til bestyrelsen")


def test_answering_in_the_thread_reads_the_message(client, auth, world, before_the_board):
    application = before_the_board
    write(client, auth, world.outsider, application, "Et spørgsmål om budgettet.")
    write(client, auth, world.caseworker, application, "Svar på spørgsmålet.")
    assert not on_list(client, "Til bestyrelsen")
    assert db.session.scalar(select(UnreadReply.id)) is None


def test_only_the_secretariat_marks_the_message_read(client, auth, world, before_the_board):
    application = before_the_board
    write(client, auth, world.outsider, application, "Nyt program.")
    only_the_secretariat_marks_read(client, auth, world, application, latest_from_applicant())


def test_the_board_member_s_list_is_as_before(client, auth, world, before_the_board):
    application = before_the_board
    write(client, auth, world.outsider, application, "Nyt program.")
    auth.login(world.board_member)
    assert on_list(client, "Til bestyrelsen")
    (row,) = [r for r in html.table_rows(client.get("/opgaver"))[1:] if "Til bestyrelsen" in r[1]]
    # Their own step, the decision, is still what the row asks of them.
    assert row[2].startswith("Bevil")


@pytest.mark.parametrize("asked", [False, True])
def test_the_filter_offers_the_state_of_a_case_waiting_only_for_an_unread_message(
    client, auth, world, asked
):
    """A granted case waits for no step of the caseworkers' by its route: the unread
    message alone puts it on their list, and its fund and state among the filter's
    choices (a filter by them was refused as a choice not offered)."""
    application = make_application(
        world.outsider, world.fund, state=State.GRANTED, amount=5000, title="Bevilget tur"
    )
    application.outcome = "granted"
    db.session.commit()
    if asked:  # a reply to a request asked before the decision
        ask(client, auth, world, application)
    write(client, auth, world.outsider, application, "Vi rejser en dag senere.")
    auth.login(world.caseworker)
    page = html.page(client.get("/opgaver"))
    states = [o["value"] for o in page.select("select[name=state] option")]
    funds = [o["value"] for o in page.select("select[name=fund] option")]
    assert State.GRANTED.value in states
    assert world.fund.code in funds
    response = client.get(f"/opgaver?state={State.GRANTED.value}&fund={world.fund.code}")
    assert response.status_code == 200
    (row,) = html.table_rows(response)[1:]
    assert "Bevilget tur" in row[1]


class CaseRowsWritten:
    """The rows of the case's table a block of code writes: the days worked out
    (``waits_for``) that moved, and any other UPDATE of the table (none expected)."""

    def __init__(self, monkeypatch):
        self.rows = 0
        self.days_statements = 0
        self.statements = 0
        self._monkeypatch = monkeypatch

    def __enter__(self):
        refreshed = waits_for._refreshed

        def counted(connection, which):
            written = refreshed(connection, which)
            self.days_statements += 1
            self.rows += len(written)
            return written

        self._monkeypatch.setattr(waits_for, "_refreshed", counted)
        event.listen(db.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc):
        event.remove(db.engine, "before_cursor_execute", self._seen)
        self._monkeypatch.undo()

    def _seen(self, _conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE APPLICATION "):
            self.statements += 1

    @property
    def others(self) -> int:
        return self.statements - self.days_statements


def test_a_message_that_changes_no_one_s_turn_writes_no_case_row(
    client, auth, world, before_the_board, monkeypatch
):
    application = before_the_board
    # The secretariat's message asks nothing: nobody's turn changes, no statement at all.
    auth.login(world.caseworker)
    with CaseRowsWritten(monkeypatch) as written:
        assert post_message(client, application, body="Vi ser på sagen.").status_code == 302
    assert (written.statements, written.rows) == (0, 0)
    # An internal note changes nobody's turn either.
    with CaseRowsWritten(monkeypatch) as written:
        response = client.post(
            f"/ansoegninger/{application.id}/interne-notater", data={"note": "Ring til dem."}
        )
        assert response.status_code == 302
    assert (written.statements, written.rows) == (0, 0)
    # The applicant's first message makes it the caseworkers' turn: written once.
    auth.login(world.outsider)
    with CaseRowsWritten(monkeypatch) as written:
        assert post_message(client, application, body="Et spørgsmål.").status_code == 302
    assert (written.others, written.rows) == (0, 1)
    # A second while the first is unread moves no day: the row is not written.
    with CaseRowsWritten(monkeypatch) as written:
        assert post_message(client, application, body="Et spørgsmål mere.").status_code == 302
    assert (written.others, written.rows) == (0, 0)
    assert days(application)[1] is not None


def test_a_request_and_its_answer_still_move_the_days(
    client, auth, world, before_the_board, monkeypatch
):
    application = before_the_board
    with CaseRowsWritten(monkeypatch) as written:
        ask(client, auth, world, application)
    assert written.rows == 1
    assert days(application)[0] is not None
    # The answer: the applicant's day ends and the caseworkers' begins, in one write.
    with CaseRowsWritten(monkeypatch) as written:
        write(client, auth, world.outsider, application, "Programmet.")
    assert (written.others, written.rows) == (0, 1)
    assert days(application)[0] is None and days(application)[1] is not None
