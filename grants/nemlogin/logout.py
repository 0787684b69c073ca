"""SAML single logout with NemLog-in, by the HTTP-Redirect binding (a browser sends the
session cookie along on a top-level GET from another site, so the app knows whose session
it is):

* started here: the app's logout (grants.people.views.logout) ends the app's session, then
  sends a signed LogoutRequest for the NameID and session index of the login; NemLog-in
  answers at ``/nemlogin/log-ud`` with a LogoutResponse;
* started at NemLog-in (the person logged out of another service in the same MitID session):
  a signed LogoutRequest arrives at ``/nemlogin/log-ud``; if it names the person logged in
  here, the app's session ends; the app answers with a signed LogoutResponse either way.

A message whose signature is not NemLog-in's is refused and changes nothing.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import urlsplit

from saml2 import BINDING_HTTP_REDIRECT, xmldsig
from saml2.saml import NameID
from saml2.sigver import verify_redirect_signature

from grants.nemlogin import service_provider as sp


def _slo_destination(saml_client, idp: str) -> str:
    services = saml_client.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")
    for service in services or []:
        return service["location"]
    raise RuntimeError("NemLog-in's metadata has no single logout service (HTTP-Redirect)")


def logout_request(known: dict) -> str:
    """The URL that carries a signed LogoutRequest for the login in ``known`` to NemLog-in."""
    saml_client = sp.client()
    idp = sp.idp_entity_id(saml_client)
    destination = _slo_destination(saml_client, idp)
    name_id = NameID(text=known["name_id"], format=known.get("format") or None)
    _id, message = saml_client.create_logout_request(
        destination,
        idp,
        name_id=name_id,
        session_indexes=[known["session_index"]] if known.get("session_index") else None,
        sign=False,  # the HTTP-Redirect binding signs the query instead
    )
    info = saml_client.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(message),
        destination,
        sign=True,
        sigalg=xmldsig.SIG_RSA_SHA256,
    )
    return dict(info["headers"])["Location"]


def signed_by_idp(args: dict[str, str]) -> bool:
    """The query (SAMLRequest or SAMLResponse, RelayState, SigAlg, Signature) carries a valid
    signature by a certificate in NemLog-in's metadata."""
    if not args.get("Signature") or not args.get("SigAlg"):
        return False
    saml_client = sp.client()
    idp = sp.idp_entity_id(saml_client)
    message = {
        key: args[key]
        for key in ("SAMLRequest", "SAMLResponse", "RelayState", "SigAlg", "Signature")
        if key in args
    }
    for _name, cert in saml_client.metadata.certs(idp, "idpsso", "signing"):
        try:
            if verify_redirect_signature(message, saml_client.sec.sec_backend, cert):
                return True
        except Exception:  # nosec B112  # a certificate that does not fit: try the next
            continue
    return False


def read_logout_request(args: dict[str, str]):
    """NemLog-in's LogoutRequest (already known to be signed by it): the request object."""
    saml_client = sp.client()
    return saml_client.parse_logout_request(args["SAMLRequest"], BINDING_HTTP_REDIRECT)


def read_logout_response(args: dict[str, str]) -> bool:
    """NemLog-in's answer to the app's LogoutRequest: whether it says success."""
    saml_client = sp.client()
    response = saml_client.parse_logout_request_response(
        args["SAMLResponse"], BINDING_HTTP_REDIRECT
    )
    return response is not None and response.status_ok()


def logout_response(request, relay_state: str = "") -> str:
    """The URL that carries the app's signed LogoutResponse to NemLog-in's LogoutRequest."""
    saml_client = sp.client()
    response = saml_client.create_logout_response(
        request.message, bindings=[BINDING_HTTP_REDIRECT], sign=False
    )
    destination = _slo_destination(saml_client, sp.idp_entity_id(saml_client))
    info = saml_client.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        destination,
        relay_state=relay_state,
        response=True,
        sign=True,
        sigalg=xmldsig.SIG_RSA_SHA256,
    )
    return dict(info["headers"])["Location"]


def idp_logout_origins() -> list[str]:
    """NemLog-in's single logout origin, for the app's Content-Security-Policy (form-action):
    the logout form's answer redirects there. Read from its metadata, once per version of the
    file; nothing while NemLog-in is off or not configured."""
    from flask import current_app

    if "nemlogin" not in current_app.config["AUTHENTICATION_BACKENDS"]:
        return []
    path = current_app.config["NEMLOGIN_IDP_METADATA"]
    try:
        mtime = Path(path).stat().st_mtime_ns if path else None
    except OSError:
        return []
    return list(_origins_in(path, mtime)) if mtime is not None else []


@functools.lru_cache(maxsize=4)
def _origins_in(path: str, _mtime: int) -> tuple[str, ...]:
    from defusedxml import ElementTree

    metadata = "{urn:oasis:names:tc:SAML:2.0:metadata}"
    root = ElementTree.parse(path).getroot()
    origins = set()
    for service in root.iter(metadata + "SingleLogoutService"):
        parts = urlsplit(service.get("Location", ""))
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return tuple(sorted(origins))
