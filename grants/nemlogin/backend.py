"""The login backend "nemlogin": MitID for citizens, MitID Erhverv for people who act for an
association, through NemLog-in (OIOSAML 3). A redirect backend (grants.people.authentication):
``start`` sends a signed AuthnRequest, NemLog-in posts the signed and encrypted assertion back
to ``/log-ind/via/nemlogin/retur``, ``authenticate`` checks it (grants.nemlogin.service_provider)
and ``account_for`` finds or makes the account, and links a MitID Erhverv login to the
organisation of its CVR number.

Binding the answer to the login: the AuthnRequest's ID is kept in a signed cookie of its own,
not in the session, because NemLog-in posts the answer from another site and a browser does
not send the session cookie (SameSite=Lax) with such a post. The cookie is SameSite=None
(Secure) where the app runs on https, and holds the page the person wanted too.
"""

from __future__ import annotations

import hashlib
import logging

from flask import after_this_request, current_app, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from grants.core.security import safe_next
from grants.extensions import db
from grants.nemlogin import service_provider as sp
from grants.organisations.operations import join_by_cvr
from grants.people import authentication
from grants.people.assurance import CVR_KEY, LEVEL_KEY, Level
from grants.people.authentication import AuthenticationBackend, Identity, Refusal
from grants.people.models import User

log = logging.getLogger(__name__)

NAME = "nemlogin"
COOKIE = "nemlogin_request"
# How long a login at NemLog-in may take before the answer is no longer taken.
REQUEST_SECONDS = 15 * 60
# What single logout needs of the login (the NameID and the session index), in the session.
SLO_KEY = "nemlogin_slo"
# Where an account without an e-mail address from NemLog-in gets one that is never delivered
# (RFC 2606): a citizen's MitID login gives no address.
NO_ADDRESS_DOMAIN = "mitid.invalid"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="nemlogin-request")


def minimum_level() -> Level:
    return Level.parse(current_app.config["NEMLOGIN_MINIMUM_ASSURANCE"]) or Level.LOW


def refusal_message(reason: str) -> str:
    """One clear sentence per kind of refusal; the details go to the log, not to the person."""
    if reason == "idp_error":
        return _("Du blev ikke logget ind med MitID. Prøv igen, eller vælg en anden måde.")
    if reason in ("expired", "not_this_login", "unsolicited", "no_request"):
        return _(
            "Svaret fra MitID hører ikke til et login, der er i gang her, eller det er for "
            "gammelt. Prøv at logge ind igen."
        )
    if reason == "replayed":
        return _("Dette svar fra MitID er allerede brugt. Log ind igen.")
    if reason in ("level_too_low", "no_level"):
        return _("Dit MitID-login var ikke på et højt nok sikringsniveau. Log ind igen med MitID.")
    return _("Svaret fra MitID kunne ikke godkendes. Prøv at logge ind igen.")


@authentication.register
class NemLogInBackend(AuthenticationBackend):
    name = NAME
    label = _l("MitID")
    # MitID is NSIS-assessed and asks its own second factor.
    second_factor = False

    def start(self, target: str | None = None):
        request_id, location = sp.authn_request(minimum_level())
        wanted = session.get("login_next") or target or ""
        token = _serializer().dumps({"id": request_id, "next": wanted})
        response = redirect(location)
        secure = request.is_secure
        response.set_cookie(
            COOKIE,
            token,
            max_age=REQUEST_SECONDS,
            httponly=True,
            secure=secure,
            # NemLog-in posts back from another site: on https the cookie must come along.
            samesite="None" if secure else "Lax",
            path=_cookie_path(),
        )
        return response

    def authenticate(self, request, form=None) -> Identity | Refusal:
        @after_this_request
        def forget_request(response):
            response.delete_cookie(COOKIE, path=_cookie_path())
            return response

        encoded = request.form.get("SAMLResponse", "")
        try:
            pending = _serializer().loads(request.cookies.get(COOKIE, ""), max_age=REQUEST_SECONDS)
        except BadSignature:
            pending = None
        try:
            if not encoded:
                raise sp.Refused("no_response")
            if not isinstance(pending, dict) or not pending.get("id"):
                raise sp.Refused("no_request")
            assertion = sp.read_response(encoded, str(pending["id"]), minimum_level())
        except sp.Refused as refused:
            log.warning("NemLog-in login refused: %s", refused)
            return Refusal(refusal_message(refused.reason))
        # The login views take the page wanted from the session, which did not come along.
        if pending.get("next"):
            session["login_next"] = safe_next(pending["next"])
        email = assertion.get(sp.EMAIL)
        subject = assertion.name_id
        if authentication.linked_user(NAME, subject) is None and email and _taken(email):
            # Never linked by the address alone (docs/authentication.md).
            return Refusal(
                _(
                    "Der er allerede en konto med e-mailadressen %(email)s. Log ind med e-mail "
                    "og adgangskode, eller kontakt kommunen.",
                    email=email,
                )
            )
        session[SLO_KEY] = {
            "name_id": subject,
            "format": assertion.name_id_format,
            "session_index": assertion.session_index,
        }
        return Identity(
            backend=NAME,
            subject=subject,
            email=email,
            name=assertion.name,
            attributes={
                LEVEL_KEY: assertion.level,
                CVR_KEY: assertion.cvr,
                "org_name": assertion.get(sp.ORG_NAME),
            },
        )

    def account_for(self, identity: Identity) -> User | None:
        """The account linked to the MitID identity, made at its first login; a MitID
        Erhverv login makes the person a member of its CVR number's organisation."""
        user = authentication.linked_user(NAME, identity.subject)
        if user is None:
            user = User(
                email=identity.email or _no_address(identity.subject),
                name=identity.name or identity.email or _("MitID-bruger"),
                password_hash=None,
            )
            db.session.add(user)
            db.session.flush()
            authentication.link(user, NAME, identity.subject)
        elif identity.name and user.name != identity.name:
            user.name = identity.name[:200]  # MitID's register is right about the name
        cvr = identity.attributes.get(CVR_KEY)
        if cvr and user.active:
            join_by_cvr(user, cvr, identity.attributes.get("org_name") or "")
        return user

    def end_session(self, user: User):
        """SAML single logout, started here: a signed LogoutRequest to NemLog-in."""
        from grants.nemlogin.logout import logout_request

        known = session.get(SLO_KEY)
        if not isinstance(known, dict) or not known.get("name_id"):
            return None
        return redirect(logout_request(known))


def _cookie_path() -> str:
    """The request cookie goes only to the login's own addresses (start and return)."""
    return url_for("people.login_start", backend=NAME)


def _taken(email: str) -> bool:
    return (
        db.session.scalar(select(User.id).where(func.lower(User.email) == email.strip().lower()))
        is not None
    )


def _no_address(subject: str) -> str:
    return f"{hashlib.sha256(subject.encode()).hexdigest()[:20]}@{NO_ADDRESS_DOMAIN}"
