"""The app as a SAML 2.0 service provider for NemLog-in, after the OIOSAML 3 profile.

pysaml2 does the protocol (XML signatures and encryption through xmlsec1); this module holds
what the profile asks of a service provider and pysaml2 does not check by itself:

* the assertion must be *encrypted* as well as signed (pysaml2 accepts a signed assertion in
  the clear);
* an assertion is accepted once (``UsedAssertion``: pysaml2 keeps no record across processes);
* the NSIS assurance level must be given and reach the configured minimum;
* the CPR number is never asked for, and is dropped if it comes.

Keys and certificates are read from the paths in the configuration (``NEMLOGIN_*``), never
from the repository.
"""

from __future__ import annotations

import base64
import datetime as dt
import shutil
from dataclasses import dataclass, field

from defusedxml import ElementTree
from flask import current_app, url_for
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, xmldsig
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from grants.core import clock
from grants.extensions import db
from grants.nemlogin.models import UsedAssertion
from grants.people.assurance import Level

# -- the OIOSAML 3 attribute profile ----------------------------------------------------------
LOA = "https://data.gov.dk/concept/core/nsis/loa"
SPEC_VERSION = "https://data.gov.dk/model/core/specVersion"
FULL_NAME = "https://data.gov.dk/model/core/eid/fullName"
FIRST_NAME = "https://data.gov.dk/model/core/eid/firstName"
LAST_NAME = "https://data.gov.dk/model/core/eid/lastName"
EMAIL = "https://data.gov.dk/model/core/eid/email"
CVR = "https://data.gov.dk/model/core/eid/professional/cvr"
ORG_NAME = "https://data.gov.dk/model/core/eid/professional/orgName"
# Never requested nor kept: a name and an organisation are enough to grant travel money.
CPR = "https://data.gov.dk/model/core/eid/cprNumber"
# What the app asks NemLog-in for (the AttributeConsumingService of its metadata).
REQUIRED_ATTRIBUTES = (SPEC_VERSION, LOA)
OPTIONAL_ATTRIBUTES = (FULL_NAME, FIRST_NAME, LAST_NAME, EMAIL, CVR, ORG_NAME)
# The AuthnContextClassRef of a level, as the request asks for a minimum.
LOA_CLASS = "https://data.gov.dk/concept/core/nsis/loa/{}"

ASSERTION = "{urn:oasis:names:tc:SAML:2.0:assertion}Assertion"
ENCRYPTED_ASSERTION = "{urn:oasis:names:tc:SAML:2.0:assertion}EncryptedAssertion"


class Refused(Exception):
    """A response the app does not accept; ``reason`` is a code for the log and the tests,
    the person sees one translated message per kind (grants.nemlogin.backend)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class Assertion:
    """What the app keeps of an accepted assertion."""

    name_id: str
    name_id_format: str
    session_index: str
    level: Level
    attributes: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.attributes.get(name, "").strip()

    @property
    def name(self) -> str:
        full = self.get(FULL_NAME)
        if full:
            return full
        return " ".join(part for part in (self.get(FIRST_NAME), self.get(LAST_NAME)) if part)

    @property
    def cvr(self) -> str | None:
        value = self.get(CVR)
        return value if value.isascii() and value.isdigit() and len(value) == 8 else None


def configured() -> bool:
    """NemLog-in's settings are all given."""
    config = current_app.config
    return all(
        config[key] for key in ("NEMLOGIN_IDP_METADATA", "NEMLOGIN_SP_KEY", "NEMLOGIN_SP_CERT")
    )


def entity_id() -> str:
    return current_app.config["NEMLOGIN_ENTITY_ID"] or url_for("nemlogin.metadata", _external=True)


def _xmlsec() -> str:
    binary = current_app.config["NEMLOGIN_XMLSEC1"] or shutil.which("xmlsec1")
    if not binary:
        raise RuntimeError("NemLog-in needs xmlsec1 (Debian: apt-get install xmlsec1)")
    return binary


