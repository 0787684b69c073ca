"""Logging in and staying logged in: throttling, lockout, password rules, sessions that end,
and the headers every response carries."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from grants.core import clock
from grants.extensions import db
from grants.people.models import LoginAttempt, User
from grants.people.passwords import password_problems
from tests.factories import PASSWORD
from tests.html import has_error


def attempt(client, email, password):
    return client.post("/log-ind", data={"email": email, "password": password})


def test_every_page_carries_a_strict_content_security_policy(world, client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_five_failures_lock_the_account_for_a_while(world, client, monkeypatch):
    for _ in range(5):
        assert attempt(client, world.employee.email, "forkert").status_code == 422
    # Failures count even though each failed request is rolled back.
    failures = db.session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.succeeded.is_(False))
    )
    assert failures == 5
    response = attempt(client, world.employee.email, PASSWORD)
    assert response.status_code == 422
    assert has_error(response, "For mange forkerte forsøg")
    # A quarter of an hour later the right password works again.
    later = clock.now() + dt.timedelta(minutes=16)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert attempt(client, world.employee.email, PASSWORD).status_code == 302


def test_the_lockout_of_one_account_leaves_others_alone(world, client):
    for _ in range(5):
        attempt(client, world.employee.email, "forkert")
    assert attempt(client, world.manager.email, PASSWORD).status_code == 302


def test_a_password_change_ends_the_other_sessions(world, app, auth, client):
    other = app.test_client()
    other.post("/log-ind", data={"email": world.employee.email, "password": PASSWORD})
    assert other.get("/ansoegninger/mine").status_code == 200
    auth.login(world.employee)
    new = "en lang og god sætning om rejser"
    response = client.post(
        "/konto/adgangskode", data={"current": PASSWORD, "password": new, "confirm": new}
    )
    assert response.status_code == 302
    from flask import g

    g.pop("_login_user", None)  # as a new request would start (see FreshContextClient)
    assert client.get("/ansoegninger/mine").status_code == 200  # this session goes on
    g.pop("_login_user", None)
    assert other.get("/ansoegninger/mine").status_code == 302  # the other one is over
    db.session.expire_all()
    assert db.session.get(User, world.employee.id).check_password(new)


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {
                "current": "forkert",
                "password": "en lang og god sætning",
                "confirm": "en lang og god sætning",
            },
            "nuværende adgangskode er forkert",
        ),
        ({"current": PASSWORD, "password": "kort", "confirm": "kort"}, "mindst 12 tegn"),
        (
            {"current": PASSWORD, "password": "password1234", "confirm": "password1234"},
            "står på en liste over kendte, lækkede adgangskoder",
        ),
        (
            {"current": PASSWORD, "password": "en lang og god sætning", "confirm": "noget andet"},
            "ikke ens",
        ),
        (
            {"current": PASSWORD, "password": "aaaaaaaaaaaaa", "confirm": "aaaaaaaaaaaaa"},
            "gentager det samme tegn",
        ),
        (
            {
                "current": PASSWORD,
                "password": "medarbejder rejser",
                "confirm": "medarbejder rejser",
            },
            "indeholder din e-mailadresse",
        ),
    ],
)
def test_a_bad_new_password_is_refused_and_nothing_changes(world, auth, client, data, message):
    auth.login(world.employee)
    before = db.session.get(User, world.employee.id).password_hash
    response = client.post("/konto/adgangskode", data=data)
    assert response.status_code == 422
    assert has_error(response, message)
    db.session.expire_all()
    assert db.session.get(User, world.employee.id).password_hash == before


def test_changing_a_password_needs_a_login(world, client):
    response = client.post(
        "/konto/adgangskode", data={"current": PASSWORD, "password": "x" * 20, "confirm": "x" * 20}
    )
    assert response.status_code == 302 and "/log-ind" in response.headers["Location"]


def test_logout_ends_the_session(world, auth, client):
    from flask import g

    auth.login(world.employee)
    client.post("/log-ud")
    g.pop("_login_user", None)
    assert client.get("/ansoegninger/mine").status_code == 302


def test_logging_out_keeps_the_language_and_nothing_else(world, auth, client):
    from flask import g

    from tests.core.test_translations import switch_language

    world.employee.locale = "en"
    db.session.commit()
    auth.login(world.employee)
    with client.session_transaction() as session:
        assert session["locale"] == "en"
    client.post("/log-ud")
    g.pop("_login_user", None)
    with client.session_transaction() as session:
        assert set(session) == {"locale", "_flashes"}  # the login is gone
        assert session["locale"] == "en"
    switch_language(client, "da")  # only the visitor's session; the stored choice stays
    db.session.refresh(world.employee)
    assert world.employee.locale == "en"


def test_password_rules():
    assert password_problems("en lang og god sætning") == []
    assert password_problems("kort")
    assert password_problems("aaaaaaaaaaaaaa")
    assert password_problems("mette.madsen.2026!", email="mette.madsen@ballerup.dk")
    assert password_problems("MetteMadsen-rejser", name="Mette Madsen")


@pytest.mark.real_password_hashing
def test_passwords_are_hashed_with_scrypt(world):
    """The tests' people get a one-round hash to save time (tests/conftest.py); the app's
    own is Werkzeug's scrypt."""
    assert world.employee.password_hash.startswith("scrypt:")
    assert world.employee.check_password(PASSWORD)


def test_a_copy_of_the_session_cookie_is_worthless_after_logout(world, auth, client):
    from flask import g

    auth.login(world.employee)
    with client.session_transaction() as session:
        stolen = dict(session)
    client.post("/log-ud")
    with client.session_transaction() as session:
        session.update(stolen)  # replay the cookie as it was before the logout
    g.pop("_login_user", None)
    assert client.get("/ansoegninger/mine").status_code == 302
