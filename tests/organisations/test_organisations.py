"""Organisations are registered once, several people act for them, and each sees all its
cases; a member invites another by e-mail."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.organisations.models import Invitation, Membership, Organisation
from tests.factories import PASSWORD, make_application, make_organisation, make_user
from tests.html import field_error, field_errors, notices, page_text
from tests.people.helpers import sign_up

ORGANISATION = {
    "name": "Skovlunde Spejdere",
    "kind": "association",
    "cvr": "31415926",
    "address": "Skolevej 2",
    "postcode": "2740",
    "city": "Skovlunde",
    "email": "kontakt@spejder.example.dk",
    "phone": "",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_person_signs_up_and_registers_an_association(world, client):
    response = sign_up(client, "frida@example.dk", "Frida Frost", PASSWORD)
    assert response.status_code == 302
    response = client.post("/organisationer/ny", data=ORGANISATION)
    assert response.status_code == 302
    organisation = db.session.scalars(select(Organisation)).one()
    assert (organisation.name, organisation.cvr) == ("Skovlunde Spejdere", "31415926")
    assert [m.user.email for m in organisation.members] == ["frida@example.dk"]
    page = client.get(f"/organisationer/{organisation.id}").get_data(as_text=True)
    assert "Skovlunde Spejdere" in page_text(page) and "Invitér en person" in page_text(page)
    assert not any("ligger ikke i kommunen" in notice for notice in notices(page))
    assert "ligger ikke i kommunen" not in page_text(page)


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"cvr": ""}, "cvr", "En forening skal have et CVR-nummer."),
        ({"cvr": "1234"}, "cvr", "Et CVR-nummer er 8 cifre."),
        ({"postcode": "27500"}, "postcode", "Et postnummer er 4 cifre."),
        ({"name": ""}, "name", "Skriv organisationens navn."),
        ({"email": "ikke-en-adresse"}, "email", "Skriv en gyldig e-mailadresse."),
        ({"kind": "company"}, "kind", "Vælg en af mulighederne."),
    ],
)
def test_bad_organisation_input_is_refused(world, client, auth, overrides, field, message):
    auth.login(world.employee)
    response = client.post("/organisationer/ny", data={**ORGANISATION, **overrides})
    assert response.status_code == 422
    assert message in (field_error(response, field) or ""), field_errors(response)
    assert count(Organisation) == 0


def test_an_organisation_is_registered_once(world, client, auth):
    make_organisation(world.outsider, cvr="31415926")
    db.session.commit()
    auth.login(world.employee)
    response = client.post("/organisationer/ny", data=ORGANISATION)
    assert response.status_code == 422
    assert "allerede oprettet" in page_text(response)
    assert count(Organisation) == 1


def test_a_school_needs_no_cvr(world, client, auth):
    auth.login(world.employee)
    response = client.post("/organisationer/ny", data={**ORGANISATION, "kind": "school", "cvr": ""})
    assert response.status_code == 302


def test_a_member_invites_another_by_email(world, client, auth, inbox):
    founder = make_user(name="Frida Frost", email="frida@example.dk")
    organisation = make_organisation(founder, name="Skovlunde Spejdere")
    db.session.commit()
    auth.login(founder)
    response = client.post(
        f"/organisationer/{organisation.id}/invitationer", data={"email": "ny@example.dk"}
    )
    assert response.status_code == 302
    [mail] = inbox.take()
    assert mail["To"] == "ny@example.dk" and "Skovlunde Spejdere" in mail["Subject"]
    link = re.search(r"https?://\S+/invitationer/\S+", mail.get_content()).group(0)
    path = link.split("grants.test", 1)[1]

    # The invited person has no account: the link asks them to log in or sign up.
    auth.logout()
    page = client.get(path).get_data(as_text=True)
    assert "Opret konto" in page_text(page)
    sign_up(client, "ny@example.dk", "Niels Ny", PASSWORD, next_path=path)
    response = client.post(path)
    assert response.status_code == 302
    db.session.expire_all()
    assert sorted(m.user.name for m in organisation.members) == ["Frida Frost", "Niels Ny"]
    # The link is used up.
    assert client.get(path).status_code == 404


def test_every_member_sees_all_the_organisations_cases(world, client, auth):
    first, second = make_user(), make_user()
    organisation = make_organisation(first, second)
    fund = world.fund
    application = make_application(first, fund, state="screening", title="Tur til Prag")
    application.organisation = organisation
    db.session.commit()
    auth.login(second)
    assert client.get(f"/ansoegninger/{application.id}").status_code == 200
    assert "Tur til Prag" in page_text(client.get(f"/organisationer/{organisation.id}"))
    auth.login(world.outsider)
    assert client.get(f"/ansoegninger/{application.id}").status_code == 403
    assert client.get(f"/organisationer/{organisation.id}").status_code == 403


def test_an_outsider_cannot_invite(world, client, auth):
    organisation = make_organisation(world.employee)
    db.session.commit()
    auth.login(world.outsider)
    response = client.post(
        f"/organisationer/{organisation.id}/invitationer", data={"email": "ven@example.dk"}
    )
    assert response.status_code == 403
    assert count(Invitation) == 0


def test_a_member_of_the_applying_organisation_cannot_decide(world):
    """A caseworker who sits on the applying association's board is disqualified."""
    from grants.workflow import engine

    organisation = make_organisation(world.caseworker)
    application = make_application(world.outsider, world.fund, state="awaiting_decision")
    application.organisation = organisation
    db.session.flush()
    assert {t.action for t in engine.available_transitions(application, world.caseworker)} == {
        "withdraw"
    }


