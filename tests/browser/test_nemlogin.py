"""Logging in with MitID through NemLog-in, in the browser: the app (served with NemLog-in
switched on beside the password) sends the browser to a real SAML identity provider on
loopback (tests/nemlogin/idp.py, answering as NemLog-in does), and the browser posts the
signed and encrypted assertion back. An association's representative with MitID Erhverv gets
their association, made from the CVR number, and fills in its address; a citizen logs in and
out (single logout through the IdP); an error at the IdP comes back as a clear message."""

from __future__ import annotations

import dataclasses

import pytest

from tests.browser.people import Person
from tests.nemlogin.idp import CITIZEN, REPRESENTATIVE, IdentityProvider

ROKLUB = dataclasses.replace(
    REPRESENTATIVE, cvr="29876543", org_name="Ballerup Roklub", email="formand@roklub.example"
)


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    provider = IdentityProvider(tmp_path_factory.mktemp("idp")).start()
    yield provider
    provider.stop()


@pytest.fixture(scope="module")
def mitid_server(tmp_path_factory, idp):
    from grants.nemlogin.keys import write_self_signed
    from grants.nemlogin.service_provider import metadata_xml
    from tests.browser.server import LiveServer

    folder = tmp_path_factory.mktemp("live-nemlogin")
    key, cert = write_self_signed(folder / "keys", "sp", "Rejsetilskud (browser test)")
    server = LiveServer(
        folder,
        {
            "AUTHENTICATION_BACKENDS": ("password", "nemlogin"),
            "NEMLOGIN_IDP_METADATA": str(idp.metadata_path),
            "NEMLOGIN_SP_KEY": str(key),
            "NEMLOGIN_SP_CERT": str(cert),
        },
    ).start()
    with server.app.test_request_context(base_url=server.url):
        idp.trust(metadata_xml())
    yield server
    server.stop()


@pytest.fixture
def visitor(request, browser, mitid_server, axe_source, artifacts):
    made = []

    def make() -> Person:
        folder = artifacts / request.node.name
        made.append(Person(browser, mitid_server, axe_source, folder, email=None))
        return made[-1]

    yield make
    for person in made:
        person.close()


def through_mitid(person: Person, idp: IdentityProvider, persona, step: str, variant: str = ""):
    """From the app's login page to the IdP and back: the IdP's page is not the app's, so it is
    not checked; the page the app answers with is."""
    idp.persona, idp.variant = persona, variant
    person.visit("/log-ind", "login page with MitID")
    person.follow("Log ind med MitID", None)
    assert person.page.url.startswith(idp.url + "/sso?"), person.page.url
    with person.page.expect_navigation():
        person.page.get_by_role("button", name="Fortsæt").click()
    person.check(step)


def test_a_representative_logs_in_with_mitid_erhverv_and_gets_the_association(visitor, idp):
    rasmus = visitor()
    through_mitid(rasmus, idp, ROKLUB, "logged in with MitID Erhverv")
    assert "Rasmus Formand" in rasmus.page.locator("header").inner_text()
    rasmus.visit("/organisationer", "my organisations")
    rasmus.follow("Ballerup Roklub", "the association, made from the CVR number")
    rasmus.see("CVR 29876543")
    rasmus.see("mangler sin adresse")
    rasmus.follow("Udfyld adressen", "fill in the address")
    rasmus.fill("#address", "Søvej 2")
    rasmus.fill("#postcode", "2750")
    rasmus.fill("#city", "Ballerup")
    rasmus.fill("#email", "kontakt@roklub.example")
    rasmus.press("Gem", "address saved")
    rasmus.see("Søvej 2, 2750 Ballerup")
    # Acting for it: the youth funds are open to him.
    rasmus.follow("Ny ansøgning", "choose a fund")
    rasmus.see("Ungdomsrejser")


def test_a_citizen_logs_in_and_out_with_mitid_and_an_error_at_mitid_is_told(visitor, idp):
    karen = visitor()
    through_mitid(karen, idp, CITIZEN, "an error at MitID", variant="error")
    assert karen.page.url.endswith("/log-ind")
    karen.see("Du blev ikke logget ind med MitID")
    through_mitid(karen, idp, CITIZEN, "logged in as a citizen")
    assert "Karen Borger" in karen.page.locator("header").inner_text()
    # Logging out goes through NemLog-in's single logout and back.
    with karen.page.expect_navigation():
        karen.page.locator("form.logout-form button").first.click()
    karen.page.wait_for_url(lambda url: url.rstrip("/") == karen.server.url)
    assert idp.logout_requests and idp.logout_requests[-1].message.name_id.text == CITIZEN.subject
    karen.see("Du er logget ud")
    assert "Karen Borger" not in karen.page.locator("header").inner_text()
