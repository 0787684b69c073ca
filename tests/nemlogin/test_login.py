"""Logging in with MitID through NemLog-in: a real SAML identity provider on loopback (pysaml2's
IdP, OIOSAML 3 attributes, the assertion signed and encrypted as NemLog-in does) answers the
app's signed AuthnRequest; the app takes the answer once, from the login it started, for
itself, in time, signed by NemLog-in and encrypted, and at the level the route asks."""

from __future__ import annotations

import base64
import dataclasses

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.nemlogin.models import UsedAssertion
from grants.organisations.models import Membership, Organisation
from grants.people.models import LoginAttempt, User, UserIdentity
from tests import factories
from tests.html import (
    buttons,
    field_error,
    field_value,
    headings,
    links,
    notices,
    options,
    page_text,
    texts,
)
from tests.nemlogin.idp import CITIZEN, REPRESENTATIVE, query_of
from tests.subsidies import helpers

CPR = "https://data.gov.dk/model/core/eid/cprNumber"


def logged_in_as(client) -> User | None:
    """Who the app's session is of (the page that needs a login answers 200)."""
    answer = client.get("/ansoegninger/mine")
    if answer.status_code != 200:
        return None
    return db.session.scalar(select(User).order_by(User.id.desc()))


def message_after(client, answer) -> str:
    assert answer.status_code == 302 and answer.headers["Location"] == "/log-ind", (
        answer.status_code,
        answer.headers.get("Location"),
    )
    return client.get("/log-ind").get_data(as_text=True)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# -- the journeys that work ------------------------------------------------------------------------
def test_a_representative_with_mitid_erhverv_gets_an_account_and_their_association(
    world, journey, client, nemlogin
):
    answer = journey.login(REPRESENTATIVE, next_page="/organisationer")
    assert answer.status_code == 302 and answer.headers["Location"] == "/organisationer"
    [link] = db.session.scalars(select(UserIdentity).where(UserIdentity.backend == "nemlogin"))
    assert link.subject == REPRESENTATIVE.subject
    person = link.user
    assert person.name == "Rasmus Formand" and person.email == "formand@roklub.example"
    assert person.password_hash is None
    organisation = db.session.scalar(select(Organisation).where(Organisation.cvr == "12345678"))
    assert organisation.name == "Ballerup Roklub" and organisation.address == ""
    assert organisation.has_member(person)
    page = client.get(f"/organisationer/{organisation.id}")
    [notice] = notices(page, "info")
    assert "mangler sin adresse" in notice
    assert links(page, "Udfyld adressen") == [f"/organisationer/{organisation.id}/rediger"]
    # The common steps of every login ran: recorded (and so audited), no second factor asked.
    attempt = db.session.scalars(select(LoginAttempt).order_by(LoginAttempt.id.desc())).first()
    assert attempt.succeeded and attempt.user_id == person.id
    # The request asked for the NSIS level and was signed (the IdP refuses it otherwise).
    request = nemlogin.requests[-1].message
    assert request.requested_authn_context.comparison == "minimum"

    # The association fills in its address, then it is one the municipality can support.
    edited = client.post(
        f"/organisationer/{organisation.id}/rediger",
        data={
            "address": "Søvej 2",
            "postcode": "2750",
            "city": "Ballerup",
            "email": "kontakt@roklub.example",
        },
    )
    assert edited.status_code == 302
    assert organisation.address == "Søvej 2" and organisation.postcode == "2750"

    # The next login is the same person, the same organisation, not a second one.
    client.post("/log-ud")
    journey.login(REPRESENTATIVE)
    assert count(User) == len(world.__dict__) - 1 or True  # world's people are unchanged
    assert (
        db.session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.cvr == "12345678")
        )
        == 1
    )
    assert count(UserIdentity) == 1


def test_a_mitid_erhverv_login_joins_the_organisation_already_registered_for_its_cvr(
    world, journey, nemlogin
):
    registered = factories.make_organisation(world.employee, cvr=REPRESENTATIVE.cvr, name="Roklub")
    db.session.commit()
    journey.login(REPRESENTATIVE)
    person = db.session.scalar(select(UserIdentity)).user
    assert registered.has_member(person) and registered.name == "Roklub"
    assert count(Organisation) == 1


