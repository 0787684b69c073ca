"""Staff log in by OpenID Connect (grants.people.oidc) through a real provider on loopback
(panva's oidc-provider, tests/oidc/provider.mjs), not a mock: discovery, PKCE, state, nonce,
the ID token checked against the provider's keys. The provider is played with an HTTP client
(its sign-in page), the app with Flask's test client, which talks to the provider's token
endpoint over HTTP like the app in production.

Refused, each with a message on the login page, an audited failed login and no session: a
token for another audience, expired, signed with another key, with another nonce or issuer;
a replayed or made-up state; the person cancelling at the provider; the provider down; a
person whose groups give no role here.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import g
from sqlalchemy import select

from grants.administration.models import GroupRole, GroupRoleMapping
from grants.audit.models import AuditEvent
from grants.committees.models import CommitteeKind, CommitteeMembership, MemberRole
from grants.committees.operations import create_committee
from grants.extensions import db
from grants.funds.models import FundBoardMember
from grants.people.models import LoginAttempt, Role, User, UserIdentity
from tests.factories import make_fund, make_user, this_year
from tests.html import field_value, flashes, links, texts
from tests.oidc.provider import OIDCProvider, node_missing, sign_in

pytestmark = pytest.mark.skipif(
    node_missing() is not None, reason=f"OpenID Connect provider: {node_missing()}"
)

APP = "http://grants.test"
RETURN = f"{APP}/log-ind/via/oidc/retur"


@pytest.fixture(scope="module")
def provider():
    running = OIDCProvider([RETURN], [f"{APP}/"])
    yield running
    running.stop()


@pytest.fixture
def oidc(app, provider):
    app.config.update(provider.config())
    app.extensions.pop("grants.oidc", None)
    return provider


def map_group(group: str, role: GroupRole, fund=None, committee=None) -> GroupRoleMapping:
    mapping = GroupRoleMapping(group_name=group, role=role, fund=fund, committee=committee)
    db.session.add(mapping)
    db.session.commit()
    return mapping


def fresh_request() -> None:
    """What the next request must not inherit from the last in the test's shared `g`."""
    g.pop("_login_user", None)


def log_in(client, account: str, next_path: str = "/", cancel: bool = False):
    """Start at the app, sign in at the provider, come back: the app's answer."""
    fresh_request()
    there = client.get(f"/log-ind/via/oidc?next={next_path}")
    assert there.status_code == 302, there.get_data(as_text=True)[:300]
    back = sign_in(there.headers["Location"], account, RETURN, cancel=cancel)
    return client.get(back.removeprefix(APP)), back


def the_user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def failures() -> list[dict]:
    return [
        event.details
        for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "login.failed").order_by(AuditEvent.id)
        )
    ]


def refused_with(client, response, message: str) -> None:
    assert response.status_code == 302 and response.headers["Location"] == "/log-ind"
    fresh_request()
    page = client.get("/log-ind")
    assert any(message in shown for shown in flashes(page)), flashes(page)
    fresh_request()
    assert client.get("/ansoegninger/mine").status_code == 302  # not logged in


def test_first_login_makes_the_account_from_the_token_with_the_roles_of_its_groups(
    world, client, oidc
):
    map_group("rejse-sagsbehandlere", GroupRole.CASEWORKER)
    map_group("alle-medarbejdere", GroupRole.EMPLOYEE)
    response, back = log_in(client, "caseworker-1", "/ansoegninger/mine")
    # PKCE, state and the issuer travelled: the provider's answer carries them.
    assert {"code", "state", "iss"} <= set(parse_qs(urlsplit(back).query))
    assert response.status_code == 302 and response.headers["Location"] == "/ansoegninger/mine"
    sofie = the_user("sofie.sag@ballerup.dk")
    assert sofie.name == "Sofie Sagsbehandler" and not sofie.has_password
    assert sofie.roles == {Role.CASEWORKER, Role.EMPLOYEE}
    assert {grant.granted_by_group for grant in sofie.role_grants} == {
        "rejse-sagsbehandlere",
        "alle-medarbejdere",
    }
    link = db.session.scalar(select(UserIdentity).where(UserIdentity.user_id == sofie.id))
    assert (link.backend, link.subject) == ("oidc", "caseworker-1")
    attempt = db.session.scalars(select(LoginAttempt).order_by(LoginAttempt.id.desc())).first()
    assert attempt.succeeded and attempt.user_id == sofie.id
    # A caseworker lands on their tasks; no second factor of the app is asked.
    fresh_request()
    assert client.get("/ansoegninger/mine").status_code == 200


