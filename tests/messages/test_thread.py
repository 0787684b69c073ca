"""Messages on the case: the applicant side and the secretariat write to each other with
files, each message e-mailed to the other side in their language, journalised and kept in the
case file; a request for information with a deadline is answered in the thread (the case goes
back to the caseworker, as a resubmission does); internal notes stay with the staff."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from sqlalchemy import select

from grants.cases.models import Application
from grants.extensions import db
from grants.messages.models import CaseMessage
from grants.notifications.sender import send_pending
from grants.people.models import Role
from grants.workflow.models import JournalEntry
from tests.applications.resubmission import QUESTION, waiting_for_information
from tests.dbstate import SIGNING_IN, table_fingerprint
from tests.factories import future, make_application, make_organisation, make_user
from tests.html import field_error, flashes, one, page_text, texts
from tests.html import page as html_page
from tests.messages.helpers import post_message

PDF = b"%PDF-1.4\n% the answer\n%%EOF\n"


def note(client, application, text):
    return client.post(f"/ansoegninger/{application.id}/interne-notater", data={"note": text})


def org_case(world, state="awaiting_decision"):
    colleague = make_user(Role.EMPLOYEE, name="Kim Kolle", email="kim@example.dk", locale="en")
    organisation = make_organisation(world.employee, colleague, name="Forening A")
    application = make_application(
        world.employee, world.fund, state=state, organisation=organisation
    )
    db.session.commit()
    return application, colleague


def mails(inbox):
    send_pending()
    return {m["To"]: m for m in inbox.take()}


def test_the_caseworker_and_the_organisation_write_to_each_other(world, client, auth, inbox):
    application, colleague = org_case(world)
    auth.login(world.caseworker)
    response = post_message(
        client,
        application,
        body="Hvor mange deltager fra foreningen?",
        files=(io.BytesIO(PDF), "vejledning.pdf"),
    )
    assert response.status_code == 302
    received = mails(inbox)
    # Every member of the organisation, each in their own language.
    assert set(received) == {"medarbejder@ballerup.dk", "kim@example.dk"}
    assert "Ny besked i sag" in received["medarbejder@ballerup.dk"]["Subject"]
    assert "New message in case" in received["kim@example.dk"]["Subject"]
    assert "Hvor mange deltager" in received["kim@example.dk"].get_content()

    auth.login(colleague)
    page = client.get(f"/ansoegninger/{application.id}")
    assert "Hvor mange deltager fra foreningen?" in page_text(page)
    assert "vejledning.pdf" in texts(page, "#beskeder .message-files a")
    response = post_message(client, application, body="Vi er 14.")
    assert response.status_code == 302
    received = mails(inbox)
    assert list(received) == ["sagsbehandler@ballerup.dk"]  # the caseworker who wrote

    db.session.expire_all()
    messages = db.session.scalars(select(CaseMessage).order_by(CaseMessage.id)).all()
    assert [(m.from_applicant, m.body) for m in messages] == [
        (False, "Hvor mange deltager fra foreningen?"),
        (True, "Vi er 14."),
    ]
    assert [a.filename for a in messages[0].attachments] == ["vejledning.pdf"]
    journal = [e.action for e in application.journal]
    assert journal.count("message_sent") == 2 and "document_received" in journal
    assert application.state == "awaiting_decision"  # a message moves nothing

    # The case file holds the thread, with the file among the documents.
    auth.login(world.caseworker)
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/ansoegninger/{application.id}/sagsmappe.zip").data)
    )
    thread = archive.read("beskeder.csv").decode("utf-8-sig")
    assert "Vi er 14." in thread and "Hvor mange deltager" in thread
    assert any(name.endswith("vejledning.pdf") for name in archive.namelist())


def test_a_request_for_information_is_answered_in_the_thread(world, client, auth, inbox):
    application, colleague = org_case(world, state="screening")
    deadline = future(10)
    auth.login(world.caseworker)
    response = post_message(
        client,
        application,
        body="Send programmet for dag 2.",
        request="y",
        due_date=deadline.isoformat(),
    )
    assert response.status_code == 302, page_text(response)
    db.session.expire_all()
    assert application.state == "awaiting_information"  # the route's step
    received = mails(inbox)
    assert set(received) == {"medarbejder@ballerup.dk", "kim@example.dk"}
    # The step's status e-mail, once each, in each one's language (naming the association
    # to the representative who is not its contact person).
    assert received["kim@example.dk"]["Subject"].startswith("Application ")
    assert "from Forening A: We need information from you" in received["kim@example.dk"]["Subject"]

    # The applicant side sees, at the top, what is needed and by when.
    auth.login(colleague)
    page = client.get(f"/ansoegninger/{application.id}", headers={"Accept-Language": "da"})
    box = one(page, "#needed")
    assert "Send programmet for dag 2." in box.get_text()
    assert "Answer by" in box.get_text()  # Kim reads English

    response = post_message(
        client, application, body="Programmet er vedhæftet.", files=(io.BytesIO(PDF), "dag2.pdf")
    )
    assert response.status_code == 302, page_text(response)
    db.session.expire_all()
    assert application.state == "screening"  # answered: back with the caseworker
    assert [e.action for e in application.journal][-2:] == ["resubmit", "document_received"]
    received = mails(inbox)
    assert "sagsbehandler@ballerup.dk" in received  # the step's "your turn"
    page = client.get(f"/ansoegninger/{application.id}")
    assert page.status_code == 200
    assert html_page(page).find(id="needed") is None


def test_the_request_step_on_its_own_is_a_message_and_its_answer_by_the_form(
    world, client, auth, inbox
):
    application = waiting_for_information(world, client, auth)
    messages = db.session.scalars(select(CaseMessage)).all()
    assert [(m.kind, m.body) for m in messages] == [("request", QUESTION)]
    assert messages[0].due_date == future(14)
    auth.login(world.employee)
    page = client.get(f"/ansoegninger/{application.id}")
    assert QUESTION in one(page, "#needed").get_text()


def test_internal_notes_are_for_staff_only(world, client, auth, inbox):
    application, colleague = org_case(world)
    auth.login(world.caseworker)
    assert note(client, application, "Ringede til foreningen, de sender programmet.").status_code
    send_pending()
    assert inbox.take() == []  # a note is e-mailed to nobody
    page = client.get(f"/ansoegninger/{application.id}")
    assert "Ringede til foreningen" in one(page, "#notater").get_text()

    for person in (world.employee, colleague):
        auth.login(person)
        page = client.get(f"/ansoegninger/{application.id}")
        assert "Ringede til foreningen" not in page_text(page)
        assert page.get_data(as_text=True).count('id="notater"') == 0
        fingerprint = table_fingerprint()
        assert note(client, application, "Mit eget notat").status_code == 403
        assert table_fingerprint() == fingerprint

    # In the case file, marked as an internal working document (§ 23).
    auth.login(world.caseworker)
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/ansoegninger/{application.id}/sagsmappe.zip").data)
    )
    [name] = [n for n in archive.namelist() if n.startswith("interne-notater/")]
    text = archive.read(name).decode()
    assert text.startswith("INTERNT ARBEJDSDOKUMENT (offentlighedsloven § 23)")
    assert "Ringede til foreningen" in text
    # The applicant's own data export (the thread, if any) never holds it.
    auth.login(world.employee)
    assert post_message(client, application, body="Vi sender programmet i dag.").status_code == 302
    export = client.get("/konto/mine-data.zip")
    assert export.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(export.data)).read("mine-data.json"))
    [case] = [c for c in data["cases"] if c["id"] == application.id]
    assert [m["body"] for m in case["messages"]] == ["Vi sender programmet i dag."]
    assert "Ringede til foreningen" not in json.dumps(data, ensure_ascii=False)


def test_refusals_change_nothing(world, client, auth, inbox):
    application, _colleague = org_case(world)
    other = make_user(Role.EMPLOYEE, name="Bo Bech", email="bo@example.dk")
    make_organisation(other, name="Forening B")
    draft = make_application(world.employee, world.fund, state="draft")
    db.session.commit()
    fingerprint = table_fingerprint(skip=SIGNING_IN)
    # Another organisation's member can neither read nor write; nor can a manager write.
    auth.login(other)
    assert client.get(f"/ansoegninger/{application.id}").status_code in (403, 404)
    assert post_message(client, application, body="Hej").status_code in (403, 404)
    auth.login(world.manager)
    assert post_message(client, application, body="Hej").status_code == 403
    assert note(client, application, "Hej").status_code == 403
    # The applicant cannot make a request, and nobody writes on a draft.
    auth.login(world.employee)
    response = post_message(
        client, application, body="Hej", request="y", due_date=future(3).isoformat()
    )
    assert response.status_code == 403
    assert post_message(client, draft, body="Hej").status_code == 403
    assert table_fingerprint(skip=SIGNING_IN) == fingerprint
    send_pending()
    assert inbox.take() == []


def test_bad_input_is_shown_next_to_the_field_and_changes_nothing(world, client, auth):
    application, _colleague = org_case(world, state="screening")
    auth.login(world.caseworker)
    fingerprint = table_fingerprint()
    cases = [
        ({"body": "   "}, "body-message", "Skriv en besked."),
        (
            {"body": "Se filen", "files": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "virus.pdf")},
            "files-message",
            "Filen kan ikke bruges",
        ),
        ({"body": "Svar", "request": "y"}, "due_date-message", "Skriv fristen for svaret."),
        (
            {"body": "Svar", "request": "y", "due_date": dt.date(2020, 1, 1).isoformat()},
            "due_date-message",
            "Fristen skal ligge efter i dag.",
        ),
        ({"body": "x" * 5001}, "body-message", "Beskeden kan højst være 5000 tegn."),
    ]
    for data, field_id, message in cases:
        response = post_message(client, application, **data)
        assert response.status_code == 422, data
        assert message in (field_error(response, field_id) or ""), (field_id, page_text(response))
        assert table_fingerprint() == fingerprint
    response = note(client, application, "")
    assert response.status_code == 422
    assert field_error(response, "note-note") == "Skriv en besked."
    assert table_fingerprint() == fingerprint
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == "screening"
    assert flashes(response, "success") == []
    assert (
        db.session.scalars(select(JournalEntry).where(JournalEntry.action == "message_sent")).all()
        == []
    )