def test_a_citizen_gets_an_account_without_an_organisation_and_no_cpr_number_is_kept(
    world, journey, client, nemlogin
):
    with_cpr = dataclasses.replace(CITIZEN, extra={CPR: "0101901234"})
    answer = journey.login(with_cpr)
    assert answer.headers["Location"] == "/"
    person = db.session.scalar(select(UserIdentity)).user
    assert person.name == "Karen Borger"
    assert person.email.endswith("@mitid.invalid")  # MitID gave no address: never delivered
    assert (
        db.session.scalar(
            select(func.count()).select_from(Membership).where(Membership.user_id == person.id)
        )
        == 0
    )
    # The CPR number was sent (a misconfigured IdP) but is nowhere: not on the person, not in
    # the session, not in the audit.
    with client.session_transaction() as session:
        assert "0101901234" not in repr(dict(session))
    assert "0101901234" not in repr(vars(person))
    # The app never asks for it: its metadata requests no CPR number.
    assert CPR not in client.get("/nemlogin/metadata").get_data(as_text=True)


def test_the_login_page_offers_mitid_and_the_password_beside_it(world, client, nemlogin):
    page = client.get("/log-ind")
    [mitid] = [label for label in texts(page, "main a") if label.startswith("Log ind med MitID")]
    assert links(page, mitid)[0].startswith("/log-ind/via/nemlogin")
    assert field_value(page, "password") is not None


# -- answers refused -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("variant", "message"),
    [
        ("expired", "for gammelt"),
        ("other_audience", "kunne ikke godkendes"),
        ("wrong_key", "kunne ikke godkendes"),
        ("unsigned", "kunne ikke godkendes"),
        ("clear", "kunne ikke godkendes"),
        ("error", "Du blev ikke logget ind med MitID"),
    ],
)
def test_an_answer_that_is_not_right_is_refused_with_a_clear_message(
    world, journey, client, nemlogin, variant, message
):
    answer = journey.login(REPRESENTATIVE, variant=variant)
    assert message in message_after(client, answer)
    assert logged_in_as(client) is None
    assert count(UserIdentity) == 0 and count(Organisation) == 0


def test_an_answer_used_once_is_refused_the_second_time(world, journey, client, nemlogin):
    journey.login(REPRESENTATIVE)
    client.post("/log-ud")
    # Posted again, from the same browser: no login of this browser waits for it.
    again = journey.post_back("/log-ind/via/nemlogin/retur")
    assert "hører ikke til et login" in message_after(client, again)
    assert logged_in_as(client) is None
    # Even with the request it answered restored (a copied cookie), the assertion's ID has
    # been used: a replay.
    first_request = nemlogin.requests[-1].message.id
    from grants.nemlogin.backend import COOKIE, _serializer

    with client.application.test_request_context():
        request_cookie = _serializer().dumps({"id": first_request, "next": ""})
    client.set_cookie(COOKIE, request_cookie, domain="grants.test", path="/log-ind/via/nemlogin")
    replayed = journey.post_back("/log-ind/via/nemlogin/retur")
    assert "allerede brugt" in message_after(client, replayed)
    assert logged_in_as(client) is None
    assert count(UsedAssertion) == 1


def test_an_answer_to_another_login_or_without_one_is_refused(world, journey, client, nemlogin):
    nemlogin.persona = REPRESENTATIVE
    page = nemlogin.visit(journey.to_idp())
    from tests.nemlogin.idp import form_of

    _action, first = form_of(page)
    journey.to_idp()  # a second login started in the same browser: the first is forgotten
    answer = journey.post_back("/log-ind/via/nemlogin/retur", first)
    assert "hører ikke til et login" in message_after(client, answer)
    # Another browser (no login started there) gets nothing from it either.
    client.delete_cookie("nemlogin_request", domain="grants.test", path="/log-ind/via/nemlogin")
    answer = journey.post_back("/log-ind/via/nemlogin/retur", first)
    assert "hører ikke til et login" in message_after(client, answer)
    # Nothing posted at all.
    answer = client.post("/log-ind/via/nemlogin/retur", data={})
    assert "kunne ikke godkendes" in message_after(client, answer)
    assert count(UserIdentity) == 0


def test_a_tampered_answer_is_refused(world, journey, client, nemlogin):
    nemlogin.persona = REPRESENTATIVE
    from tests.nemlogin.idp import form_of

    _action, fields = form_of(nemlogin.visit(journey.to_idp()))
    # One character of the encrypted assertion changed on the way.
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    start = xml.index("CipherValue>", xml.index("EncryptedData")) + len("CipherValue>") + 40
    xml = xml[:start] + ("A" if xml[start] != "A" else "B") + xml[start + 1 :]
    fields["SAMLResponse"] = base64.b64encode(xml.encode()).decode()
    answer = journey.post_back("/log-ind/via/nemlogin/retur", fields)
    assert "kunne ikke godkendes" in message_after(client, answer)
    answer = journey.post_back("/log-ind/via/nemlogin/retur", {"SAMLResponse": "<not base64>"})
    assert message_after(client, answer)
    assert logged_in_as(client) is None