def test_invitation_input_is_checked(world, client, auth):
    organisation = make_organisation(world.employee)
    db.session.commit()
    auth.login(world.employee)
    response = client.post(
        f"/organisationer/{organisation.id}/invitationer", data={"email": "ikke en adresse"}
    )
    assert response.status_code == 422
    assert "Skriv en gyldig e-mailadresse." in page_text(response)
    response = client.post(
        f"/organisationer/{organisation.id}/invitationer", data={"email": world.employee.email}
    )
    assert response.status_code == 422 and "allerede" in page_text(response)
    assert count(Invitation) == 0
    assert count(Membership) == 1


@pytest.mark.parametrize(
    ("cvr", "postcode"),
    [("٣١٤١٥٩٢٦", "٢٧٥٠"), ("３１４１５９２６", "２７５０"), ("৩১৪১৫৯২৬", "২৭৫০")],
)
def test_digits_of_other_scripts_are_the_digits_they_are(world, client, auth, cvr, postcode):
    """Issue 16 point 5: a CVR number or postcode typed in Arabic-Indic, full-width or
    Bengali digits was stored as typed, and the postcode "٢٧٥٠" judged outside Ballerup.
    They are stored as 0-9, like an integer field's value."""
    from grants.core.models import Municipality

    municipality = db.session.scalar(select(Municipality))
    municipality.postcodes = "2750 2740"
    db.session.commit()
    auth.login(world.employee)
    response = client.post(
        "/organisationer/ny", data={**ORGANISATION, "cvr": cvr, "postcode": postcode}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    organisation = db.session.scalar(select(Organisation))
    assert (organisation.cvr, organisation.postcode) == ("31415926", "2750")
    assert organisation.based_in(municipality)


@pytest.mark.parametrize("cvr", ["3141 5926", "31 41 59 26", "DK31415926", "dk 3141\u00a05926"])
def test_a_cvr_number_is_read_as_people_write_it(world, client, auth, cvr):
    """A CVR number is written in groups ("31 41 59 26", as on virk.dk's printouts) or with
    its VAT prefix ("DK31415926"); it is the same eight digits, not "not 8 digits"."""
    auth.login(world.employee)
    response = client.post("/organisationer/ny", data={**ORGANISATION, "cvr": cvr})
    assert response.status_code == 302, field_errors(response)
    assert db.session.scalar(select(Organisation)).cvr == "31415926"


@pytest.mark.parametrize("cvr", ["3141-59 26x", "DK 3141592", "SE31415926"])
def test_a_cvr_number_with_other_characters_is_still_refused(world, client, auth, cvr):
    auth.login(world.employee)
    response = client.post("/organisationer/ny", data={**ORGANISATION, "cvr": cvr})
    assert response.status_code == 422
    assert "Et CVR-nummer er 8 cifre." in (field_error(response, "cvr") or "")
    assert count(Organisation) == 0


def test_an_amount_in_other_digits_is_read_like_any_other(app):
    from grants.core.fields import read_amount

    with app.test_request_context():
        assert read_amount("٦٥٠٠") == read_amount("6500") == 6500
        assert read_amount("６５００,５０") == read_amount("6500,50")


def test_a_forwarded_invitation_is_no_key(world, client, auth):
    from grants.organisations import operations as organisation_operations

    organisation = make_organisation(world.employee)
    with client.application.test_request_context():
        invitation = organisation_operations.invite(organisation, "ven@example.dk", world.employee)
    from grants.notifications.models import OutboxMessage

    # The token is only in the link the mail carries.
    body = db.session.scalars(select(OutboxMessage)).one().body
    token = body.split("/invitationer/")[1].split()[0]
    db.session.commit()
    auth.login(world.outsider)  # not the invited address
    response = client.post(f"/invitationer/{token}")
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 1
    assert invitation.accepted_at is None


def test_with_mitid_only_mitid_erhverv_registers_a_cvr_number(world, app, client, auth):
    """With NemLog-in on, a login that proves no CVR number (a private MitID at Substantial,
    here as the session's level) could register someone else's company first: its own people
    would then be made members of that organisation at their first MitID Erhverv login, with
    the one who registered it. Refused next to the field, nothing made; a school without a
    CVR number is still registered."""
    from grants.people.assurance import LEVEL_KEY, Level

    app.config["AUTHENTICATION_BACKENDS"] = ("password", "nemlogin")
    auth.login(world.employee)
    with client.session_transaction() as session:
        session[LEVEL_KEY] = int(Level.SUBSTANTIAL)
    response = client.post("/organisationer/ny", data=ORGANISATION)
    assert response.status_code == 422
    assert "Log ind med MitID Erhverv for CVR-nummer 31415926" in (
        field_error(response, "cvr") or ""
    )
    assert count(Organisation) == 0
    response = client.post("/organisationer/ny", data={**ORGANISATION, "kind": "school", "cvr": ""})
    assert response.status_code == 302 and count(Organisation) == 1


def test_invitations_cannot_flood_an_inbox(world, client, auth, inbox):
    """Anyone can sign up, register a school and invite: each invitation is the
    municipality's own e-mail, carrying the name and the organisation's name the inviter
    typed. One address gets at most three invitations to an organisation a day; past that
    the form says so beside the field and nothing is sent or kept."""
    from tests.dbstate import table_fingerprint

    organisation = make_organisation(world.employee, name="Skovlunde Spejdere")
    db.session.commit()
    auth.login(world.employee)
    url = f"/organisationer/{organisation.id}/invitationer"
    for _ in range(3):
        assert client.post(url, data={"email": "offer@example.dk"}).status_code == 302
    assert len(inbox.take()) == 3
    before = table_fingerprint()
    response = client.post(url, data={"email": "Offer@Example.dk"})
    assert response.status_code == 422
    assert field_error(response, "email") == (
        "Offer@Example.dk har fået 3 invitationer til organisationen det seneste døgn. Bed "
        "personen se efter dem, også i spam-mappen."
    )
    assert table_fingerprint() == before and inbox.take() == []


def test_one_person_sends_at_most_twenty_invitations_a_day(world, client, auth, inbox, move_clock):
    import datetime as dt

    organisation = make_organisation(world.employee, name="Skovlunde Spejdere")
    db.session.commit()
    move_clock(dt.date(2027, 3, 1))
    auth.login(world.employee)
    url = f"/organisationer/{organisation.id}/invitationer"
    for n in range(20):
        assert client.post(url, data={"email": f"n{n}@example.dk"}).status_code == 302
    response = client.post(url, data={"email": "n20@example.dk"})
    assert response.status_code == 422
    assert field_error(response, "email") == (
        "Du har sendt 20 invitationer det seneste døgn. Du kan sende flere i morgen."
    )
    assert len(inbox.take()) == 20
    move_clock(dt.date(2027, 3, 2))
    assert client.post(url, data={"email": "n20@example.dk"}).status_code == 302
