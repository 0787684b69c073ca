"""The invitations to an organisation not yet taken: its page lists them (to whom, who
invited, when, until when), one who acts for it cancels one, or the secretariat does on the
organisation's request (as it removes a member), and the cancelled invitation's link is
refused, saying it was cancelled. The invited person is told by e-mail, in the language the
invitation was written in. Nobody else can cancel, and a refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from grants.audit.models import AuditEvent
from grants.core import clock
from grants.extensions import db
from grants.notifications.models import OutboxMessage
from grants.organisations import operations
from grants.organisations.models import Invitation, Membership
from tests import html
from tests.dbstate import SIGNING_IN, table_fingerprint
from tests.factories import make_organisation, make_user


def invited(client, organisation, email, by) -> tuple[Invitation, str]:
    """An invitation sent by ``by``, and the link's path."""
    with client.application.test_request_context():
        invitation = operations.invite(organisation, email, by)
    body = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first().body
    token = body.split("/invitationer/")[1].split()[0]
    db.session.commit()
    return invitation, f"/invitationer/{token}"


@pytest.fixture
def association(world):
    """Forening A: the demo employee and Kim act for it; Kim reads English."""
    kim = make_user(name="Kim Kolle", email="kim@example.dk", locale="en")
    organisation = make_organisation(world.employee, kim, name="Forening A")
    db.session.commit()
    return organisation, kim


def cancel(client, organisation, invitation_id):
    return client.post(
        f"/organisationer/{organisation.id}/invitationer/annuller",
        data={"invitation_id": str(invitation_id)},
    )


def listed(client, organisation) -> list[list[str]]:
    response = client.get(f"/organisationer/{organisation.id}")
    assert response.status_code == 200
    if html.page(response).select_one("#invitations") is None:
        return []
    return html.table_rows(response, "#invitations")[1:]


@pytest.mark.parametrize("locale", ["da", "en"])
def test_the_page_lists_the_pending_invitations(client, auth, world, association, locale):
    organisation, kim = association
    pending, _path = invited(client, organisation, "ny@example.dk", world.employee)
    taken, taken_path = invited(client, organisation, "kim2@example.dk", kim)
    taken.accepted_at = clock.now()
    old, _old_path = invited(client, organisation, "gammel@example.dk", kim)
    old.expires_at = clock.now() - dt.timedelta(minutes=1)
    db.session.commit()
    auth.login(kim)
    client.post("/sprog", data={"locale": locale})
    (row,) = listed(client, organisation)
    assert row[0] == "ny@example.dk" and row[1] == world.employee.name
    assert row[4] == {"da": "Annuller", "en": "Cancel"}[locale]
    page = client.get(f"/organisationer/{organisation.id}")
    heading = {"da": "Invitationer, der ikke er taget imod", "en": "Invitations not yet taken"}
    assert heading[locale] in html.page_text(page)


def test_a_representative_cancels_and_the_link_says_so(client, auth, world, association):
    organisation, kim = association
    invitation, path = invited(client, organisation, "forkert@example.dk", world.employee)
    auth.login(kim)  # not the one who sent it
    response = cancel(client, organisation, invitation.id)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert any("forkert@example.dk" in n for n in html.flashes(page))
    assert listed(client, organisation) == []
    db.session.expire_all()
    assert invitation.cancelled_at is not None and invitation.cancelled_by_id == kim.id
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "organisation.invitation_cancelled")
    ).one()
    assert event.actor_id == kim.id

    # The invited person, signed in or not, is told it was cancelled, in their language.
    auth.logout()
    client.post("/sprog", data={"locale": "da"})
    response = client.get(path)
    assert response.status_code == 410
    assert "Invitationen er annulleret" in html.page_text(response)
    assert "Forening A" in html.page_text(response)
    person = make_user(name="Fie Forkert", email="forkert@example.dk", locale="en")
    db.session.commit()
    auth.login(person)
    client.post("/sprog", data={"locale": "en"})
    response = client.get(path)
    assert response.status_code == 410
    assert "The invitation has been cancelled" in html.page_text(response)
    before = table_fingerprint(skip=SIGNING_IN)
    assert client.post(path).status_code == 410
    assert table_fingerprint(skip=SIGNING_IN) == before
    assert not organisation.has_member(person)


def test_a_cancel_after_the_invitation_was_taken_is_refused(client, auth, world, association):
    organisation, kim = association
    invitation, path = invited(client, organisation, "ny@example.dk", world.employee)
    person = make_user(name="Niels Ny", email="ny@example.dk")
    db.session.commit()
    auth.login(person)
    assert client.post(path).status_code == 302
    auth.login(kim)
    before = table_fingerprint(skip=SIGNING_IN)
    response = cancel(client, organisation, invitation.id)
    assert response.status_code == 422
    assert any("has already accepted the invitation" in n for n in html.flashes(response))
    assert table_fingerprint(skip=SIGNING_IN) == before


def test_an_invitation_cancelled_while_the_page_was_open_is_not_taken(
    client, auth, world, association
):
    """Opened, then cancelled, then the button pressed: refused, no member made."""
    organisation, kim = association
    invitation, path = invited(client, organisation, "ny@example.dk", world.employee)
    person = make_user(name="Niels Ny", email="ny@example.dk")
    db.session.commit()
    with client.application.test_request_context():
        found = operations.find_invitation(path.rsplit("/", 1)[1])
        operations.cancel_invitation(organisation, invitation.id, kim)
        with pytest.raises(Exception, match="annulleret"):
            operations.accept(found, person)
    db.session.rollback()


