"""Signing up proves the address first, and says the same whether it has an account or not."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from grants.core import clock
from grants.extensions import db
from grants.notifications.models import OutboxMessage
from grants.people.models import User
from tests.factories import PASSWORD, make_user
from tests.html import field_error, field_errors, page_text
from tests.html import page as html_page
from tests.people.helpers import last_mail_to, link_in, new_visitor, sign_up, without_csrf


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_address_gets_a_link_and_the_account_is_made_only_when_it_is_followed(world, client):
    before = count(User)
    response = client.post("/opret-konto", data={"email": "frida@example.dk"})
    assert response.status_code == 200
    assert "Vi har sendt en e-mail til frida@example.dk" in page_text(response)
    assert count(User) == before  # nothing yet: the address is not proven
    mail = last_mail_to("frida@example.dk")
    assert mail.subject == "Bekræft din e-mailadresse til Rejsetilskud"
    page = client.get(link_in(mail))
    assert "frida@example.dk" in page_text(page)
    # A password manager offers a new password for the field.
    assert html_page(page).select("input[name=password][autocomplete=new-password]")
    response = client.post(
        link_in(mail), data={"name": "Frida Frost", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/organisationer"
    user = db.session.scalars(select(User).where(User.email == "frida@example.dk")).one()
    assert user.name == "Frida Frost" and user.check_password(PASSWORD) and not user.roles
    assert client.get("/organisationer").status_code == 200  # logged in


def test_sign_up_answers_the_same_for_a_known_and_an_unknown_address(world, app):
    known = new_visitor(app, "/opret-konto", {"email": world.employee.email})
    unknown = new_visitor(app, "/opret-konto", {"email": "ny-person@ballerup.dk"})
    assert known.status_code == unknown.status_code == 200
    page_known = without_csrf(known.get_data(as_text=True)).replace(world.employee.email, "X")
    page_unknown = without_csrf(unknown.get_data(as_text=True)).replace(
        "ny-person@ballerup.dk", "X"
    )
    assert page_known == page_unknown
    # The same headers, but for the session cookie's value (its CSRF token).
    assert sorted(k for k, _v in known.headers) == sorted(k for k, _v in unknown.headers)
    for name, value in known.headers:
        if name not in ("Set-Cookie", "Content-Length"):
            assert unknown.headers.get(name) == value, name
    # Each address got one e-mail: the owner of the account is told that it exists.
    to_known = last_mail_to(world.employee.email)
    assert to_known.subject == "Du har allerede en konto i Rejsetilskud"
    assert "/log-ind" in to_known.body and "/opret-konto/" not in to_known.body
    assert "/opret-konto/" in last_mail_to("ny-person@ballerup.dk").body


def test_the_known_address_is_told_in_its_owners_language(world, client):
    world.employee.locale = "en"
    db.session.commit()
    client.post("/opret-konto", data={"email": world.employee.email.upper()})
    assert (
        last_mail_to(world.employee.email).subject == "You already have an account in Travel grants"
    )


def test_a_link_for_an_address_that_got_an_account_since_makes_no_second(world, client):
    client.post("/opret-konto", data={"email": "kim@example.dk"})
    link = link_in(last_mail_to("kim@example.dk"))
    make_user(email="Kim@example.dk")
    db.session.commit()
    before = count(User)
    response = client.post(link, data={"name": "Kim", "password": PASSWORD, "confirm": PASSWORD})
    assert "Du har allerede en konto" in page_text(response)
    assert count(User) == before


def test_a_link_lasts_a_day(world, client, monkeypatch):
    client.post("/opret-konto", data={"email": "sen@example.dk"})
    link = link_in(last_mail_to("sen@example.dk"))
    later = clock.now() + dt.timedelta(hours=24, minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = client.post(link, data={"name": "Sen", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 404 and "Linket gælder ikke" in page_text(response)
    assert db.session.scalar(select(User.id).where(User.email == "sen@example.dk")) is None


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "x" + t, lambda t: "guess"])
def test_a_forged_link_is_not_found_and_makes_nothing(world, client, mangle):
    client.post("/opret-konto", data={"email": "falsk@example.dk"})
    link = link_in(last_mail_to("falsk@example.dk"))
    forged = "/opret-konto/" + mangle(link.removeprefix("/opret-konto/"))
    before = count(User)
    response = client.post(forged, data={"name": "F", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 404
    assert count(User) == before


def choice(password: str, name: str = "Frida", confirm: str | None = None) -> dict:
    return {"name": name, "password": password, "confirm": password if confirm is None else confirm}


@pytest.mark.parametrize(
    "data, field, message",
    [
        (choice("kort"), "password", "Adgangskoden skal være mindst 12 tegn."),
        (choice("x" * 201), "password", "højst være 200 tegn."),
        (choice("aaaaaaaaaaaa"), "password", "gentager det samme tegn"),
        (choice("password1234"), "password", "står på en liste over kendte, lækkede adgangskoder"),
        (choice("frida.frost rejser"), "password", "indeholder din e-mailadresse"),
        (choice("hansen på sommertur", name="Frida Hansen"), "password", "indeholder dit navn"),
        (choice("ballerup rejsetilskud"), "password", "indeholder tjenestens eller kommunens navn"),
        (choice(PASSWORD, confirm=PASSWORD + "x"), "confirm", "De to adgangskoder er ikke ens."),
        (choice(PASSWORD, name=""), "name", "Skriv dit navn."),
    ],
)
def test_a_bad_choice_is_refused_beside_its_field_and_nothing_is_saved(
    world, client, data, field, message
):
    client.post("/opret-konto", data={"email": "frida.frost@example.dk"})
    link = link_in(last_mail_to("frida.frost@example.dk"))
    before = count(User)
    response = client.post(link, data=data)
    assert response.status_code == 422
    # Beside the field, and read out with it (field_error checks aria-describedby).
    assert message in (field_error(response, field) or ""), field_errors(response)
    assert count(User) == before


def test_bad_addresses_are_refused_and_nothing_is_sent(world, client):
    for email, message in [("", "Skriv din e-mailadresse."), ("ikke-en-adresse", "gyldig")]:
        response = client.post("/opret-konto", data={"email": email})
        assert response.status_code == 422 and message in (field_error(response, "email") or "")
    assert count(OutboxMessage) == 0


def test_a_logged_in_person_is_not_signed_up_again(world, auth, client):
    auth.login(world.employee)
    assert client.post("/opret-konto", data={"email": "x@example.dk"}).status_code == 302
    assert count(OutboxMessage) == 0


def test_sign_up_from_an_invitation_goes_back_to_it(world, client, auth):
    from tests.factories import make_organisation

    founder = make_user(name="Frida Frost", email="frida@example.dk")
    organisation = make_organisation(founder, name="Skovlunde Spejdere")
    db.session.commit()
    auth.login(founder)
    client.post(f"/organisationer/{organisation.id}/invitationer", data={"email": "ny@example.dk"})
    path = (
        "/invitationer/"
        + last_mail_to("ny@example.dk").body.split("/invitationer/", 1)[1].split()[0]
    )
    auth.logout()
    response = sign_up(client, "ny@example.dk", "Niels Ny", PASSWORD, next_path=path)
    assert response.status_code == 302 and response.headers["Location"] == path
    assert client.post(path).status_code == 302
    db.session.expire_all()
    assert sorted(m.user.name for m in organisation.members) == ["Frida Frost", "Niels Ny"]


def test_a_sign_up_link_never_leads_off_the_site(world, client):
    response = sign_up(client, "ude@example.dk", "Ude", PASSWORD, next_path="//evil.example")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def mails_to(address: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.to_address == address)
    )


def test_nobody_can_make_the_sign_up_flood_an_inbox(world, client, move_clock, monkeypatch):
    """The sign-up sends an e-mail to any address typed, to anyone, without a login: it
    sends at most three an hour to one address, known or not, and the page answers the same
    (it must not tell whether the address has an account, nor that it was throttled)."""
    move_clock(dt.date(2027, 3, 1))
    for address in ("offer@example.dk", world.employee.email):
        pages = set()
        for _ in range(8):
            response = client.post("/opret-konto", data={"email": address})
            assert response.status_code == 200
            pages.add(without_csrf(response.get_data(as_text=True)))
        assert len(pages) == 1
        assert mails_to(address) == 3
    # Within the hour still not; an hour after the first it may ask again.
    first = clock.now()
    for minutes, sent in ((59, 3), (61, 4)):
        moment = first + dt.timedelta(minutes=minutes)
        monkeypatch.setattr(clock, "now", lambda moment=moment: moment)
        client.post("/opret-konto", data={"email": "offer@example.dk"})
        assert mails_to("offer@example.dk") == sent, minutes


def test_the_counted_sign_up_mails_go_with_their_hour(world, client, move_clock, runner):
    """The addresses and network addresses counted for the limits are kept only for the hour
    they count in: the privacy purge deletes what is older, even when nobody signs up again."""
    from grants.people.models import SignupMail

    move_clock(dt.date(2027, 3, 1))
    client.post("/opret-konto", data={"email": "offer@example.dk"})
    assert db.session.scalar(select(func.count()).select_from(SignupMail)) == 1
    move_clock(dt.date(2027, 3, 8))
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 sign-up e-mail record(s)" in result.output
    assert db.session.scalar(select(func.count()).select_from(SignupMail)) == 0


def test_one_network_address_cannot_send_sign_up_mails_to_many(world, client, move_clock):
    """Nor can one network address make the municipality's mail server send to address
    after address: at most twenty an hour."""
    move_clock(dt.date(2027, 3, 1))
    for n in range(25):
        assert client.post("/opret-konto", data={"email": f"n{n}@example.dk"}).status_code == 200
    sent = sum(mails_to(f"n{n}@example.dk") for n in range(25))
    assert sent == 20