def test_new_groups_give_new_roles_at_the_next_login_and_roles_given_by_hand_stay(
    world, client, oidc
):
    caseworkers = map_group("rejse-sagsbehandlere", GroupRole.CASEWORKER)
    log_in(client, "caseworker-1")
    sofie = the_user("sofie.sag@ballerup.dk")
    sofie.grant_role(Role.FINANCE)  # by hand, in the app
    db.session.delete(caseworkers)
    map_group("alle-medarbejdere", GroupRole.EMPLOYEE)
    db.session.commit()
    client.post("/log-ud")
    response, _back = log_in(client, "caseworker-1")
    assert response.status_code == 302
    sofie = the_user("sofie.sag@ballerup.dk")
    assert sofie.roles == {Role.EMPLOYEE, Role.FINANCE}
    by_hand = [grant for grant in sofie.role_grants if grant.granted_by_group is None]
    assert [grant.role for grant in by_hand] == [Role.FINANCE]
    revoked = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("roles.%")).order_by(AuditEvent.id)
    ).all()
    assert any(event.action == "roles.granted" for event in revoked)


def test_groups_give_seats_on_a_funds_board_and_in_a_committee_and_take_them_back(
    world, client, oidc
):
    fund = make_fund(code="udvalget", name="Udvalgets pulje", kind="committee")
    year = this_year()
    committee = create_committee(
        "Kultur- og Fritidsudvalget", CommitteeKind.STANDING, fund, year, year + 3
    )
    db.session.commit()
    board = map_group("rejse-sagsbehandlere", GroupRole.BOARD_MEMBER, fund=world.fund)
    map_group("alle-medarbejdere", GroupRole.COMMITTEE_CHAIR, committee=committee)
    log_in(client, "caseworker-1")
    sofie = the_user("sofie.sag@ballerup.dk")
    assert sofie.roles == {Role.BOARD_MEMBER}
    seats = db.session.scalars(select(FundBoardMember).where(FundBoardMember.user_id == sofie.id))
    assert [(seat.fund_id, seat.granted_by_group) for seat in seats] == [
        (world.fund.id, "rejse-sagsbehandlere")
    ]
    chair = committee.membership_of(sofie)
    assert chair.role == MemberRole.CHAIR and chair.granted_by_group == "alle-medarbejdere"

    db.session.delete(board)
    db.session.execute(
        GroupRoleMapping.__table__.delete().where(
            GroupRoleMapping.group_name == "alle-medarbejdere"
        )
    )
    map_group("rejse-sagsbehandlere", GroupRole.EMPLOYEE)
    client.post("/log-ud")
    log_in(client, "caseworker-1")
    sofie = the_user("sofie.sag@ballerup.dk")
    assert sofie.roles == {Role.EMPLOYEE}
    assert not db.session.scalars(
        select(FundBoardMember).where(FundBoardMember.user_id == sofie.id)
    ).all()
    assert not db.session.scalars(
        select(CommitteeMembership).where(CommitteeMembership.user_id == sofie.id)
    ).all()


def test_a_person_whose_groups_give_no_role_is_refused_and_nothing_is_made(world, client, oidc):
    map_group("rejse-sagsbehandlere", GroupRole.CASEWORKER)
    response, _back = log_in(client, "nobody-1")
    refused_with(client, response, "dine grupper giver ingen adgang")
    assert the_user("niels@ballerup.dk") is None
    assert failures()[-1] == {"method": "oidc", "reason": "no_role"}


def test_an_address_that_has_an_account_is_not_taken_over_by_the_provider(world, client, oidc):
    map_group("rejse-sagsbehandlere", GroupRole.CASEWORKER)
    local = make_user(Role.EMPLOYEE, email="sofie.sag@ballerup.dk", name="Lokal Sofie")
    db.session.commit()
    response, _back = log_in(client, "caseworker-1")
    refused_with(client, response, "Der findes allerede en konto med din e-mailadresse")
    assert not the_user("sofie.sag@ballerup.dk").identities
    assert local.roles == {Role.EMPLOYEE}


