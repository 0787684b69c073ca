"""Complaints: the secretariat records a complaint forwarded to the complaints body the
letter names, and later its outcome; both in the case's journal."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from grants.cases.models import Complaint, ComplaintOutcome
from grants.core import clock
from grants.extensions import db
from grants.workflow.journal_texts import describe
from grants.workflow.models import JournalEntry
from tests import html
from tests.applications.helpers import partly_granted
from tests.factories import make_application


@pytest.fixture
def decided_case(world):
    return partly_granted(world)


def complaints_of(application) -> list[Complaint]:
    return list(
        db.session.scalars(select(Complaint).where(Complaint.application_id == application.id))
    )


def journal(application, action):
    return db.session.scalars(
        select(JournalEntry).where(
            JournalEntry.application_id == application.id, JournalEntry.action == action
        )
    ).all()


def record_outcome(client, url, complaint, outcome: str):
    """The complaints body's outcome of the complaint, dated today, posted on its form."""
    return client.post(
        f"{url}/{complaint.id}/udfald",
        data={
            f"c{complaint.id}-outcome": outcome,
            f"c{complaint.id}-outcome_on": clock.today().isoformat(),
        },
    )


def test_the_caseworker_records_a_complaint_and_its_outcome(world, decided_case, client, auth):
    auth.login(world.caseworker)
    url = f"/ansoegninger/{decided_case.id}/klager"
    page = client.get(url)
    assert page.status_code == 200
    # The standard complaint guidance names the Ombudsman: suggested as the body.
    assert html.field_value(page, "body") == "Folketingets Ombudsmand"
    today = clock.today()

    forwarded = client.post(
        url,
        data={"body": "Folketingets Ombudsmand", "forwarded_on": today.isoformat(), "note": "Mail"},
    )
    assert forwarded.status_code == 302
    (complaint,) = complaints_of(decided_case)
    assert complaint.outcome is None

    decided = record_outcome(client, url, complaint, "upheld")
    assert decided.status_code == 302
    db.session.refresh(complaint)
    assert complaint.outcome is ComplaintOutcome.UPHELD
    (sent,) = journal(decided_case, "complaint_forwarded")
    (outcome,) = journal(decided_case, "complaint_decided")
    assert describe(sent.details) == [
        f"Klagen er sendt til Folketingets Ombudsmand den {html_date(today)}."
    ]
    assert "afgørelsen er stadfæstet" in describe(outcome.details)[0]
    with force_locale("en"):
        assert "the decision is upheld" in describe(outcome.details)[0]
    shown = html.text_of(client.get(url))
    assert (
        "Afgjort den" in shown and "Afgørelsen er stadfæstet" not in shown.split("Registrér en")[1]
    )
    # The case's journal shows both steps.
    case_page = html.text_of(client.get(f"/ansoegninger/{decided_case.id}"))
    assert "Klage videresendt til klageinstansen" in case_page
    assert "Klageinstansens afgørelse" in case_page

    again = record_outcome(client, url, complaint, "changed")
    assert again.status_code == 422
    db.session.refresh(complaint)
    assert complaint.outcome is ComplaintOutcome.UPHELD


