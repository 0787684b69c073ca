"""Staff log in at the municipality's identity provider by OpenID Connect (Entra ID, ADFS).

The app is a relying party through Authlib (a well-kept library: no protocol code here):
the authorization code flow with PKCE (S256), ``state`` and ``nonce`` kept in the session and
checked on the way back, the ID token's signature checked against the provider's published
keys (JWKS, fetched again when the provider rotates its key), its issuer, audience and
expiry checked, and everything found from the issuer URL (discovery). Settings: ``OIDC_*``
in config.py; the set-up at Entra ID and ADFS: docs/login.md.

Roles come from the provider's groups (the ID token's ``OIDC_GROUPS_CLAIM``) through the
administrator's mapping. The mapping lives higher up (it names funds and committees), so it
registers itself here with ``role_mapping``: at every login the roles the mapping granted
are replaced by what the person's groups give now; roles granted by hand in the app stay.
A person nobody has linked yet gets an account made from the token (name, e-mail) if their
groups give at least one role, and is refused otherwise.

Every refusal is a translated message on the login page and an audited failed login
(``login.failed`` with the backend and the reason), never a server error.
"""

from __future__ import annotations

import logging
from typing import Protocol

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import Request, current_app, flash, redirect, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from joserfc.errors import JoseError
from sqlalchemy import func, select

from grants.core import security
from grants.core.commit import keep_writes
from grants.extensions import db
from grants.people import authentication
from grants.people.authentication import AuthenticationBackend, Identity, Refusal
from grants.people.models import User
from grants.people.two_factor import account_event

log = logging.getLogger(__name__)

NAME = "oidc"
# The ID token, for the provider's logout (id_token_hint). A token too big for the session
# cookie (many groups) is not kept: the logout then names the client instead.
ID_TOKEN = "oidc_id_token"  # nosec B105  # the session key's name, not a secret
ID_TOKEN_MAX = 2500


class RoleMapping(Protocol):
    """What the administrator's mapping of groups to roles answers (registered by a higher
    package, ``grants.administration.group_roles``)."""

    def gives_a_role(self, groups: list[str]) -> bool: ...

    def apply(self, user: User, groups: list[str]) -> None: ...


_mapping: list[RoleMapping] = []


def role_mapping(mapping: RoleMapping) -> RoleMapping:
    """Register the mapping of groups to roles (one; a later one replaces it)."""
    _mapping[:] = [mapping]
    return mapping


def _the_mapping() -> RoleMapping:
    if not _mapping:
        raise RuntimeError("No mapping of groups to roles: grants.administration not loaded.")
    return _mapping[0]


def audit_failure(reason: str, user: User | None = None, **details) -> None:
    """A failed login at the provider, in the audit trail (no personal data: the reason)."""
    log.info("OpenID Connect login refused: %s %s", reason, details)
    keep_writes()  # kept, though the answer is a refusal
    account_event.send(
        user,
        action="login.failed",
        actor=None,
        details={"method": NAME, "reason": reason, **details},
    )


class Unusable(Exception):
    """The settings do not let the app talk to the provider."""


def _client():
    """Authlib's client for the configured provider, one per app (it keeps the provider's
    metadata and keys between logins)."""
    app = current_app
    cached = app.extensions.get("grants.oidc")
    if cached is not None:
        return cached
    from authlib.integrations.flask_client import OAuth

    issuer = app.config["OIDC_ISSUER"]
    if not issuer or not app.config["OIDC_CLIENT_ID"]:
        raise Unusable("OIDC_ISSUER and OIDC_CLIENT_ID must be set to log in by OpenID Connect.")
    scopes = app.config["OIDC_SCOPES"].split()
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    oauth = OAuth()
    oauth.init_app(app)
    client = oauth.register(
        name=NAME,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"] or None,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        code_challenge_method="S256",
        client_kwargs={"scope": " ".join(scopes), "default_timeout": app.config["OIDC_TIMEOUT"]},
    )
    app.extensions["grants.oidc"] = client
    return client