def test_a_token_without_an_address_makes_no_account(world, client, oidc):
    map_group("rejse-sagsbehandlere", GroupRole.CASEWORKER)
    response, _back = log_in(client, "noemail-1")
    refused_with(client, response, "sendte ingen e-mailadresse")


@pytest.mark.parametrize("how", ["audience", "expired", "signature", "nonce", "issuer"])
def test_a_token_the_provider_altered_is_refused(world, client, oidc, how):
    """The provider issues the token, then alters it (tests/oidc/provider.mjs): for another
    audience, expired an hour ago, signed with a key it does not publish, with a nonce the app
    did not send, from another issuer."""
    map_group("rejse-sagsbehandlere", GroupRole.CASEWORKER)
    response, _back = log_in(client, f"bad-{how}")
    refused_with(client, response, "svaret fra kommunens login ikke kunne godkendes")
    assert the_user(f"bad-{how}@ballerup.dk") is None
    assert failures()[-1]["reason"] == "token_refused"


def test_a_replayed_answer_is_refused(world, client, oidc):
    map_group("rejse-sagsbehandlere", GroupRole.CASEWORKER)
    response, back = log_in(client, "caseworker-1")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    client.post("/log-ud")
    fresh_request()
    again = client.get(back.removeprefix(APP))
    refused_with(client, again, "Prøv igen fra begyndelsen")
    assert failures()[-1] == {"method": "oidc", "reason": "state_mismatch"}


def test_an_answer_with_another_state_than_this_browsers_is_refused(world, app, client, oidc):
    """A login started in the attacker's browser, finished in the victim's (login CSRF)."""
    map_group("rejse-sagsbehandlere", GroupRole.CASEWORKER)
    attacker = app.test_client()
    there = attacker.get("/log-ind/via/oidc")
    back = sign_in(there.headers["Location"], "caseworker-1", RETURN)
    fresh_request()
    client.get("/log-ind/via/oidc")  # the victim has a login of their own under way
    fresh_request()
    response = client.get(back.removeprefix(APP))
    refused_with(client, response, "Prøv igen fra begyndelsen")
    assert the_user("sofie.sag@ballerup.dk") is None


def test_an_answer_from_another_issuer_is_refused(world, client, oidc):
    map_group("rejse-sagsbehandlere", GroupRole.CASEWORKER)
    there = client.get("/log-ind/via/oidc")
    back = sign_in(there.headers["Location"], "caseworker-1", RETURN)
    forged = back.replace("iss=http", "iss=https%3A%2F%2Fevil.example%2F&x=http")
    response = client.get(forged.removeprefix(APP))
    refused_with(client, response, "ikke kunne godkendes")


def test_cancelling_at_the_provider_comes_back_as_a_message(world, client, oidc):
    response, back = log_in(client, "caseworker-1", cancel=True)
    assert "error=access_denied" in back
    refused_with(client, response, "login blev afbrudt eller afvist")
    assert failures()[-1] == {
        "method": "oidc",
        "reason": "provider_error",
        "error": "access_denied",
    }


def test_the_refusal_is_in_the_persons_language(world, client, oidc):
    client.post("/sprog", data={"locale": "en"})
    response, _back = log_in(client, "caseworker-1", cancel=True)
    refused_with(client, response, "the login was cancelled or refused at the municipality")


def test_an_account_switched_off_in_the_app_is_refused_and_keeps_its_roles(world, client, oidc):
    map_group("rejse-sagsbehandlere", GroupRole.CASEWORKER)
    log_in(client, "caseworker-1")
    client.post("/log-ud")
    sofie = the_user("sofie.sag@ballerup.dk")
    sofie.active = False
    db.session.commit()
    response, _back = log_in(client, "caseworker-1")
    refused_with(client, response, "men har ingen konto her")
    assert the_user("sofie.sag@ballerup.dk").roles == {Role.CASEWORKER}
    assert failures()[-1] == {"method": "oidc", "reason": "account_inactive"}


