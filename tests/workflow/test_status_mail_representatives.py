"""The status e-mail of a step on an association's case goes to everyone who acts for the
association, each in their own language, once each: not to the contact person alone (the
thread's messages already went to them all). Not to the one who took the step, unless they
are the contact person; never to someone who no longer acts for it, nor to an inactive
account."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from grants.extensions import db
from grants.notifications.models import OutboxMessage
from grants.people.models import Role
from grants.workflow import engine
from tests.factories import future, make_application, make_organisation, make_user
from tests.messages.helpers import post_message


def org_case(world, state="screening"):
    colleague = make_user(Role.EMPLOYEE, name="Kim Kolle", email="kim@example.dk", locale="en")
    former = make_user(Role.EMPLOYEE, name="Finn Fhv", email="finn@example.dk")
    asleep = make_user(Role.EMPLOYEE, name="Sara Sover", email="sara@example.dk")
    asleep.active = False
    organisation = make_organisation(world.employee, colleague, asleep, name="Forening A")
    make_organisation(former, name="Forening B")  # another association's
    application = make_application(
        world.employee, world.fund, state=state, organisation=organisation
    )
    db.session.commit()
    return application, colleague


def outbox(application) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.application_id == application.id)
            .order_by(OutboxMessage.id)
        )
    )


def test_a_request_tells_every_representative_once_in_their_language(world, client, auth):
    application, colleague = org_case(world)
    auth.login(world.caseworker)
    response = post_message(
        client, application, body="Send programmet.", request="y",
        due_date=future(10).isoformat(),
    )  # fmt: skip
    assert response.status_code == 302
    sent = outbox(application)
    to = Counter(m.to_address for m in sent)
    assert to == {"medarbejder@ballerup.dk": 1, "kim@example.dk": 1}
    by_address = {m.to_address: m for m in sent}
    danish, english = by_address["medarbejder@ballerup.dk"], by_address["kim@example.dk"]
    assert "Send programmet." in danish.body and "Send programmet." in english.body
    assert "Svar senest" in danish.body and "Answer by" in english.body


def test_a_decision_tells_every_representative_in_their_language(app, world):
    application, colleague = org_case(world)
    with app.test_request_context():
        engine.take(application, "refuse", world.caseworker, "Turen ligger uden for puljen.")
        db.session.commit()
    # The manager named on the case hears of the decision as before.
    sent = [m for m in outbox(application) if m.to_address != "leder@ballerup.dk"]
    to = Counter(m.to_address for m in sent)
    assert to == {"medarbejder@ballerup.dk": 1, "kim@example.dk": 1}
    by_address = {m.to_address: m for m in sent}
    danish, english = by_address["medarbejder@ballerup.dk"], by_address["kim@example.dk"]
    assert danish.subject.startswith("Din ansøgning")
    assert english.subject.startswith("Application ") and "from Forening A" in english.subject
    assert "Dear Kim Kolle" in english.body and "Refused" in english.body
    assert "Turen ligger uden for puljen." in english.body


def test_the_representative_who_took_the_step_is_not_told_the_contact_person_is(
    world, client, auth
):
    application, colleague = org_case(world)
    auth.login(world.caseworker)
    post_message(
        client, application, body="Send programmet.", request="y",
        due_date=future(10).isoformat(),
    )  # fmt: skip
    before = len(outbox(application))
    auth.login(colleague)
    assert post_message(client, application, body="Her er det.").status_code == 302
    db.session.expire_all()
    assert application.state == "screening"  # answered by the route's step
    told = [m.to_address for m in outbox(application)[before:]]
    assert "kim@example.dk" not in told
    assert "finn@example.dk" not in told and "sara@example.dk" not in told
