"""A SAML identity provider on loopback that answers as NemLog-in does (OIOSAML 3): pysaml2's
IdP (``saml2.server.Server``) in a small WSGI app, served by werkzeug in a thread.

It checks the app's AuthnRequest (signed, by the HTTP-Redirect binding), and answers with a
Response by HTTP-POST whose assertion is signed by the IdP's key and encrypted for the app's
certificate, with the OIOSAML 3 attributes of the persona the test has chosen (``persona``).
``variant`` makes the next answer wrong in one way (expired, for another audience, signed by
another key, unsigned, in the clear, an error status). It also does single logout both ways.

The keys are made here (self-signed, ``grants.nemlogin.keys``), never taken from the
repository.
"""

from __future__ import annotations

import html
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse
from urllib.request import urlopen

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, xmldsig
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.samlp import STATUS_AUTHN_FAILED, STATUS_RESPONDER
from saml2.server import Server
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from grants.nemlogin.keys import write_self_signed
from tests.serving import SERVE

EID = "https://data.gov.dk/model/core/eid/"
OTHER_SERVICE = "https://another-service.example/saml"
LOA = "https://data.gov.dk/concept/core/nsis/loa"


@dataclass
class Persona:
    """Who logs in at the IdP: the NameID and the OIOSAML 3 attributes it asserts."""

    subject: str
    level: str = "Substantial"
    full_name: str = ""
    email: str = ""
    cvr: str = ""
    org_name: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def attributes(self) -> dict[str, list[str]]:
        values = {
            "https://data.gov.dk/model/core/specVersion": "OIO-SAML-3.0",
            LOA: self.level,
            EID + "fullName": self.full_name,
            EID + "email": self.email,
            EID + "professional/cvr": self.cvr,
            EID + "professional/orgName": self.org_name,
            **self.extra,
        }
        return {name: [value] for name, value in values.items() if value}


CITIZEN = Persona(
    subject="https://data.gov.dk/model/core/eid/person/uuid/9a0c7d2e-citizen",
    full_name="Karen Borger",
)
REPRESENTATIVE = Persona(
    subject="https://data.gov.dk/model/core/eid/professional/uuid/5f1e-representative",
    full_name="Rasmus Formand",
    email="formand@roklub.example",
    cvr="12345678",
    org_name="Ballerup Roklub",
)


def _body(pem: Path) -> str:
    lines = pem.read_text().strip().splitlines()
    return "".join(line for line in lines if "-----" not in line)