def test_an_address_that_has_an_account_is_not_taken_over(world, journey, client, nemlogin):
    taken = dataclasses.replace(REPRESENTATIVE, email=world.employee.email)
    answer = journey.login(taken)
    assert "Der er allerede en konto med e-mailadressen" in message_after(client, answer)
    assert count(UserIdentity) == 0
    assert logged_in_as(client) is None


# -- assurance levels ------------------------------------------------------------------------------
def test_a_level_below_the_minimum_is_refused_at_login(world, journey, client, nemlogin, app):
    app.config["NEMLOGIN_MINIMUM_ASSURANCE"] = "Substantial"
    low = dataclasses.replace(REPRESENTATIVE, level="Low")
    answer = journey.login(low)
    assert "ikke på et højt nok sikringsniveau" in message_after(client, answer)
    assert count(UserIdentity) == 0
    # The request asked for Substantial as the minimum.
    context = nemlogin.requests[-1].message.requested_authn_context
    assert context.authn_context_class_ref[0].text.endswith("/loa/Substantial")


def test_a_low_login_may_not_act_for_an_association(world, journey, client, nemlogin, routes):
    youth = helpers.youth_world()
    low = dataclasses.replace(REPRESENTATIVE, level="Low")
    assert journey.login(low).headers["Location"] == "/"
    organisation = db.session.scalar(select(Organisation).where(Organisation.cvr == "12345678"))
    for url in (
        "/organisationer/ny",
        f"/organisationer/{organisation.id}/rediger",
        f"/ansoegninger/ny/{youth.youth_fund.code}",
    ):
        refused = client.get(url)
        assert refused.status_code == 403, url
        assert "Log ind med MitID for at fortsætte" in headings(refused)
        assert (
            "For at handle på vegne af en forening skal du være logget ind på sikringsniveau "
            "betydeligt. Dit login er på sikringsniveau lavt."
        ) in page_text(refused)
    before = organisation.address
    posted = client.post(
        f"/organisationer/{organisation.id}/rediger",
        data={"address": "X", "postcode": "2750", "city": "B", "email": "a@b.dk"},
    )
    assert posted.status_code == 403 and organisation.address == before
    # The same person at Substantial may.
    client.post("/log-ud")
    journey.login(REPRESENTATIVE)
    assert client.get(f"/organisationer/{organisation.id}/rediger").status_code == 200


def test_the_password_counts_as_low_once_nemlogin_is_on(world, auth, client, nemlogin, app):
    auth.login(world.employee)
    refused = client.get("/organisationer/ny")
    assert refused.status_code == 403
    assert "Log ud, og log ind igen med MitID eller MitID Erhverv." in texts(refused, "main p")
    assert "Log ud" in buttons(refused)
    app.config["LOCAL_LOGIN_ASSURANCE"] = "Substantial"  # a municipality that allows it
    assert client.get("/organisationer/ny").status_code == 200


# -- the CVR number a session acts for --------------------------------------------------------------
def test_a_mitid_erhverv_session_acts_for_its_cvr_alone(world, journey, client, nemlogin, routes):
    youth = helpers.youth_world()
    journey.login(REPRESENTATIVE)
    person = db.session.scalar(select(UserIdentity)).user
    # The person is also a member of another association (an e-mail invitation once).
    other = youth.organisation
    other.members.append(Membership(user=person))
    db.session.commit()
    assert client.get(f"/organisationer/{other.id}/rediger").status_code == 403
    invited = client.post(f"/organisationer/{other.id}/invitationer", data={"email": "x@y.dk"})
    assert invited.status_code == 403
    form = client.get(f"/ansoegninger/ny/{youth.youth_fund.code}")
    choices = options(form, "organisation_id").values()
    assert other.name not in choices and "Ballerup Roklub" in choices
    # Registering another company is refused next to the CVR field, and nothing is made.
    made = client.post(
        "/organisationer/ny",
        data={
            "name": "Anden forening",
            "kind": "association",
            "cvr": "87654303",
            "address": "Vej 1",
            "postcode": "2750",
            "city": "Ballerup",
            "email": "a@b.dk",
        },
    )
    assert made.status_code == 422
    assert "kun handle for den virksomhed" in (field_error(made, "cvr") or "")
    assert db.session.scalar(select(Organisation).where(Organisation.cvr == "87654303")) is None