def test_nobody_else_cancels(client, auth, world, association):
    organisation, kim = association
    invitation, _path = invited(client, organisation, "ny@example.dk", world.employee)
    stranger = make_user(name="Sif Anden", email="sif@example.dk")
    other = make_organisation(stranger, name="Forening B")
    db.session.commit()
    before = table_fingerprint(skip=SIGNING_IN)
    # A finance officer, a manager, a stranger, a member of another association.
    for person in (world.finance, world.manager, world.outsider, stranger):
        auth.login(person)
        assert cancel(client, organisation, invitation.id).status_code == 403, person.email
    # Another association's member through their own organisation's address: not theirs.
    auth.login(stranger)
    response = cancel(client, other, invitation.id)
    assert response.status_code == 422
    assert table_fingerprint(skip=SIGNING_IN) == before
    auth.logout()
    assert cancel(client, organisation, invitation.id).status_code in (302, 401)
    assert table_fingerprint(skip=SIGNING_IN) == before
    db.session.expire_all()
    assert invitation.cancelled_at is None


@pytest.mark.parametrize("value", ["", "abc", "0", "99999999999999999999", "-1"])
def test_bad_input_changes_nothing(client, auth, world, association, value):
    organisation, kim = association
    invited(client, organisation, "ny@example.dk", world.employee)
    auth.login(kim)
    before = table_fingerprint(skip=SIGNING_IN)
    response = cancel(client, organisation, value)
    assert response.status_code == 422
    assert html.flashes(response)
    assert table_fingerprint(skip=SIGNING_IN) == before


def test_the_secretariat_sees_the_list_with_the_button(client, auth, world, association):
    organisation, kim = association
    invited(client, organisation, "ny@example.dk", world.employee)
    auth.login(world.caseworker)
    (row,) = listed(client, organisation)
    assert row[0] == "ny@example.dk" and row[4] == "Annuller"
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 2


def mails_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(func.lower(OutboxMessage.to_address) == address.lower())
            .order_by(OutboxMessage.id)
        )
    )


def test_the_secretariat_cancels_and_the_invitee_is_told(client, auth, world, association):
    """On the organisation's request (an invitation to a wrong address): the caseworker
    cancels it, the link is refused, the invitee gets an e-mail, the audit names the
    caseworker. The secretariat's own login is the municipality's: no MitID level asked."""
    organisation, kim = association
    invitation, path = invited(client, organisation, "forkert@example.dk", world.employee)
    auth.login(world.caseworker)
    response = cancel(client, organisation, invitation.id)
    assert response.status_code == 302, html.errors(response)
    db.session.expire_all()
    assert invitation.cancelled_by_id == world.caseworker.id
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "organisation.invitation_cancelled")
    ).one()
    assert event.actor_id == world.caseworker.id
    _sent, told = mails_to("forkert@example.dk")
    assert told.subject == "Invitationen til at handle for Forening A er annulleret"
    assert "kommunens sekretariat" in told.body
    assert "/invitationer/" not in told.body  # the dead link is not sent again
    auth.logout()
    assert client.get(path).status_code == 410


def test_the_invitee_is_told_in_the_invitations_language(client, auth, world, association):
    """Kim reads English and invites: the invitation went out in English, so does the word
    that it is cancelled, whoever cancels it and whatever they read."""
    organisation, kim = association
    invitation, _path = invited(client, organisation, "ny@example.dk", kim)
    assert invitation.locale == "en"
    sent = mails_to("ny@example.dk")
    assert sent[0].subject.startswith("Invitation: apply for grants for Forening A")
    auth.login(world.employee)  # reads Danish
    assert cancel(client, organisation, invitation.id).status_code == 302
    _sent, told = mails_to("ny@example.dk")
    assert told.subject == "The invitation to act for Forening A has been cancelled"
    assert world.employee.name in told.body
    assert "The link in the invitation no longer works" in told.body


def test_an_existing_users_invitation_keeps_its_language(client, auth, world, association):
    """A person with an account gets the invitation in their own language; if they change
    it afterwards, the cancellation still comes in the invitation's."""
    organisation, kim = association
    person = make_user(name="Niels Ny", email="Ny@Example.dk", locale="da")
    db.session.commit()
    invitation, _path = invited(client, organisation, "ny@example.dk", kim)
    assert invitation.locale == "da"
    person.locale = "en"
    db.session.commit()
    auth.login(kim)
    assert cancel(client, organisation, invitation.id).status_code == 302
    _sent, told = mails_to("ny@example.dk")
    assert told.subject == "Invitationen til at handle for Forening A er annulleret"
    assert told.recipient_id == person.id
    assert "Kim Kolle har annulleret" in told.body


def test_a_refused_cancel_sends_nothing(client, auth, world, association):
    organisation, kim = association
    invitation, _path = invited(client, organisation, "ny@example.dk", world.employee)
    invitation.expires_at = clock.now() - dt.timedelta(minutes=1)
    db.session.commit()
    auth.login(world.caseworker)
    before = table_fingerprint(skip=SIGNING_IN)
    response = cancel(client, organisation, invitation.id)
    assert response.status_code == 422
    assert table_fingerprint(skip=SIGNING_IN) == before
    assert len(mails_to("ny@example.dk")) == 1
