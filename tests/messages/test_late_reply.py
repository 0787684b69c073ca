"""A reply to a request for information always reaches whoever must act on it.

A request the secretariat makes as a message while the route has no request step in the
case's state (awaiting a decision, on a committee's agenda) is answered with a message: the
case does not move (the applicant never moves it themselves), so a late reply (after its
deadline, or after the case has moved on) used to sit unnoticed where the case waited for
someone else or for nobody. The reply now puts the case on the caseworkers' task list, and
the case page marks it unread, until a caseworker has read it (marked it read, answered, or
taken a step). While the request stands, the applicant side's own list shows the case with
the answer's deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from grants.cases.states import State
from grants.core import clock
from grants.extensions import db
from grants.messages.models import CaseMessage
from tests import html
from tests.dbstate import SIGNING_IN, table_fingerprint
from tests.factories import future, make_application
from tests.messages.helpers import post_message


def task_titles(client) -> list[str]:
    response = client.get("/opgaver")
    assert response.status_code == 200
    if html.page(response).select_one("table") is None:
        return []
    return [row[1] for row in html.table_rows(response)[1:]]


def on_list(client, title: str) -> bool:
    return any(title in cell for cell in task_titles(client))


def latest_reply() -> CaseMessage:
    db.session.expire_all()
    return db.session.scalars(
        select(CaseMessage)
        .where(CaseMessage.from_applicant.is_(True))
        .order_by(CaseMessage.id.desc())
    ).first()


def ask_in_thread(client, auth, world, application, days: int = 5) -> None:
    auth.login(world.caseworker)
    response = post_message(
        client, application, body="Send programmet.", request="y",
        due_date=future(days).isoformat(),
    )  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()


def test_a_late_reply_puts_the_case_on_the_caseworkers_list_unread(
    client, auth, world, before_the_board, move_clock
):
    application = before_the_board
    ask_in_thread(client, auth, world, application, days=3)
    assert application.state == State.AWAITING_DECISION  # no request step here
    assert not on_list(client, "Til bestyrelsen")

    move_clock(clock.today() + dt.timedelta(days=10))  # past the deadline
    auth.login(world.outsider)
    assert post_message(client, application, body="Her er programmet, undskyld.").status_code == 302
    db.session.expire_all()
    assert application.state == State.AWAITING_DECISION  # the applicant moved nothing

    auth.login(world.caseworker)
    assert on_list(client, "Til bestyrelsen")
    # The row says why it is theirs: not the board's decision, the reply to read.
    (row,) = [r for r in html.table_rows(client.get("/opgaver"))[1:] if "Til bestyrelsen" in r[1]]
    assert row[2] == "Afventer afgørelse Ulæst besked fra ansøgeren"
    page = client.get(f"/ansoegninger/{application.id}")
    reply = latest_reply()
    assert "Ulæst" in html.text_of(page, f"#besked-{reply.id}")
    # The board member deciding the case sees it on their list still, as before.
    auth.login(world.board_member)
    assert on_list(client, "Til bestyrelsen")

    # Read: off the caseworker's list; the mark is gone; the journal says who read it.
    auth.login(world.caseworker)
    response = client.post(f"/ansoegninger/{application.id}/beskeder/{reply.id}/laest")
    assert response.status_code == 302
    assert not on_list(client, "Til bestyrelsen")
    page = client.get(f"/ansoegninger/{application.id}")
    assert "Ulæst" not in html.text_of(page, f"#besked-{reply.id}")
    db.session.expire_all()
    assert "reply_read" in [e.action for e in application.journal]


def test_unread_in_english(client, auth, world, before_the_board):
    application = before_the_board
    ask_in_thread(client, auth, world, application)
    auth.login(world.outsider)
    assert post_message(client, application, body="Programme attached.").status_code == 302
    auth.login(world.caseworker)
    client.post("/sprog", data={"locale": "en"})
    reply = latest_reply()
    page = client.get(f"/ansoegninger/{application.id}")
    text = html.text_of(page, f"#besked-{reply.id}")
    assert "Unread" in text and "Mark as read" in text


def test_a_reply_after_the_case_moved_on_reaches_the_caseworker(client, auth, world):
    """Asked while awaiting a decision, then decided: the reply that comes after it."""
    application = make_application(
        world.outsider, world.fund, state=State.AWAITING_DECISION, amount=5000, title="Afgjort"
    )
    db.session.commit()
    ask_in_thread(client, auth, world, application)
    application.state = State.GRANTED  # the caseworker decided it meanwhile
    application.outcome = "granted"
    db.session.commit()
    auth.login(world.caseworker)
    assert not on_list(client, "Afgjort")
    auth.login(world.outsider)
    assert post_message(client, application, body="Sent svar.").status_code == 302
    auth.login(world.caseworker)
    assert on_list(client, "Afgjort")
    # Answering in the thread is reading it.
    assert post_message(client, application, body="Tak, vi har det.").status_code == 302
    assert not on_list(client, "Afgjort")


def test_only_the_secretariat_marks_a_reply_read(client, auth, world, before_the_board):
    application = before_the_board
    ask_in_thread(client, auth, world, application)
    auth.login(world.outsider)
    assert post_message(client, application, body="Svar.").status_code == 302
    only_the_secretariat_marks_read(client, auth, world, application, latest_reply())


def only_the_secretariat_marks_read(client, auth, world, application, message) -> None:
    """The applicant, the board, the manager and finance may not mark the message read:
    refused, nothing changes, and the case stays on the caseworkers' list."""
    before = table_fingerprint(skip=SIGNING_IN)
    for person in (world.outsider, world.board_member, world.manager, world.finance):
        auth.login(person)
        response = client.post(f"/ansoegninger/{application.id}/beskeder/{message.id}/laest")
        assert response.status_code in (403, 404), person.email
    assert table_fingerprint(skip=SIGNING_IN) == before
    auth.login(world.caseworker)
    assert on_list(client, "Til bestyrelsen")


