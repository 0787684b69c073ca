"""A manager whose role came from the identity provider's group and who has left the group
loses the role at their next login (grants.administration.group_roles). Their cases that
wait for the manager's endorsement would then wait for nobody: each case's journal says
that it waits for a new manager, every administrator is e-mailed in their own language with
the cases and the person's page, and the administration's front page lists the cases as
needing a new manager until the administrator hands them over on that page
(``operations.hand_over_as_manager``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.administration.group_roles import GroupRoles
from grants.administration.models import GroupRole, GroupRoleMapping
from grants.cases.states import State
from grants.extensions import db
from grants.notifications.models import OutboxMessage
from grants.people.models import Role
from grants.workflow.journal_texts import describe
from grants.workflow.models import JournalEntry
from tests.factories import make_application, make_user
from tests.html import links, page_text

NOTE_DA = "Lars Lund er ikke længere leder. Sagen venter på, at en administrator vælger en ny leder"


@pytest.fixture
def by_group(world):
    """Lars Lund, the employee's manager, has the manager's role from the group "ledere";
    a case waits for his endorsement; a second administrator reads English."""
    db.session.add(GroupRoleMapping(group_name="ledere", role=GroupRole.MANAGER))
    for grant in world.manager.role_grants:
        if grant.role == Role.MANAGER:
            grant.granted_by_group = "ledere"
    english = make_user(Role.ADMIN, name="Emma English", email="emma@ballerup.dk", locale="en")
    karen = make_user(Role.EMPLOYEE, Role.MANAGER, name="Karen Kvist", email="karen@ballerup.dk")
    application = make_application(world.employee, world.fund, state=State.AWAITING_ENDORSEMENT)
    db.session.commit()
    return application, english, karen


def mails_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address))
    )


def journal(application) -> list[JournalEntry]:
    return list(
        db.session.scalars(
            select(JournalEntry)
            .where(JournalEntry.application_id == application.id)
            .order_by(JournalEntry.id)
        )
    )


def test_the_cases_left_waiting_are_said_and_the_administrators_told(app, world, by_group):
    application, english, _karen = by_group
    with app.test_request_context():
        GroupRoles().apply(world.manager, ["andre"])
    db.session.commit()
    assert not world.manager.has_role(Role.MANAGER)
    # The case's journal says it waits for a new manager (staff and the applicant read it).
    (entry,) = [e for e in journal(application) if e.action == "manager_lost_role"]
    assert entry.actor_id is None
    with app.test_request_context():
        assert NOTE_DA in " ".join(describe(entry.details))
    # Each administrator, in their language: who, which group, the case, where to act.
    (danish,) = mails_to(world.admin.email)
    assert "Lars Lund er ikke længere leder" in danish.subject
    assert "ledere" in danish.body and application.case_number in danish.body
    assert f"/administration/brugere/{world.manager.id}" in danish.body
    (mail,) = mails_to(english.email)
    assert "Lars Lund is no longer a manager" in mail.subject
    assert "ledere" in mail.body and application.case_number in mail.body
    assert "waiting for" in mail.body
    assert f"/administration/brugere/{world.manager.id}" in mail.body
    # Nobody else is e-mailed; the next login (the role gone already) tells nobody again.
    assert mails_to(world.caseworker.email) == [] and mails_to(world.employee.email) == []
    with app.test_request_context():
        GroupRoles().apply(world.manager, ["andre"])
    db.session.commit()
    assert len(mails_to(world.admin.email)) == 1
    assert len([e for e in journal(application) if e.action == "manager_lost_role"]) == 1


def test_the_front_page_lists_them_until_they_are_handed_over(app, world, by_group, client, auth):
    application, english, karen = by_group
    with app.test_request_context():
        GroupRoles().apply(world.manager, [])
    db.session.commit()
    auth.login(world.admin)
    page = client.get("/administration/")
    text = page_text(page)
    assert "Sager, der mangler en leder" in text
    assert "Lars Lund" in text and application.case_number in text
    person_page = f"/administration/brugere/{world.manager.id}"
    assert person_page in links(page)
    # The person's page asks who takes over; handed over, the list is empty.
    response = client.post(
        person_page,
        data={
            "roles": ["employee"],
            "active": "y",
            "manager_id": "",
            "successor_id": str(karen.id),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert application.manager_id == karen.id
    text = page_text(client.get("/administration/"))
    assert "Sager, der mangler en leder" in text and "Ingen sager mangler en leder." in text
    assert application.case_number not in text
    # In English for an administrator who reads English.
    with app.test_request_context():
        GroupRoles().apply(karen, [])  # Karen's role was given by hand: kept
    auth.login(english)
    assert "Cases that need a manager" in page_text(client.get("/administration/"))


def test_the_caseworker_reads_it_on_the_case(app, world, by_group, client, auth):
    application, _english, _karen = by_group
    with app.test_request_context():
        GroupRoles().apply(world.manager, [])
    db.session.commit()
    auth.login(world.caseworker)
    page = page_text(client.get(f"/ansoegninger/{application.id}"))
    assert NOTE_DA in page


def test_nothing_is_said_when_nothing_waits_or_the_role_stays(app, world, by_group):
    application, english, _karen = by_group
    with app.test_request_context():
        GroupRoles().apply(world.manager, ["ledere"])  # still in the group
    db.session.commit()
    assert world.manager.has_role(Role.MANAGER)
    application.state = State.AWAITING_DECISION  # endorsed already
    db.session.commit()
    with app.test_request_context():
        GroupRoles().apply(world.manager, [])
    db.session.commit()
    assert not world.manager.has_role(Role.MANAGER)
    assert mails_to(world.admin.email) == [] and mails_to(english.email) == []
    assert [e for e in journal(application) if e.action == "manager_lost_role"] == []