def _metadata(client) -> dict:
    """The provider's discovery document; its issuer must be the one configured (OpenID
    Connect Discovery 1.0, section 4.3), or a provider could speak for another."""
    metadata = client.load_server_metadata()
    if metadata.get("issuer", "").rstrip("/") != current_app.config["OIDC_ISSUER"]:
        client.server_metadata.clear()
        raise Unusable(f"The provider's discovery names another issuer: {metadata.get('issuer')}")
    return metadata


def _groups(claims) -> list[str]:
    value = claims.get(current_app.config["OIDC_GROUPS_CLAIM"]) or []
    if isinstance(value, str):
        value = [value]
    return [str(group) for group in value if isinstance(group, (str, int))]


# Why a login at the provider failed, in words for the person.
def _unavailable() -> Refusal:
    return Refusal(
        _(
            "Kommunens login kan ikke nås lige nu. Prøv igen om lidt, eller kontakt "
            "IT-supporten, hvis det bliver ved."
        )
    )


def _cancelled() -> Refusal:
    return Refusal(
        _("Du blev ikke logget ind: login blev afbrudt eller afvist hos kommunens login.")
    )


def _start_again() -> Refusal:
    return Refusal(
        _(
            "Login kunne ikke gennemføres, fordi svaret fra kommunens login ikke passede til "
            "dette login. Prøv igen fra begyndelsen."
        )
    )


def _not_trusted() -> Refusal:
    return Refusal(
        _(
            "Login blev afvist, fordi svaret fra kommunens login ikke kunne godkendes. Prøv "
            "igen; kontakt IT-supporten, hvis det bliver ved."
        )
    )


