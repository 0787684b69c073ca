"""The login seam (grants.people.authentication): a backend says who the person is, the login
views do the rest the same for every backend. A test-only identity provider, registered here
and nowhere else, logs a person in without any change to the views; an account without a
password is refused by the password backend like a wrong password, after the same work."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

import pytest
from flask import redirect, session, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from grants.extensions import db
from grants.people import authentication, operations
from grants.people.authentication import AuthenticationBackend, Identity, Refusal
from grants.people.models import LoginAttempt, UserIdentity
from tests.factories import PASSWORD
from tests.html import field_value, has_error, links, page_text, texts
from tests.people.helpers import login_answer, new_visitor


class TestProvider(AuthenticationBackend):
    """An identity provider in miniature: the browser goes "there" and comes back with the
    subject the provider vouches for and the state the app gave it."""

    __test__ = False  # not a test class for pytest
    name = "test-provider"
    label = "Testkommunens login"
    vouches_for = "subject-1"

    def start(self):
        state = secrets.token_urlsafe(8)
        session["test_provider_state"] = state
        query = urlencode({"state": state, "subject": self.vouches_for})
        return redirect(url_for("people.login_return", backend=self.name) + "?" + query)

    def end_session(self, user):
        return redirect(f"https://idp.invalid/log-ud?who={user.id}")

    def authenticate(self, request, form=None):
        if request.args.get("state") != session.pop("test_provider_state", None):
            return Refusal("Svaret fra testudbyderen passer ikke til dette login.")
        return Identity(backend=self.name, subject=request.args["subject"])


@pytest.fixture
def provider(app):
    authentication.register(TestProvider)
    app.config["AUTHENTICATION_BACKENDS"] = ("password", TestProvider.name)
    yield TestProvider
    TestProvider.vouches_for = "subject-1"
    authentication.unregister(TestProvider.name)


def test_a_second_backend_logs_a_person_in_through_the_same_views(world, client, provider):
    authentication.link(world.employee, provider.name, "subject-1")
    db.session.commit()
    login_page = client.get("/log-ind")
    [address] = links(login_page, "Log ind med Testkommunens login")
    assert address.startswith("/log-ind/via/test-provider")

    there = client.get("/log-ind/via/test-provider?next=/ansoegninger/mine")
    assert there.status_code == 302
    back = client.get(there.headers["Location"])
    assert back.status_code == 302 and back.headers["Location"] == "/ansoegninger/mine"
    assert world.employee.name in texts(client.get("/ansoegninger/mine"), "header .user a")
    # The common steps ran: the login is recorded (and so audited), the link was used.
    attempt = db.session.scalars(select(LoginAttempt).order_by(LoginAttempt.id.desc())).first()
    assert attempt.succeeded and attempt.user_id == world.employee.id
    link = db.session.scalar(select(UserIdentity).where(UserIdentity.subject == "subject-1"))
    assert link.last_used_at is not None


def test_logging_out_ends_the_session_at_the_provider_that_logged_the_person_in(
    world, client, auth, provider
):
    authentication.link(world.employee, provider.name, "subject-1")
    db.session.commit()
    there = client.get("/log-ind/via/test-provider")
    client.get(there.headers["Location"])
    out = client.post("/log-ud")
    assert out.headers["Location"] == f"https://idp.invalid/log-ud?who={world.employee.id}"
    assert client.get("/ansoegninger/mine").status_code == 302  # logged out here as well
    # Logged in with the password, logging out stays in the app.
    auth.login(world.employee)
    assert client.post("/log-ud").headers["Location"] == "/"


def test_a_backend_that_is_not_switched_on_is_not_found(world, client, provider, app):
    app.config["AUTHENTICATION_BACKENDS"] = ("password",)
    assert client.get("/log-ind/via/test-provider").status_code == 404
    assert client.get("/log-ind/via/test-provider/retur?subject=subject-1").status_code == 404
    assert not any("Testkommunens login" in label for label in texts(client.get("/log-ind"), "a"))
    # The password, a form backend, has no provider to go to.
    assert client.get("/log-ind/via/password").status_code == 404


def test_an_answer_not_bound_to_this_login_is_refused(world, client, provider):
    authentication.link(world.employee, provider.name, "subject-1")
    db.session.commit()
    client.get("/log-ind/via/test-provider")
    forged = client.get("/log-ind/via/test-provider/retur?state=guessed&subject=subject-1")
    assert forged.status_code == 302 and forged.headers["Location"] == "/log-ind"
    page = client.get("/log-ind").get_data(as_text=True)
    assert "Svaret fra testudbyderen passer ikke til dette login." in page_text(page)
    assert client.get("/ansoegninger/mine").status_code == 302  # still anonymous


def test_an_identity_linked_to_nobody_is_refused_and_never_matched_by_address(
    world, client, provider
):
    provider.vouches_for = world.employee.email  # a subject that happens to be an address
    there = client.get("/log-ind/via/test-provider")
    back = client.get(there.headers["Location"])
    assert back.headers["Location"] == "/log-ind"
    assert has_error(client.get("/log-ind"), "har ingen konto her")
    assert client.get("/ansoegninger/mine").status_code == 302


def test_a_switched_off_account_is_refused_through_any_backend(world, client, provider):
    authentication.link(world.employee, provider.name, "subject-1")
    world.employee.active = False
    db.session.commit()
    there = client.get("/log-ind/via/test-provider")
    assert client.get(there.headers["Location"]).headers["Location"] == "/log-ind"
    assert client.get("/ansoegninger/mine").status_code == 302


def test_a_provider_without_the_apps_second_factor_is_not_asked_for_one(world, client, provider):
    """An administrator must have the app's second factor after a password; after an identity
    provider (which asks its own) neither the code nor the setting up is asked for."""
    authentication.link(world.admin, provider.name, "subject-1")
    db.session.commit()
    there = client.get("/log-ind/via/test-provider")
    assert client.get(there.headers["Location"]).headers["Location"] == "/"
    assert client.get("/administration/brugere").status_code == 200


def test_one_identity_belongs_to_one_person(world):
    authentication.link(world.employee, "test-provider", "subject-1")
    with pytest.raises(IntegrityError):
        authentication.link(world.manager, "test-provider", "subject-1")
    db.session.rollback()


def test_an_unknown_backend_in_the_configuration_is_said_at_once(app, client):
    app.config["AUTHENTICATION_BACKENDS"] = ("password", "no-such-method")
    with app.test_request_context(), pytest.raises(RuntimeError, match="no-such-method"):
        authentication.enabled()


def test_the_password_backend_comes_first_and_asks_for_the_apps_second_factor(app):
    with app.test_request_context():
        (password,) = authentication.enabled()
    assert password.name == "password" and password.second_factor and not password.is_redirect


# -- accounts without a password ---------------------------------------------------------------
def test_an_account_without_a_password_is_refused_like_a_wrong_password(world, app, hash_checks):
    world.employee.password_hash = None
    db.session.commit()

    wrong = new_visitor(app, "/log-ind", {"email": world.manager.email, "password": "forkert"})
    none = new_visitor(app, "/log-ind", {"email": world.employee.email, "password": PASSWORD})
    assert none.status_code == wrong.status_code == 422
    assert login_answer(world.employee.email, none) == login_answer(world.manager.email, wrong)
    assert "E-mail eller adgangskode er forkert." in page_text(none)
    # The same work: one hash checked, the stand-in an unknown address is checked against.
    with app.app_context():
        assert hash_checks == [world.manager.password_hash, operations._dummy_hash()]
    # Counted as a failure, towards the same lockout.
    failures = db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.user_id == world.employee.id, LoginAttempt.succeeded.is_(False))
    )
    assert failures == 1


def test_an_account_without_a_password_gets_none_by_changing_it(world, client, provider):
    authentication.link(world.employee, provider.name, "subject-1")
    world.employee.password_hash = None
    db.session.commit()
    there = client.get("/log-ind/via/test-provider")
    client.get(there.headers["Location"])
    page = client.get("/konto/adgangskode")
    assert "Din konto har ingen adgangskode her" in page_text(page)
    assert field_value(page, "current") is None
    client.post(
        "/konto/adgangskode",
        data={"current": "", "password": "en lang og god sætning", "confirm": "en lang og god"},
    )
    db.session.refresh(world.employee)
    assert world.employee.password_hash is None and not world.employee.check_password("")


def test_the_administrator_sees_how_each_person_logs_in(world, auth, client, provider):
    authentication.link(world.employee, provider.name, "subject-1")
    world.manager.password_hash = None
    db.session.commit()
    auth.login(world.admin)
    page = client.get("/administration/brugere").get_data(as_text=True)

    def row(person):
        start = page.index(f">{person.name}</a>")
        return page[start : page.index("</tr>", start)]

    assert "E-mail og adgangskode, Testkommunens login" in row(world.employee)
    assert "Ingen måde at logge ind på" in row(world.manager)
    assert "E-mail og adgangskode" in row(world.caseworker)