def test_a_reply_that_takes_the_route_s_step_is_no_unread_reply(client, auth, world):
    """Asked by the route's step (the case goes back to the applicant): the answer sends it
    back to the caseworker as a step, as before; nothing is marked unread."""
    application = make_application(
        world.outsider, world.fund, state=State.SCREENING, title="Screenet"
    )
    db.session.commit()
    ask_in_thread(client, auth, world, application)
    assert application.state == State.AWAITING_INFORMATION
    auth.login(world.outsider)
    assert post_message(client, application, body="Svar.").status_code == 302
    db.session.expire_all()
    assert application.state == State.SCREENING
    auth.login(world.caseworker)
    page = client.get(f"/ansoegninger/{application.id}")
    assert "Ulæst" not in html.text_of(page, "#beskeder")


@pytest.mark.parametrize("locale", ["da", "en"])
def test_the_applicant_sees_a_request_made_as_a_message_on_their_list(
    client, auth, world, before_the_board, locale
):
    application = before_the_board
    auth.login(world.outsider)
    assert not on_list(client, "Til bestyrelsen")
    ask_in_thread(client, auth, world, application, days=6)
    auth.login(world.outsider)
    client.post("/sprog", data={"locale": locale})
    response = client.get("/opgaver")
    (row,) = [row for row in html.table_rows(response)[1:] if "Til bestyrelsen" in row[1]]
    said = {
        "da": "Svar på anmodningen om oplysninger",
        "en": "Reply to the request for information",
    }
    assert row[2] == said[locale]
    assert row[5].startswith({"da": "Svar senest", "en": "Reply by"}[locale])
    # Answered: off their list.
    assert post_message(client, application, body="Svaret.").status_code == 302
    assert not on_list(client, "Til bestyrelsen")


@pytest.mark.parametrize("locale", ["da", "en"])
def test_my_applications_say_by_when_to_answer(client, auth, world, before_the_board, locale):
    """The applicant's overview of their applications marks the case asked about, with the
    answer's deadline under its state, until they answer."""
    application = before_the_board
    ask_in_thread(client, auth, world, application, days=6)
    auth.login(world.outsider)
    client.post("/sprog", data={"locale": locale})
    from grants.core.formatting import short_date

    (row,) = html.table_rows(client.get("/ansoegninger/mine"))[1:]
    expected = {"da": "Under behandling Svar senest", "en": "Being processed Reply by"}[locale]
    assert row[5] == f"{expected} {short_date(future(6), locale)}"
    assert post_message(client, application, body="Svaret.").status_code == 302
    (row,) = html.table_rows(client.get("/ansoegninger/mine"))[1:]
    assert "Svar senest" not in row[5] and "Reply by" not in row[5]


def test_a_request_left_open_asks_nothing_once_the_case_has_ended(
    client, auth, world, before_the_board
):
    """Refused while a request asked in the thread stood unanswered: the case leaves the
    applicant's list, and their overview no longer asks them to answer by a day."""
    from grants.applications import operations

    application = before_the_board
    ask_in_thread(client, auth, world, application, days=6)
    auth.login(world.outsider)
    assert on_list(client, "Til bestyrelsen")
    operations.decide(application, world.board_member, "refuse", None, "Ikke i puljens formål.")
    db.session.commit()
    auth.login(world.outsider)
    assert not on_list(client, "Til bestyrelsen")
    (row,) = html.table_rows(client.get("/ansoegninger/mine"))[1:]
    assert "Svar senest" not in row[5], row
