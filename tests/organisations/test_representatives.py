"""The people who act for an organisation change: a member removes another, a person leaves,
the secretariat removes a chair who has gone. Whoever no longer acts for it loses its cases at
once, the ones they applied for too, and those cases go on with another member as their
contact person: the e-mails and letters follow, and the journal says so."""

from __future__ import annotations

import re

from sqlalchemy import select

from grants.extensions import db
from grants.funds.models import Fund
from grants.organisations.models import Membership
from grants.people.models import Role
from grants.workflow import engine
from grants.workflow.models import JournalEntry
from tests.dbstate import table_fingerprint
from tests.factories import make_application, make_organisation, make_user, make_youth_fund
from tests.html import flashes, page_text


def _remove(client, organisation, membership):
    return client.post(
        f"/organisationer/{organisation.id}/medlemmer/fjern",
        data={"membership_id": str(membership.id)},
    )


def _membership(organisation, user) -> Membership:
    return next(m for m in organisation.members if m.user_id == user.id)


def _open_case(world, applicant, organisation, state="screening"):
    fund = db.session.scalar(select(Fund).where(Fund.code == "ungdomsrejser")) or make_youth_fund()
    application = make_application(applicant, fund, state=state, title="Orkestertur til Prag")
    application.organisation = organisation
    db.session.commit()
    return application


def test_a_member_who_is_removed_loses_the_organisations_open_case(world, client, auth, inbox):
    frida = make_user(name="Frida Frost", email="frida@example.dk")
    lars = make_user(name="Lars Larsen", email="lars@example.dk")
    organisation = make_organisation(frida, lars, name="Ballerup Ungdomsorkester")
    application = _open_case(world, frida, organisation)

    auth.login(lars)
    response = _remove(client, organisation, _membership(organisation, frida))
    assert response.status_code == 302
    db.session.expire_all()
    assert [m.user.name for m in organisation.members] == ["Lars Larsen"]
    # The case is the organisation's: it goes on with Lars as its contact person.
    assert application.applicant_id == lars.id
    entry = db.session.scalars(
        select(JournalEntry).where(
            JournalEntry.application_id == application.id,
            JournalEntry.action == "representative_removed",
        )
    ).one()
    assert entry.actor_id == lars.id and entry.visible_to_applicant
    page = page_text(client.get(f"/ansoegninger/{application.id}"))
    assert "Frida Frost handler ikke længere for organisationen" in page
    assert "kontaktperson er nu Lars Larsen" in page
    [mail] = inbox.take()
    assert mail["To"] == "frida@example.dk"
    assert "Ballerup Ungdomsorkester" in mail["Subject"]

    # Frida sees neither the case she applied for nor the organisation, and cannot act.
    auth.login(frida)
    assert client.get(f"/ansoegninger/{application.id}").status_code == 403
    assert client.get(f"/organisationer/{organisation.id}").status_code == 403
    assert "Orkestertur til Prag" not in page_text(client.get("/ansoegninger/mine"))
    assert client.post(f"/ansoegninger/{application.id}/trin/withdraw").status_code in (403, 404)
    db.session.expire_all()
    assert application.state == "screening"


def test_a_person_who_leaves_hands_their_cases_to_the_longest_serving_member(
    world, client, auth, inbox
):
    first = make_user(name="Første Formand", email="forste@example.dk")
    frida = make_user(name="Frida Frost", email="frida@example.dk", locale="en")
    organisation = make_organisation(first, frida, name="Skovlunde Spejdere")
    later = make_user(name="Senere Medlem")
    organisation.members.append(Membership(user=later))
    application = _open_case(world, frida, organisation, state="awaiting_information")
    settled = _open_case(world, frida, organisation, state="settled")

    auth.login(frida)
    client.post("/sprog", data={"locale": "en", "next": "/"})
    response = _remove(client, organisation, _membership(organisation, frida))
    assert response.status_code == 302 and response.headers["Location"].endswith("/organisationer")
    db.session.expire_all()
    assert application.applicant_id == first.id
    assert settled.applicant_id == first.id
    assert not organisation.has_member(frida)
    assert client.get(f"/ansoegninger/{application.id}").status_code == 403
    assert client.get(f"/ansoegninger/{settled.id}").status_code == 403
    # The new contact person is told which cases are now theirs; the leaver knows already.
    [mail] = inbox.take()
    assert mail["To"] == "forste@example.dk"
    body = mail.get_content()
    assert application.case_number in body and settled.case_number in body
    assert "Frida Frost" in body


def test_the_status_mails_of_a_case_follow_its_new_contact_person(world, client, auth, inbox):
    frida = make_user(name="Frida Frost", email="frida@example.dk")
    lars = make_user(name="Lars Larsen", email="lars@example.dk")
    organisation = make_organisation(frida, lars)
    application = _open_case(world, frida, organisation)
    auth.login(lars)
    _remove(client, organisation, _membership(organisation, frida))
    inbox.take()

    auth.login(world.caseworker)
    response = client.post(
        f"/ansoegninger/{application.id}/trin/request_information",
        data={"comment": "Send programmet dag for dag."},
    )
    assert response.status_code == 302
    recipients = {mail["To"] for mail in inbox.take()}
    assert "lars@example.dk" in recipients
    assert "frida@example.dk" not in recipients


def test_the_last_person_cannot_leave(world, client, auth):
    frida = make_user(name="Frida Frost")
    organisation = make_organisation(frida, name="Ballerup Ungdomsorkester")
    application = _open_case(world, frida, organisation)
    auth.login(frida)
    before = table_fingerprint()
    response = _remove(client, organisation, _membership(organisation, frida))
    assert response.status_code == 422
    assert any("den eneste" in notice for notice in flashes(response)), flashes(response)
    assert table_fingerprint() == before
    assert client.get(f"/ansoegninger/{application.id}").status_code == 200


