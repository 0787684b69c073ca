"""KOMBIT's Serviceplatformen, SF1601 (Næste generation Digital Post), over its REST API.

Three calls, as python-serviceplatformen makes them (``authentication.py`` and
``digital_post.py`` there), each over mutual TLS with the organisation's certificate (OCES3,
PEM with its key):

1. the Security Token Service (Adgangsstyring) issues a SAML token for the service's entity
   id, for the municipality's CVR number (``AnvenderKontekst``);
2. the access token service exchanges it for a bearer token;
3. ``PostForespoerg_1`` answers whether a CPR/CVR number receives Digital Post (a person may
   be exempt), and ``KombiPostAfsend_1/memos`` takes the MeMo message.

The addresses, the certificate and the CA are configuration (``DIGITAL_POST_*``), so the
tests point them at a server on loopback and a municipality at KOMBIT's test or production
environment (docs/integrations.md).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import requests
from flask import current_app

from grants.delivery import memo

SEND_ENTITY = "http://entityid.kombit.dk/service/kombipostafsend/1"
ASK_ENTITY = "http://entityid.kombit.dk/service/postforespoerg/1"


class DigitalPostError(Exception):
    """Serviceplatformen refused or did not answer: worth trying again later."""


@dataclass(frozen=True)
class Settings:
    url: str  # the platform, e.g. https://exttest.serviceplatformen.dk
    sts_url: str
    token_url: str
    certificate: str  # PEM with the private key
    ca_bundle: str | None
    municipality_cvr: str
    timeout: float

    @classmethod
    def from_config(cls) -> Settings:
        config = current_app.config
        url = config["DIGITAL_POST_URL"].rstrip("/")
        return cls(
            url=url,
            sts_url=config["DIGITAL_POST_STS_URL"],
            token_url=config.get("DIGITAL_POST_TOKEN_URL")
            or f"{url}/service/AccessTokenService_1/token",
            certificate=config["DIGITAL_POST_CERTIFICATE"],
            ca_bundle=config.get("DIGITAL_POST_CA_BUNDLE") or None,
            municipality_cvr=sender_cvr(),
            timeout=float(config.get("DIGITAL_POST_TIMEOUT", 10)),
        )


def sender_cvr() -> str:
    """The municipality's CVR number: the sender of its letters and the STS's context."""
    from grants.core.models import Municipality

    return current_app.config.get("DIGITAL_POST_SENDER_CVR") or Municipality.current().cvr


def configured() -> bool:
    config = current_app.config
    return bool(
        config.get("DIGITAL_POST_URL") and config.get("DIGITAL_POST_CERTIFICATE") and sender_cvr()
    )


class Client:
    """One conversation with the platform: the tokens are fetched once per service."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._tokens: dict[str, str] = {}

    def _call(self, method: str, url: str, **kwargs) -> requests.Response:
        try:
            response = requests.request(
                method,
                url,
                cert=self.settings.certificate,
                verify=self.settings.ca_bundle or True,
                timeout=self.settings.timeout,
                **kwargs,
            )
        except requests.RequestException as error:
            raise DigitalPostError(f"{type(error).__name__}: {error}") from error
        if response.status_code >= 400:
            raise DigitalPostError(f"HTTP {response.status_code}: {response.text[:300]}")
        return response

    def token(self, entity_id: str) -> str:
        if entity_id not in self._tokens:
            saml = self._call(
                "POST",
                self.settings.sts_url,
                json={
                    "TokenType": "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1"
                    "#SAMLV2.0",
                    "RequestType": "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
                    "KeyType": "http://docs.oasis-open.org/ws-sx/ws-trust/200512/PublicKey",
                    "AnvenderKontekst": {"Cvr": self.settings.municipality_cvr},
                    "UseKey": _certificate_line(self.settings.certificate),
                    "AppliesTo": {"EndpointReference": {"Address": entity_id}},
                    "OnBehalfOf": None,
                },
            ).json()["RequestedSecurityToken"]["Assertion"]
            access = self._call("POST", self.settings.token_url, data={"saml-token": saml}).json()
            self._tokens[entity_id] = f"{access['token_type']} {access['access_token']}"
        return self._tokens[entity_id]

    def _headers(self, entity_id: str) -> dict[str, str]:
        return {
            "X-TransaktionsId": str(uuid.uuid4()),
            "X-TransaktionsTid": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "authorization": self.token(entity_id),
        }

    def receives_digital_post(self, recipient: memo.Party) -> bool:
        """False for a person exempt from Digital Post (fritaget) or a number not known."""
        name = "cprNumber" if recipient.id_type == memo.CPR else "cvrNumber"
        response = self._call(
            "GET",
            f"{self.settings.url}/service/PostForespoerg_1/digitalpost",
            params={name: recipient.id},
            headers=self._headers(ASK_ENTITY),
        )
        return bool(response.json().get("result"))

    def send(self, message) -> str:
        """Hand the MeMo message to the platform; its transaction id, for tracing."""
        headers = self._headers(SEND_ENTITY) | {"Content-Type": "application/xml"}
        self._call(
            "POST",
            f"{self.settings.url}/service/KombiPostAfsend_1/memos",
            data=memo.kombi_request(message),
            headers=headers,
        )
        return headers["X-TransaktionsId"]


def _certificate_line(path: str) -> str:
    """The organisation's certificate (the first in the PEM file) as one line of base64."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    with open(path, "rb") as file:
        certificate = x509.load_pem_x509_certificate(file.read())
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
    return "".join(pem.splitlines()[1:-1])