@authentication.register
class OIDCBackend(AuthenticationBackend):
    """The municipality's own sign-on for staff (OpenID Connect). Its MFA is the provider's:
    the app asks no second factor after it."""

    name = NAME
    second_factor = False

    @property
    def label(self) -> str:  # type: ignore[override]  # from the settings, per language
        config = current_app.config
        english = str(get_locale() or "da") == "en"
        return (config["OIDC_LABEL_EN"] if english else None) or config["OIDC_LABEL"]

    def start(self, target: str | None = None):
        try:
            client = _client()
            _metadata(client)
            return client.authorize_redirect(
                url_for("people.login_return", backend=NAME, _external=True)
            )
        except (requests.RequestException, ValueError, Unusable) as error:
            log.warning("OpenID Connect provider unusable at the start: %s", error)
            audit_failure("provider_unavailable")
            flash(_unavailable().message, "error")
            return redirect(url_for("people.login"))

    def authenticate(self, request: Request, form=None) -> Identity | Refusal:
        answer = request.args if request.method == "GET" else request.form
        try:
            client = _client()
            metadata = _metadata(client)
            # RFC 9207: the issuer the answer says it is from must be ours (mix-up attacks).
            if "iss" in answer and answer["iss"].rstrip("/") != metadata["issuer"].rstrip("/"):
                audit_failure("wrong_issuer")
                return _not_trusted()
            token = client.authorize_access_token(leeway=current_app.config["OIDC_LEEWAY"])
        except MismatchingStateError:
            audit_failure("state_mismatch")
            return _start_again()
        except OAuthError as error:
            audit_failure("provider_error", error=str(error.error or "")[:60])
            if error.error in ("access_denied", "login_required", "interaction_required"):
                return _cancelled()
            if error.error in ("invalid_grant",):
                return _start_again()
            return _not_trusted()
        except (JoseError, AuthlibBaseError) as error:
            # The ID token: a bad signature, another audience or issuer, expired, the wrong
            # nonce, a claim missing.
            audit_failure("token_refused", error=type(error).__name__)
            return _not_trusted()
        except (requests.RequestException, ValueError, Unusable) as error:
            log.warning("OpenID Connect provider unusable on return: %s", error)
            audit_failure("provider_unavailable")
            return _unavailable()
        finally:
            _forget_states()
        claims = token.get("userinfo")
        if not claims or not claims.get("sub"):
            audit_failure("no_id_token")
            return _not_trusted()
        identity = Identity(
            backend=NAME,
            subject=str(claims["sub"]),
            email=str(claims.get("email") or claims.get("upn") or "").strip(),
            name=str(claims.get("name") or "").strip(),
            attributes={"groups": _groups(claims)},
        )
        answer = self._may_enter(identity)
        if isinstance(answer, Identity):  # kept for the logout at the provider
            id_token = token.get("id_token", "")
            session[ID_TOKEN] = id_token if len(id_token) <= ID_TOKEN_MAX else ""
        return answer

    def _may_enter(self, identity: Identity) -> Identity | Refusal:
        """Refused before anything is made: nobody linked, and the groups give no role here;
        or no usable e-mail address to make the account with."""
        if authentication.linked_user(NAME, identity.subject) is not None:
            return identity
        if not _the_mapping().gives_a_role(list(identity.attributes["groups"])):
            audit_failure("no_role")
            return Refusal(
                _(
                    "Du er logget ind hos kommunens login, men dine grupper giver ingen adgang "
                    "til Rejsetilskud. Kontakt administratoren, hvis du skal bruge systemet."
                )
            )
        if "@" not in identity.email:
            audit_failure("no_email")
            return Refusal(
                _(
                    "Kommunens login sendte ingen e-mailadresse for dig, så der kan ikke "
                    "oprettes en konto. Kontakt IT-supporten."
                )
            )
        if _email_taken(identity.email):
            audit_failure("email_taken")
            return Refusal(
                _(
                    "Der findes allerede en konto med din e-mailadresse. Bed administratoren om "
                    "at knytte den til dit login hos kommunen."
                )
            )
        return identity

    def account_for(self, identity: Identity) -> User | None:
        """The linked account with its roles brought up to date from the groups, or a new
        account made from the token (``_may_enter`` has said that it may be made)."""
        groups = list(identity.attributes.get("groups", ()))
        keep_writes()
        user = authentication.linked_user(NAME, identity.subject)
        if user is None:
            user = User(
                email=identity.email, name=identity.name or identity.email, password_hash=None
            )
            db.session.add(user)
            db.session.flush()
            authentication.link(user, NAME, identity.subject)
            account_event.send(
                user, action="people.account_created", actor=None, details={"method": NAME}
            )
        elif user.active and identity.name and user.name != identity.name:
            user.name = identity.name
        if user.active:
            _the_mapping().apply(user, groups)
        else:  # switched off in the app: refused by the login views, recorded here
            audit_failure("account_inactive", user)
        db.session.flush()
        return user

    def end_session(self, user: User):
        """RP-initiated logout: to the provider's end_session_endpoint with the ID token as
        the hint, and back to the app's front page."""
        id_token = session.get(ID_TOKEN, "")
        if not current_app.config["OIDC_LOGOUT"]:
            return None
        try:
            client = _client()
            metadata = _metadata(client)
        except (requests.RequestException, ValueError, Unusable):
            return None  # logged out here; the provider's session ends on its own
        if not metadata.get("end_session_endpoint"):
            return None
        extra = {} if id_token else {"client_id": current_app.config["OIDC_CLIENT_ID"]}
        logout = client.create_logout_url(
            post_logout_redirect_uri=url_for("core.index", _external=True),
            id_token_hint=id_token or None,
            **extra,
        )
        return redirect(logout["url"])


@security.form_targets
def _logout_origins() -> list[str]:
    """The provider's origin (and its logout endpoint's, once known) for the CSP's
    form-action: the logout form is answered with a redirect there."""
    config = current_app.config
    if NAME not in config["AUTHENTICATION_BACKENDS"] or not config["OIDC_LOGOUT"]:
        return []
    origins = [security.origin_of(config["OIDC_ISSUER"])]
    client = current_app.extensions.get("grants.oidc")
    if client is not None and client.server_metadata.get("end_session_endpoint"):
        origins.append(security.origin_of(client.server_metadata["end_session_endpoint"]))
    return [origin for origin in origins if origin]


def _email_taken(email: str) -> bool:
    return (
        db.session.scalar(select(User.id).where(func.lower(User.email) == email.lower()))
        is not None
    )


def _forget_states() -> None:
    """Authlib keeps each login's state in the session until it is used; a login abandoned
    at the provider leaves one behind. On the way back every one goes: a state is good once."""
    for key in [key for key in session if key.startswith(f"_state_{NAME}_")]:
        session.pop(key, None)