def test_an_inactive_member_does_not_keep_the_organisation(world, client, auth):
    frida = make_user(name="Frida Frost")
    gone = make_user(name="Gammelt Medlem")
    gone.active = False
    organisation = make_organisation(frida, gone)
    db.session.commit()
    auth.login(frida)
    before = table_fingerprint()
    response = _remove(client, organisation, _membership(organisation, frida))
    assert response.status_code == 422
    assert table_fingerprint() == before


def test_outsiders_and_other_organisations_memberships_are_refused(world, client, auth):
    frida, lars = make_user(), make_user()
    organisation = make_organisation(frida, lars)
    other = make_organisation(make_user(), make_user())
    db.session.commit()
    auth.login(world.outsider)
    before = table_fingerprint()
    assert _remove(client, organisation, _membership(organisation, frida)).status_code == 403
    assert table_fingerprint() == before
    # A member of one organisation cannot remove someone of another through its address.
    auth.login(frida)
    before = table_fingerprint()
    response = _remove(client, organisation, other.members[0])
    assert response.status_code == 422
    response = client.post(
        f"/organisationer/{organisation.id}/medlemmer/fjern", data={"membership_id": "²"}
    )
    assert response.status_code == 422
    assert table_fingerprint() == before


def test_removing_twice_changes_nothing_the_second_time(world, client, auth):
    frida, lars = make_user(), make_user(name="Lars Larsen")
    organisation = make_organisation(frida, lars)
    membership = _membership(organisation, lars)
    db.session.commit()
    auth.login(frida)
    assert _remove(client, organisation, membership).status_code == 302
    before = table_fingerprint()
    response = _remove(client, organisation, membership)
    assert response.status_code == 422
    assert table_fingerprint() == before


def test_the_secretariat_removes_a_chair_who_has_gone(world, client, auth):
    frida, lars = make_user(name="Frida Frost"), make_user(name="Lars Larsen")
    organisation = make_organisation(frida, lars)
    application = _open_case(world, frida, organisation)
    auth.login(world.caseworker)
    assert _remove(client, organisation, _membership(organisation, frida)).status_code == 302
    db.session.expire_all()
    assert application.applicant_id == lars.id


def test_the_members_list_offers_removal_in_both_languages(world, client, auth):
    frida = make_user(name="Frida Frost")
    lars = make_user(name="Lars Larsen")
    organisation = make_organisation(frida, lars)
    db.session.commit()
    auth.login(frida)
    page = page_text(client.get(f"/organisationer/{organisation.id}"))
    assert "Forlad organisationen" in page and "Fjern" in page
    client.post("/sprog", data={"locale": "en", "next": "/"})
    page = page_text(client.get(f"/organisationer/{organisation.id}"))
    assert "Leave the organisation" in page and "Remove" in page


def test_the_invitations_a_removed_person_sent_end_with_them(world, client, auth, inbox):
    frida = make_user(name="Frida Frost", email="frida@example.dk")
    lars = make_user(name="Lars Larsen")
    organisation = make_organisation(frida, lars)
    db.session.commit()
    auth.login(frida)
    client.post(f"/organisationer/{organisation.id}/invitationer", data={"email": "ven@example.dk"})
    [mail] = inbox.take()
    link = re.search(r"https?://\S+/invitationer/\S+", mail.get_content()).group(0)
    path = link.split("grants.test", 1)[1]

    auth.login(lars)
    assert _remove(client, organisation, _membership(organisation, frida)).status_code == 302
    # The friend Frida invited cannot join after she is gone.
    auth.logout()
    assert client.get(path).status_code == 404


def test_a_caseworker_who_leaves_the_association_still_never_decides_its_case(world, client, auth):
    """Nobody decides their own application (forvaltningsloven § 3): a caseworker who applied
    for her association and then left it is still disqualified on that case, and so is a
    contact person who took the case over and left in turn."""
    sara = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Sara Sagsbehandler")
    lars = make_user(name="Lars Larsen")
    organisation = make_organisation(sara, lars)
    application = _open_case(world, sara, organisation)
    db.session.add(JournalEntry(application_id=application.id, actor_id=sara.id, action="created"))
    db.session.commit()

    auth.login(sara)
    assert _remove(client, organisation, _membership(organisation, sara)).status_code == 302
    db.session.expire_all()
    assert engine.case_roles(application, sara) == set()
    before = table_fingerprint()
    response = client.post(
        f"/ansoegninger/{application.id}/afgoerelse",
        data={"action": "grant", "amount": "", "reasons": ""},
    )
    assert response.status_code == 403
    assert table_fingerprint() == before

    # A caseworker who took the case over as its contact person and then left is too.
    kim = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Kim Kontakt")
    organisation.members.append(Membership(user=kim))
    db.session.commit()
    auth.login(kim)
    assert _remove(client, organisation, _membership(organisation, lars)).status_code == 302
    db.session.expire_all()
    assert application.applicant_id == kim.id
    newcomer = make_user(name="Ny Formand")
    organisation.members.append(Membership(user=newcomer))
    db.session.commit()
    assert _remove(client, organisation, _membership(organisation, kim)).status_code == 302
    db.session.expire_all()
    assert application.applicant_id == newcomer.id
    assert engine.case_roles(application, kim) == set()
    # Another caseworker decides as before.
    assert engine.case_roles(application, world.caseworker)