class IdentityProvider:
    def __init__(self, folder: Path, xmlsec: str = "/usr/bin/xmlsec1"):
        self.folder = folder
        self.xmlsec = xmlsec
        self.key, self.cert = write_self_signed(folder, "idp", "Test NemLog-in IdP")
        # Another key, for an assertion signed by someone else.
        self.other_key, self.other_cert = write_self_signed(folder, "intruder", "Not NemLog-in")
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.entity_id = self.url + "/idp"
        self.metadata_path = folder / "idp-metadata.xml"
        self.metadata_path.write_text(
            create_metadata_string(None, self._config(self.key, self.cert)).decode()
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs=SERVE, daemon=True
        )
        self.sp_metadata = ""
        self.persona: Persona = CITIZEN
        self.variant = ""
        self.requests: list = []  # the AuthnRequests seen, parsed
        self.logout_requests: list = []
        self.last_response = ""

    # -- configuration ------------------------------------------------------------------------
    def _config(self, key: Path, cert: Path, sp_metadata: str = "") -> IdPConfig:
        settings = {
            "entityid": self.entity_id,
            "xmlsec_binary": self.xmlsec,
            "key_file": str(key),
            "cert_file": str(cert),
            "allow_unknown_attributes": True,
            "service": {
                "idp": {
                    "name": "Test NemLog-in",
                    "endpoints": {
                        "single_sign_on_service": [(self.url + "/sso", BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(self.url + "/slo", BINDING_HTTP_REDIRECT)],
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "want_authn_requests_signed": True,
                    "sign_assertion": True,
                    "sign_response": False,
                    "encrypt_assertion": True,
                    "signing_algorithm": xmldsig.SIG_RSA_SHA256,
                    "digest_algorithm": xmldsig.DIGEST_SHA256,
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 5},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                }
            },
        }
        if sp_metadata:
            # The app, and another service registered at the same IdP (same keys, another
            # entity ID): an assertion meant for that one must not log anyone in here.
            entity = re.search(r'entityID="([^"]+)"', sp_metadata).group(1)
            another = sp_metadata.replace(entity, OTHER_SERVICE)
            settings["metadata"] = {"inline": [sp_metadata, another]}
        config = IdPConfig()
        config.load(settings)
        return config

    def trust(self, sp_metadata: str) -> None:
        """Register the app's service provider (its metadata, as NemLog-in's registration)."""
        self.sp_metadata = sp_metadata

    def server(self, *, other_key: bool = False, lifetime: dict | None = None) -> Server:
        key, cert = (self.other_key, self.other_cert) if other_key else (self.key, self.cert)
        config = self._config(key, cert, self.sp_metadata)
        server = Server(config=config)
        if lifetime is not None:
            server.config.getattr("policy", "idp")._restrictions["default"]["lifetime"] = lifetime
        return server

    def start(self) -> IdentityProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    # -- the web ------------------------------------------------------------------------------
    def wsgi(self, environ, start_response):
        request = Request(environ)
        try:
            if request.path == "/sso":
                response = self.single_sign_on(request)
            elif request.path == "/slo":
                response = self.single_logout(request)
            else:
                response = Response("not found", status=404)
        except Exception as error:  # the test sees what went wrong at the IdP
            response = Response(f"IdP error: {type(error).__name__}: {error}", status=400)
        return response(environ, start_response)

    def single_sign_on(self, request: Request) -> Response:
        args = request.args
        server = self.server()
        parsed = server.parse_authn_request(
            args["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=args.get("RelayState"),
            sigalg=args.get("SigAlg"),
            signature=args.get("Signature"),
        )
        if parsed is None:
            return Response("AuthnRequest refused", status=400)
        self.requests.append(parsed)
        message = parsed.message
        binding, destination = server.pick_binding(
            "assertion_consumer_service",
            bindings=[BINDING_HTTP_POST],
            entity_id=message.issuer.text,
            request=message,
        )
        response = self.answer(message.id, destination, message.issuer.text)
        self.last_response = response
        info = server.apply_binding(
            BINDING_HTTP_POST, response, destination, args.get("RelayState", ""), response=True
        )
        return self._post_page(info, destination)

    def answer(self, in_response_to: str, destination: str, sp_entity_id: str) -> str:
        """The SAML Response to one AuthnRequest, as the test's persona and variant say."""
        variant, self.variant = self.variant, ""
        if variant == "error":
            server = self.server()
            return str(
                server.create_error_response(
                    in_response_to, destination, (STATUS_RESPONDER, STATUS_AUTHN_FAILED), sign=False
                )
            )
        server = self.server(
            other_key=variant == "wrong_key",
            lifetime={"seconds": 1} if variant == "expired" else None,
        )
        persona = self.persona
        audience = (
            "https://another-service.example/saml" if variant == "other_audience" else sp_entity_id
        )
        response = server.create_authn_response(
            identity=persona.attributes(),
            in_response_to=in_response_to,
            destination=destination,
            sp_entity_id=audience,
            name_id=NameID(text=persona.subject, format=NAMEID_FORMAT_PERSISTENT),
            authn={
                "class_ref": f"https://data.gov.dk/concept/core/nsis/loa/{persona.level}",
                "authn_auth": self.entity_id,
            },
            sign_assertion=variant != "unsigned",
            sign_response=False,
            encrypt_assertion=variant != "clear",
            encrypt_assertion_self_contained=True,
            encrypt_cert_assertion=self._sp_cert(server, sp_entity_id),
            sign_alg=xmldsig.SIG_RSA_SHA256,
            digest_alg=xmldsig.DIGEST_SHA256,
        )
        return str(response)

    @staticmethod
    def _sp_cert(server: Server, sp_entity_id: str) -> str:
        """The app's encryption certificate, from its metadata."""
        ((_name, body), *_others) = server.metadata.certs(sp_entity_id, "spsso", "encryption")
        return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n"

    @staticmethod
    def _post_page(info: dict, destination: str) -> Response:
        """The page NemLog-in shows after MitID: a form that posts the Response to the app."""
        fields = "".join(
            f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
            for name, value in _form_fields(info)
        )
        page = (
            '<!doctype html><html lang="da"><head><meta charset="utf-8"><title>MitID (test)</title></head>'
            f'<body><main><h1>MitID (test)</h1><form method="post" action="{html.escape(destination)}">'
            f'{fields}<button type="submit">Fortsæt</button></form></main></body></html>'
        )
        return Response(page, mimetype="text/html")

    def single_logout(self, request: Request) -> Response:
        """The app's LogoutRequest (signed): answered with a signed LogoutResponse."""
        server = self.server()
        args = request.args
        parsed = server.parse_logout_request(
            args["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=args.get("RelayState"),
            sigalg=args.get("SigAlg"),
            signature=args.get("Signature"),
        )
        self.logout_requests.append(parsed)
        response = server.create_logout_response(
            parsed.message, [BINDING_HTTP_REDIRECT], sign=False
        )
        binding, destination = server.pick_binding(
            "single_logout_service",
            [BINDING_HTTP_REDIRECT],
            "spsso",
            entity_id=parsed.message.issuer.text,
        )
        info = server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            destination,
            args.get("RelayState", ""),
            response=True,
            sign=True,
            sigalg=xmldsig.SIG_RSA_SHA256,
        )
        return Response(status=302, headers={"Location": dict(info["headers"])["Location"]})

    def logout_request_url(
        self, subject: str, sp_entity_id: str, *, other_key: bool = False
    ) -> str:
        """A LogoutRequest started at the IdP (the person logged out elsewhere), as the URL
        the browser is sent to at the app."""
        server = self.server(other_key=other_key)
        _binding, destination = server.pick_binding(
            "single_logout_service", [BINDING_HTTP_REDIRECT], "spsso", entity_id=sp_entity_id
        )
        _id, message = server.create_logout_request(
            destination,
            sp_entity_id,
            name_id=NameID(text=subject, format=NAMEID_FORMAT_PERSISTENT),
            sign=False,
        )
        info = server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(message),
            destination,
            "",
            sign=True,
            sigalg=xmldsig.SIG_RSA_SHA256,
        )
        return dict(info["headers"])["Location"]

    # -- for tests without a browser ----------------------------------------------------------
    def visit(self, url: str) -> str:
        """GET a URL at the IdP over HTTP, as the browser would; its page."""
        with urlopen(url, timeout=10) as answer:  # noqa: S310  # loopback, the test's own IdP
            return answer.read().decode()


def _form_fields(info: dict) -> list[tuple[str, str]]:
    """The hidden fields of pysaml2's POST binding page (SAMLResponse, RelayState)."""
    import re

    page = info["data"]
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)


def form_of(page: str) -> tuple[str, dict[str, str]]:
    """The action and the hidden fields of the IdP's page that posts to the app."""
    import re

    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', page).group(1))
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    }
    return action, fields


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


__all__ = [
    "CITIZEN",
    "REPRESENTATIVE",
    "IdentityProvider",
    "Persona",
    "form_of",
    "query_of",
    "urlencode",
]
