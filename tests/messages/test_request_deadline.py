"""The request for information taken as a step on the case page carries a deadline the
caseworker chooses (14 days from today unless another is chosen): the request in the
thread, the journal and the applicant's page say it; a deadline in the past or more than a
year ahead is refused next to the field and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.cases.models import Application
from grants.core import clock
from grants.extensions import db
from grants.messages.models import CaseMessage
from grants.workflow.models import JournalEntry
from tests.dbstate import SIGNING_IN, table_fingerprint
from tests.factories import future, make_application
from tests.html import field_error, page_text
from tests.html import page as html_page


@pytest.fixture
def screening(world):
    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    return application


def ask(client, application, **data):
    return client.post(f"/ansoegninger/{application.id}/trin/request_information", data=data)


def requests_made() -> list[tuple[str, object]]:
    return [
        (m.body, m.due_date)
        for m in db.session.scalars(select(CaseMessage).order_by(CaseMessage.id))
    ]


def test_the_case_page_offers_the_deadline_filled_in_with_the_default(
    world, client, auth, screening
):
    auth.login(world.caseworker)
    page = html_page(client.get(f"/ansoegninger/{screening.id}"))
    control = page.find(id="due_date-request_information")
    assert control is not None and control["type"] == "date"
    assert control["value"] == future(14).isoformat()
    label = page.find("label", attrs={"for": "due_date-request_information"})
    assert label.get_text(strip=True) == "Svarfrist"
    # In the button's own form, with its comment.
    assert control.find_parent("form").find("textarea", attrs={"name": "comment"})


def test_the_chosen_deadline_is_the_requests_in_the_thread_journal_and_page(
    world, client, auth, screening
):
    auth.login(world.caseworker)
    chosen = future(5)
    response = ask(client, screening, comment="Send budgettet.", due_date=chosen.isoformat())
    assert response.status_code == 302
    db.session.expire_all()
    assert screening.state == "awaiting_information"
    assert requests_made() == [("Send budgettet.", chosen)]
    entry = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "request_information")
    ).one()
    assert entry.details["date"] == chosen.isoformat()
    auth.login(world.employee)
    text = page_text(client.get(f"/ansoegninger/{screening.id}"))
    assert "Send budgettet." in text
    day = f"{chosen.day}."
    assert f"Svarfrist: {day}" in text


def test_without_a_date_the_request_has_the_default_deadline(world, client, auth, screening):
    auth.login(world.caseworker)
    assert ask(client, screening, comment="Mere?").status_code == 302
    assert requests_made() == [("Mere?", future(14))]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (lambda: clock.today().isoformat(), "Fristen skal ligge efter i dag."),
        (lambda: future(-3).isoformat(), "Fristen skal ligge efter i dag."),
        (lambda: future(400).isoformat(), "Fristen kan højst ligge et år frem."),
        (lambda: "31-12-2026", "Skriv en gyldig dato."),
        (lambda: "2026-02-30", "Skriv en gyldig dato."),
    ],
)
def test_a_deadline_refused_is_said_next_to_the_field_and_changes_nothing(
    world, client, auth, screening, typed, message
):
    auth.login(world.caseworker)
    before = table_fingerprint(skip=SIGNING_IN)
    response = ask(client, screening, comment="Mere?", due_date=typed())
    assert response.status_code == 422
    assert field_error(response, "due_date-request_information") == message
    assert table_fingerprint(skip=SIGNING_IN) == before
    db.session.expire_all()
    assert db.session.get(Application, screening.id).state == "screening"
    # What was typed is shown again, with the comment.
    page = html_page(response)
    assert page.find(id="comment-request_information").get_text() == "Mere?"


def test_the_deadline_in_english(world, client, auth, screening):
    world.caseworker.locale = "en"
    db.session.commit()
    auth.login(world.caseworker)
    page = html_page(client.get(f"/ansoegninger/{screening.id}"))
    label = page.find("label", attrs={"for": "due_date-request_information"})
    assert label.get_text(strip=True) == "Deadline for the answer"
    response = ask(client, screening, comment="More?", due_date=future(-1).isoformat())
    assert field_error(response, "due_date-request_information") == (
        "The deadline must be after today."
    )


def test_the_applicant_cannot_ask_for_information(world, client, auth, screening):
    auth.login(world.employee)
    before = table_fingerprint(skip=SIGNING_IN)
    response = ask(client, screening, comment="Mig selv?", due_date=future(5).isoformat())
    assert response.status_code == 403
    assert table_fingerprint(skip=SIGNING_IN) == before


def test_someone_who_may_not_ask_is_refused_as_such_whatever_the_date(
    world, client, auth, screening
):
    """The step's permission and the case's state come before what was typed: a bad date
    from someone never offered the form is no reason to show them its errors."""
    before = table_fingerprint(skip=SIGNING_IN)
    for person in (world.employee, world.manager, world.finance):
        auth.login(person)
        response = ask(client, screening, comment="Mere?", due_date="2026-02-30")
        assert response.status_code == 403, person.email
        assert "Du kan ikke udføre handlingen" in page_text(response)
    # A page that was stale: the case has gone to the applicant already.
    auth.login(world.caseworker)
    assert ask(client, screening, comment="Mere?").status_code == 302
    before = table_fingerprint(skip=SIGNING_IN)
    response = ask(client, screening, comment="Igen?", due_date=clock.today().isoformat())
    assert response.status_code == 403
    assert "Du kan ikke udføre handlingen" in page_text(response)
    assert table_fingerprint(skip=SIGNING_IN) == before


def test_a_missing_request_and_a_bad_date_are_said_together(world, client, auth, screening):
    auth.login(world.caseworker)
    response = ask(client, screening, comment=" ", due_date=future(-1).isoformat())
    assert response.status_code == 422
    assert field_error(response, "comment-request_information") == "Skriv en begrundelse."
    assert field_error(response, "due_date-request_information") == (
        "Fristen skal ligge efter i dag."
    )


def test_the_applicants_e_mail_says_by_when_to_answer(world, client, auth, screening, inbox):
    from grants.notifications.sender import send_pending

    send_pending()
    inbox.take()
    auth.login(world.caseworker)
    chosen = future(9)
    assert (
        ask(client, screening, comment="Send budgettet.", due_date=chosen.isoformat()).status_code
        == 302
    )
    send_pending()
    [mail] = [m for m in inbox.take() if m["To"] == world.employee.email]
    body = mail.get_content()
    assert "Send budgettet." in body
    assert f"Svar senest {chosen.day}. " in body


def test_a_request_from_the_thread_puts_its_deadline_in_the_journal_too(
    world, client, auth, screening
):
    from tests.messages.helpers import post_message

    auth.login(world.caseworker)
    chosen = future(6)
    response = post_message(
        client, screening, body="Via tråden", request="y", due_date=chosen.isoformat()
    )
    assert response.status_code == 302
    entry = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "request_information")
    ).one()
    assert entry.details["date"] == chosen.isoformat()
    assert requests_made() == [("Via tråden", chosen)]


def test_the_page_sent_back_says_error_first_in_its_title(world, client, auth, screening):
    auth.login(world.caseworker)
    assert (
        not html_page(client.get(f"/ansoegninger/{screening.id}"))
        .title.get_text()
        .startswith("Fejl")
    )
    response = ask(client, screening, comment="Mere?", due_date=future(-1).isoformat())
    assert html_page(response).title.get_text().startswith("Fejl: ")


def test_what_was_typed_comes_back_in_its_own_step_only(world, client, auth, screening):
    """A step sent back with errors shows its comment again in its own form, never in the
    other steps' (where it could be sent by mistake as another step's comment)."""
    auth.login(world.caseworker)
    response = ask(client, screening, comment="Kun til ansøgeren", due_date="2026-02-30")
    page = html_page(response)
    comments = {
        area["id"]: area.get_text() for area in page.find_all("textarea", attrs={"name": "comment"})
    }
    assert comments.pop("comment-request_information") == "Kun til ansøgeren"
    assert comments and set(comments.values()) == {""}