def sp_config() -> SPConfig:
    """pysaml2's configuration of this service provider, from the app's."""
    config = current_app.config
    if not configured():
        raise RuntimeError(
            "NemLog-in is switched on, but NEMLOGIN_IDP_METADATA, NEMLOGIN_SP_KEY and "
            "NEMLOGIN_SP_CERT are not all set (docs/login.md)"
        )
    key, cert = config["NEMLOGIN_SP_KEY"], config["NEMLOGIN_SP_CERT"]
    settings = {
        "entityid": entity_id(),
        "xmlsec_binary": _xmlsec(),
        "key_file": key,
        "cert_file": cert,
        "encryption_keypairs": [{"key_file": key, "cert_file": cert}],
        "metadata": {"local": [config["NEMLOGIN_IDP_METADATA"]]},
        "allow_unknown_attributes": True,
        "accepted_time_diff": config["NEMLOGIN_CLOCK_SKEW"],
        "service": {
            "sp": {
                "name": config["NEMLOGIN_SERVICE_NAME"],
                "endpoints": {
                    "assertion_consumer_service": [
                        (
                            url_for("people.login_return", backend="nemlogin", _external=True),
                            BINDING_HTTP_POST,
                        )
                    ],
                    "single_logout_service": [
                        (url_for("nemlogin.logout", _external=True), BINDING_HTTP_REDIRECT)
                    ],
                },
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "want_assertions_or_response_signed": True,
                "allow_unsolicited": False,
                "signing_algorithm": xmldsig.SIG_RSA_SHA256,
                "digest_algorithm": xmldsig.DIGEST_SHA256,
                "requested_attribute_name_format": NAME_FORMAT_URI,
                "required_attributes": list(REQUIRED_ATTRIBUTES),
                "optional_attributes": list(OPTIONAL_ATTRIBUTES),
            }
        },
    }
    sp = SPConfig()
    sp.load(settings)
    return sp


def client() -> Saml2Client:
    return Saml2Client(config=sp_config())


def idp_entity_id(saml_client: Saml2Client) -> str:
    """NemLog-in's entity ID: the one identity provider in its metadata."""
    idps = list(saml_client.metadata.identity_providers())
    if len(idps) != 1:
        raise RuntimeError(f"NEMLOGIN_IDP_METADATA names {len(idps)} identity providers, not one")
    return idps[0]


def authn_request(minimum: Level) -> tuple[str, str]:
    """A signed AuthnRequest (HTTP-Redirect binding) asking for at least ``minimum``: the
    request's ID (to bind the answer to) and the URL to send the browser to."""
    from saml2.saml import AuthnContextClassRef
    from saml2.samlp import RequestedAuthnContext

    saml_client = client()
    context = RequestedAuthnContext(
        authn_context_class_ref=[AuthnContextClassRef(LOA_CLASS.format(minimum.name.title()))],
        comparison="minimum",
    )
    request_id, info = saml_client.prepare_for_authenticate(
        entityid=idp_entity_id(saml_client),
        binding=BINDING_HTTP_REDIRECT,
        sign=True,
        sigalg=xmldsig.SIG_RSA_SHA256,
        digest_alg=xmldsig.DIGEST_SHA256,
        requested_authn_context=context,
    )
    location = dict(info["headers"])["Location"]
    return request_id, location


def _require_encrypted(encoded: str) -> None:
    """OIOSAML 3: the assertion comes encrypted, never in the clear."""
    try:
        root = ElementTree.fromstring(base64.b64decode(encoded, validate=False))
    except Exception as error:
        raise Refused("malformed", str(error)) from error
    if root.find(ASSERTION) is not None:
        raise Refused("not_encrypted", "the assertion came in the clear")
    if root.find(ENCRYPTED_ASSERTION) is None:
        raise Refused("no_assertion")


def read_response(encoded: str, request_id: str, minimum: Level) -> Assertion:
    """The assertion in a SAMLResponse posted back, checked: signed by NemLog-in, encrypted
    for this app, in answer to ``request_id``, for this app's audience, in time, seen for the
    first time, at ``minimum`` or above. Raises ``Refused``."""
    from saml2.response import StatusError

    saml_client = client()
    status = _status_of(encoded)
    if status is not None:
        raise Refused("idp_error", status)
    _require_encrypted(encoded)
    try:
        response = saml_client.parse_authn_request_response(
            encoded, BINDING_HTTP_POST, outstanding={request_id: "/"}
        )
    except StatusError as error:
        raise Refused("idp_error", str(error)) from error
    except Exception as error:  # pysaml2 raises many kinds; each one is a refusal here
        raise Refused(_reason_of(error), f"{type(error).__name__}: {error}") from error
    if response is None:
        raise Refused("unsolicited")
    assertion = response.assertion
    if assertion is None:
        # pysaml2 passes over an encrypted assertion it cannot decrypt (not for this app's
        # key, or changed on the way) and answers with none.
        raise Refused("not_for_this_app")
    if response.in_response_to != request_id:
        raise Refused("not_this_login")
    attributes = {name: str(values[0]) for name, values in (response.ava or {}).items() if values}
    attributes.pop(CPR, None)
    level = Level.parse(attributes.get(LOA))
    if level is None:
        raise Refused("no_level")
    if level < minimum:
        raise Refused("level_too_low", level.name)
    name_id = response.name_id
    if name_id is None or not name_id.text:
        raise Refused("no_subject")
    session_index = ""
    if assertion.authn_statement:
        session_index = assertion.authn_statement[0].session_index or ""
    _use_once(assertion.id, _not_on_or_after(assertion))
    return Assertion(
        name_id=name_id.text.strip(),
        name_id_format=name_id.format or "",
        session_index=session_index,
        level=level,
        attributes=attributes,
    )


STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"


def _status_of(encoded: str) -> str | None:
    """The status of a response that is not a success (the person cancelled at MitID, or
    NemLog-in could not log them in), else None."""
    try:
        root = ElementTree.fromstring(base64.b64decode(encoded, validate=False))
    except Exception as error:
        raise Refused("malformed", str(error)) from error
    codes = root.findall(
        "{urn:oasis:names:tc:SAML:2.0:protocol}Status/{urn:oasis:names:tc:SAML:2.0:protocol}StatusCode"
    )
    if not codes:
        raise Refused("malformed", "no status")
    top = codes[0]
    if top.get("Value") == STATUS_SUCCESS:
        return None
    inner = top.find("{urn:oasis:names:tc:SAML:2.0:protocol}StatusCode")
    return " / ".join(
        v for v in (top.get("Value"), inner.get("Value") if inner is not None else None) if v
    )


def _reason_of(error: Exception) -> str:
    """pysaml2's exception, as one of the refusals the tests and the log name."""
    name = type(error).__name__
    text = str(error).lower()
    if "signature" in name.lower() or "signature" in text:
        return "bad_signature"
    if "audience" in text or "not for me" in text:
        return "wrong_audience"
    if name in ("ResponseLifetimeExceed", "ToEarly") or "lifetime" in text or "too old" in text:
        return "expired"
    if "unsolicited" in name.lower() or "inresponseto" in text or "came from" in text:
        return "not_this_login"
    if "decrypt" in text:
        return "not_for_this_app"
    return "invalid"


def _not_on_or_after(assertion) -> dt.datetime:
    """How long the assertion's ID must be remembered: until it could no longer be accepted."""
    from saml2.time_util import str_to_time

    moments = []
    if assertion.conditions is not None and assertion.conditions.not_on_or_after:
        moments.append(assertion.conditions.not_on_or_after)
    for confirmation in assertion.subject.subject_confirmation if assertion.subject else []:
        data = confirmation.subject_confirmation_data
        if data is not None and data.not_on_or_after:
            moments.append(data.not_on_or_after)
    latest = clock.now() + dt.timedelta(hours=1)
    for moment in moments:
        parsed = dt.datetime(*str_to_time(moment)[:6], tzinfo=dt.UTC)
        latest = max(latest, parsed)
    return latest + dt.timedelta(seconds=current_app.config["NEMLOGIN_CLOCK_SKEW"])


def _use_once(assertion_id: str, keep_until: dt.datetime) -> None:
    """Remember the assertion's ID; a second use is a replay. The unique index decides, so two
    servers given the same assertion at once accept it once between them."""
    if not assertion_id:
        raise Refused("no_assertion_id")
    db.session.execute(delete(UsedAssertion).where(UsedAssertion.keep_until < clock.now()))
    try:
        with db.session.begin_nested():
            db.session.add(UsedAssertion(assertion_id=assertion_id, keep_until=keep_until))
            db.session.flush()
    except IntegrityError as error:
        raise Refused("replayed", assertion_id) from error


def metadata_xml() -> str:
    """This service provider's metadata, signed with its key, for registration with
    NemLog-in (its signing and encryption certificate, the endpoints, the attributes)."""
    from saml2.metadata import entity_descriptor, sign_entity_descriptor
    from saml2.sigver import security_context

    config = sp_config()
    descriptor = entity_descriptor(config)
    security = security_context(config)
    _id, signed = sign_entity_descriptor(
        descriptor,
        None,
        security,
        sign_alg=xmldsig.SIG_RSA_SHA256,
        digest_alg=xmldsig.DIGEST_SHA256,
    )
    return signed.to_string().decode() if hasattr(signed, "to_string") else str(signed)
