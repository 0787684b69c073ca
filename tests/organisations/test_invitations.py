"""The invitations to an organisation not yet taken: its page lists them (to whom, who
invited, when, until when), one who acts for it cancels one, and the cancelled invitation's
link is refused, saying it was cancelled. Nobody else can cancel, and a refusal changes
nothing."""

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
    # The secretariat, a stranger, a member of another association.
    for person in (world.caseworker, world.outsider, stranger):
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


def test_the_secretariat_sees_the_list_without_the_button(client, auth, world, association):
    organisation, kim = association
    invited(client, organisation, "ny@example.dk", world.employee)
    auth.login(world.caseworker)
    (row,) = listed(client, organisation)
    assert row[0] == "ny@example.dk" and len(row) == 4
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 2