def html_date(day: dt.date) -> str:
    from grants.core.formatting import long_date

    return long_date(day)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": "", "forwarded_on": "TODAY"}, "body"),
        ({"body": "Ankestyrelsen", "forwarded_on": ""}, "forwarded_on"),
        ({"body": "Ankestyrelsen", "forwarded_on": "FUTURE"}, "forwarded_on"),
        ({"body": "Ankestyrelsen", "forwarded_on": "ikke en dato"}, "forwarded_on"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_kept(
    world, decided_case, client, auth, data, field
):
    auth.login(world.caseworker)
    days = {"TODAY": clock.today(), "FUTURE": clock.today() + dt.timedelta(days=3)}
    data = {k: days[v].isoformat() if v in days else v for k, v in data.items()}

    response = client.post(f"/ansoegninger/{decided_case.id}/klager", data=data)

    assert response.status_code == 422
    assert html.field_error(response, field)
    assert complaints_of(decided_case) == []
    assert journal(decided_case, "complaint_forwarded") == []


def test_an_outcome_must_be_chosen(world, decided_case, client, auth):
    auth.login(world.caseworker)
    url = f"/ansoegninger/{decided_case.id}/klager"
    client.post(url, data={"body": "Ankestyrelsen", "forwarded_on": clock.today().isoformat()})
    (complaint,) = complaints_of(decided_case)

    response = client.post(
        f"{url}/{complaint.id}/udfald",
        data={f"c{complaint.id}-outcome_on": clock.today().isoformat()},
    )

    assert response.status_code == 422
    assert html.field_error(response, f"c{complaint.id}-outcome")
    db.session.refresh(complaint)
    assert complaint.outcome is None


@pytest.mark.parametrize("who", ["employee", "outsider", "finance", "manager", "board_member"])
def test_only_the_secretariat_records_complaints(world, decided_case, client, auth, who):
    auth.login(getattr(world, who))
    url = f"/ansoegninger/{decided_case.id}/klager"

    assert client.get(url).status_code in (403, 404)
    posted = client.post(
        url, data={"body": "Ankestyrelsen", "forwarded_on": clock.today().isoformat()}
    )
    assert posted.status_code in (403, 404)
    assert complaints_of(decided_case) == []


def test_a_case_without_a_decision_has_no_complaints_page(world, client, auth):
    undecided = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    auth.login(world.caseworker)

    assert client.get(f"/ansoegninger/{undecided.id}/klager").status_code == 403


def test_the_purge_blanks_the_notes_on_complaints_and_keeps_the_facts(world):
    from grants.privacy import operations as privacy
    from tests.privacy.test_privacy import old_closed_case

    case = old_closed_case(world.employee, world.fund, world.caseworker, years_ago=7)
    complaint = Complaint(
        application_id=case.id,
        body="Ankestyrelsen",
        forwarded_on=clock.today() - dt.timedelta(days=365 * 7),
        note="Mette Madsen klagede pr. telefon",
        outcome=ComplaintOutcome.UPHELD,
        outcome_on=clock.today() - dt.timedelta(days=365 * 7 - 30),
        outcome_note="Mette fik ikke medhold",
    )
    db.session.add(complaint)
    db.session.commit()

    privacy.purge(6, actor=world.admin)
    db.session.commit()
    db.session.refresh(complaint)

    assert (complaint.note, complaint.outcome_note) == ("", "")
    assert complaint.body == "Ankestyrelsen"
    assert complaint.outcome is ComplaintOutcome.UPHELD


def test_nobody_records_the_complaints_on_their_own_case(world, client, auth):
    """A caseworker who applied, or who belongs to the applying organisation, records
    neither a complaint about their own decision nor the complaints body's outcome, nor
    journalises the case (forvaltningsloven § 3); a colleague does."""
    from grants.core import access
    from grants.people.models import Role
    from tests.factories import make_organisation, make_user

    own = make_application(
        world.caseworker, world.fund, state="partly_granted", decided_at=clock.now()
    )
    club = make_application(
        world.employee,
        world.fund,
        state="partly_granted",
        decided_at=clock.now(),
        organisation=make_organisation(world.employee, world.caseworker),
    )
    colleague = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Kaj Kollega")
    db.session.commit()
    auth.login(world.caseworker)
    for application in (own, club):
        url = f"/ansoegninger/{application.id}/klager"
        assert client.get(url).status_code == 403
        posted = client.post(
            url, data={"body": "Ankestyrelsen", "forwarded_on": clock.today().isoformat()}
        )
        assert posted.status_code == 403
        assert complaints_of(application) == []
        assert not access.may(world.caseworker, "case.journalise", application)
        assert access.may(colleague, "case.journalise", application)
    auth.login(colleague)
    assert client.get(f"/ansoegninger/{own.id}/klager").status_code == 200