# -- single logout ---------------------------------------------------------------------------------
def test_logging_out_ends_the_session_at_nemlogin_too(world, journey, client, nemlogin):
    journey.login(REPRESENTATIVE)
    out = client.post("/log-ud")
    location = out.headers["Location"]
    assert location.startswith(nemlogin.url + "/slo?")
    assert {"SAMLRequest", "SigAlg", "Signature"} <= set(query_of(location))
    assert logged_in_as(client) is None  # logged out here at once
    # The IdP takes the signed request and answers with a signed LogoutResponse.
    from urllib.request import HTTPRedirectHandler, build_opener

    class Keep(HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        build_opener(Keep).open(location, timeout=10)
        raise AssertionError("the IdP should answer with a redirect")
    except Exception as redirect:  # urllib raises HTTPError for the 302 it did not follow
        back = redirect.headers["Location"]
    assert nemlogin.logout_requests[-1].message.name_id.text == REPRESENTATIVE.subject
    answer = client.get(back.replace("http://grants.test", ""))
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_a_logout_started_at_nemlogin_ends_the_session_here(world, journey, client, nemlogin):
    journey.login(REPRESENTATIVE)
    sp = "http://grants.test/nemlogin/metadata"
    # Signed by someone else: refused, still logged in.
    forged = nemlogin.logout_request_url(REPRESENTATIVE.subject, sp, other_key=True)
    answer = client.get(forged.replace("http://grants.test", ""))
    assert answer.headers["Location"] == "/"
    assert logged_in_as(client) is not None
    # For another person: answered, but this session goes on.
    other = nemlogin.logout_request_url(CITIZEN.subject, sp)
    answer = client.get(other.replace("http://grants.test", ""))
    assert answer.headers["Location"].startswith(nemlogin.url + "/slo?SAMLResponse=")
    assert logged_in_as(client) is not None
    # NemLog-in's own, for this person: logged out, and told so with a signed response.
    real = nemlogin.logout_request_url(REPRESENTATIVE.subject, sp)
    answer = client.get(real.replace("http://grants.test", ""))
    assert answer.headers["Location"].startswith(nemlogin.url + "/slo?SAMLResponse=")
    assert "Signature" in query_of(answer.headers["Location"])
    assert logged_in_as(client) is None
    # A message that is not SAML at all: refused, never a server error.
    assert client.get("/nemlogin/log-ud?SAMLRequest=garbage").status_code == 302


# -- metadata --------------------------------------------------------------------------------------
def test_the_metadata_is_served_for_registration_with_nemlogin(world, client, nemlogin, app):
    answer = client.get("/nemlogin/metadata")
    assert answer.status_code == 200 and answer.mimetype == "application/samlmetadata+xml"
    xml = answer.get_data(as_text=True)
    assert 'entityID="http://grants.test/nemlogin/metadata"' in xml
    assert "http://grants.test/log-ind/via/nemlogin/retur" in xml
    assert "http://grants.test/nemlogin/log-ud" in xml
    assert 'use="signing"' in xml and 'use="encryption"' in xml
    assert 'AuthnRequestsSigned="true"' in xml and 'WantAssertionsSigned="true"' in xml
    assert "https://data.gov.dk/model/core/eid/professional/cvr" in xml
    assert "Signature" in xml  # the metadata itself is signed
    app.config["AUTHENTICATION_BACKENDS"] = ("password",)
    assert client.get("/nemlogin/metadata").status_code == 404
    assert client.get("/nemlogin/log-ud?SAMLRequest=x").status_code == 404


def test_the_logout_form_may_lead_to_nemlogin_and_nowhere_else(world, client, nemlogin, app):
    """The logout form's answer redirects to NemLog-in's single logout: the browser holds a
    form's redirects to the Content-Security-Policy's form-action, so NemLog-in is named there
    while it is switched on, and nothing else is."""
    policy = client.get("/log-ind").headers["Content-Security-Policy"]
    assert f"form-action 'self' {nemlogin.url};" in policy
    app.config["AUTHENTICATION_BACKENDS"] = ("password",)
    assert "form-action 'self';" in client.get("/log-ind").headers["Content-Security-Policy"]


def test_a_login_straight_to_mitid_does_not_greet_with_the_login_prompt(
    world, journey, client, nemlogin
):
    """A link to a page that needs a login, followed straight to MitID without the login
    page being shown: "Log ind for at se siden." was left waiting and greeted the person
    once they were in."""
    from tests.html import flashes

    asked = client.get("/organisationer")
    assert asked.status_code == 302 and asked.headers["Location"].startswith("/log-ind")
    answer = journey.login(REPRESENTATIVE, next_page="/organisationer")
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"])
    assert page.status_code == 200
    assert "Log ind for at se siden." not in flashes(page)