def test_a_provider_that_cannot_be_reached_is_a_message_not_an_error(world, app, client):
    from tests.oidc.provider import free_port

    app.config.update(
        AUTHENTICATION_BACKENDS=("password", "oidc"),
        OIDC_ISSUER=f"http://127.0.0.1:{free_port()}",
        OIDC_CLIENT_ID="rejsetilskud",
        OIDC_TIMEOUT=2,
    )
    app.extensions.pop("grants.oidc", None)
    response = client.get("/log-ind/via/oidc")
    refused_with(client, response, "Kommunens login kan ikke nås lige nu")
    response = client.get("/log-ind/via/oidc/retur?code=abc&state=def")
    refused_with(client, response, "Kommunens login kan ikke nås lige nu")
    assert [f["reason"] for f in failures()] == ["provider_unavailable", "provider_unavailable"]


def test_logging_out_ends_the_session_at_the_provider(world, client, oidc):
    map_group("rejse-sagsbehandlere", GroupRole.CASEWORKER)
    log_in(client, "caseworker-1")
    fresh_request()
    response = client.post("/log-ud")
    assert response.status_code == 302
    where = response.headers["Location"]
    assert where.startswith(f"{oidc.issuer}/session/end?")
    query = parse_qs(urlsplit(where).query)
    assert query["post_logout_redirect_uri"] == [f"{APP}/"]
    assert query["id_token_hint"][0].count(".") == 2
    # The provider accepts it (a wrong hint or return address is its error page, 400).
    import requests

    assert requests.get(where, timeout=10).status_code == 200
    fresh_request()
    assert client.get("/ansoegninger/mine").status_code == 302


def test_the_logout_form_may_lead_to_the_provider_and_nowhere_else(app, world, client, oidc):
    """The browser applies the CSP's form-action to the redirect that answers the logout
    form: the provider's origin must be in it, and only while its logout is switched on."""
    policy = client.get("/").headers["Content-Security-Policy"]
    assert f"form-action 'self' {oidc.issuer};" in policy
    app.config["OIDC_LOGOUT"] = False
    assert "form-action 'self';" in client.get("/").headers["Content-Security-Policy"]
    app.config.update(OIDC_LOGOUT=True, AUTHENTICATION_BACKENDS=("password",))
    assert "form-action 'self';" in client.get("/").headers["Content-Security-Policy"]


def test_an_administrator_from_the_provider_is_not_asked_for_the_apps_second_factor(
    world, client, oidc
):
    map_group("rejse-administratorer", GroupRole.ADMIN)
    response, _back = log_in(client, "admin-1", "/administration/")
    assert response.headers["Location"] == "/administration/"
    fresh_request()
    assert client.get("/administration/").status_code == 200


def test_the_login_page_offers_exactly_the_methods_switched_on(app, world, client, oidc):
    app.config.update(OIDC_LABEL="Ballerup Kommunes login", OIDC_LABEL_EN="Ballerup's staff login")
    page = client.get("/log-ind")
    assert links(page, "Log ind med Ballerup Kommunes login")
    assert field_value(page, "password") is not None
    client.post("/sprog", data={"locale": "en"})
    page = client.get("/log-ind")
    assert any("Ballerup's staff login" in label for label in texts(page, "main a"))
    client.post("/sprog", data={"locale": "da"})
    app.config["AUTHENTICATION_BACKENDS"] = ("oidc",)
    page = client.get("/log-ind")
    assert links(page, "Log ind med Ballerup Kommunes login")
    assert field_value(page, "password") is None
    # No password form, and none taken: a posted password logs nobody in.
    client.post("/log-ind", data={"email": world.admin.email, "password": "x"})
    fresh_request()
    assert client.get("/administration/").status_code == 302
    app.config["AUTHENTICATION_BACKENDS"] = ("password",)
    page = client.get("/log-ind")
    assert not any("Ballerup Kommunes login" in label for label in texts(page, "main a"))
    assert field_value(page, "password") is not None
    assert client.get("/log-ind/via/oidc").status_code == 404


@pytest.mark.parametrize("issuer", ["", "http://login.ballerup.dk"])
def test_production_refuses_the_municipalitys_login_over_plain_http(issuer):
    from config import ProductionConfig
    from grants import create_app

    class Production(ProductionConfig):
        SECRET_KEY = "a-real-production-key-0123456789-abcdefghij"
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        AUTHENTICATION_BACKENDS = ("oidc",)
        OIDC_ISSUER = issuer

    with pytest.raises(RuntimeError, match="OIDC_ISSUER"):
        create_app(Production)
