"""NemLog-in's tests log in through a real SAML identity provider on loopback (tests/nemlogin/
idp.py), with keys made for the run."""

from __future__ import annotations

import time
from urllib.parse import urlparse

import pytest

from grants.nemlogin.keys import write_self_signed
from tests.nemlogin.idp import IdentityProvider, form_of


@pytest.fixture(scope="session")
def idp(tmp_path_factory):
    provider = IdentityProvider(tmp_path_factory.mktemp("idp")).start()
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
def sp_keys(tmp_path_factory):
    return write_self_signed(tmp_path_factory.mktemp("sp"), "sp", "Rejsetilskud (test)")


@pytest.fixture
def nemlogin(app, idp, sp_keys):
    """The app with NemLog-in switched on beside the password, registered at the test IdP."""
    from grants.nemlogin.service_provider import metadata_xml

    key, cert = sp_keys
    app.config.update(
        AUTHENTICATION_BACKENDS=("password", "nemlogin"),
        NEMLOGIN_IDP_METADATA=str(idp.metadata_path),
        NEMLOGIN_SP_KEY=str(key),
        NEMLOGIN_SP_CERT=str(cert),
    )
    with app.test_request_context():
        idp.trust(metadata_xml())
    idp.variant = ""
    yield idp
    idp.variant = ""


class Journey:
    """The browser's way through a login, with the Flask test client on the app's side and
    real HTTP at the IdP."""

    def __init__(self, client, idp):
        self.client = client
        self.idp = idp
        self.posted: dict[str, str] = {}

    def to_idp(self, next_page: str = "") -> str:
        start = self.client.get(
            "/log-ind/via/nemlogin" + (f"?next={next_page}" if next_page else "")
        )
        assert start.status_code == 302, start.get_data(as_text=True)
        return start.headers["Location"]

    def login(self, persona, variant: str = "", next_page: str = ""):
        self.idp.persona = persona
        self.idp.variant = variant
        page = self.idp.visit(self.to_idp(next_page))
        action, self.posted = form_of(page)
        if variant == "expired":
            # The IdP's assertion is good for one second: it comes back after two.
            self.client.application.config["NEMLOGIN_CLOCK_SKEW"] = 0
            time.sleep(2)
        return self.post_back(action)

    def post_back(self, action: str, fields: dict[str, str] | None = None):
        return self.client.post(urlparse(action).path, data=fields or self.posted)


@pytest.fixture
def journey(client, nemlogin):
    return Journey(client, nemlogin)
