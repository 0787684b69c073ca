"""The login seam: how a person proves who they are, one backend per way of logging in.

A backend answers one question, "who is this?", with an ``Identity`` or a ``Refusal``. What
follows is the same for every backend and lives in the login views (``grants.people.views``):
the app's own second factor where the backend asks for it, the session, the audit of the
login (a ``LoginAttempt``), and the redirect to the page the person came for (``safe_next``).

Two shapes of backend:

* a *form* backend (``form_class`` set) takes what the person types on the app's login page:
  the app's own password (``PasswordBackend``, the first one);
* a *redirect* backend (``form_class`` None) sends the browser away (``start``) to an identity
  provider, which sends it back to ``/log-ind/via/<name>/retur``, where ``authenticate`` reads
  the answer: OpenID Connect and SAML (NemLog-in, the municipality's sign-on) take this shape.
  Because the identity provider posts back without the app's CSRF token, a redirect backend
  must bind its answer to the session itself (OpenID Connect's ``state`` and ``nonce``,
  SAML's ``InResponseTo``).

An external identity names a person by the backend's name and a subject (an OpenID Connect
``sub``, a SAML NameID); a ``UserIdentity`` row links that pair to one local ``User``. A
backend may make the account on first login (``account_for``); by default it does not, and an
identity nobody is linked to is refused. An identity is never linked to an account by its
e-mail address alone: whoever controls an address at the provider would take the account.

Which backends a municipality has switched on is configuration: ``AUTHENTICATION_BACKENDS``
(config.py), names in the order the login page offers them. Backends register themselves with
``register``; ``enabled()`` gives those switched on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from flask import Request, current_app, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from grants.core import clock
from grants.extensions import db
from grants.people.models import User, UserIdentity

# The session remembers which backend logged the person in (for logging out at the provider,
# and for whether the app's second factor applies).
SESSION_KEY = "login_backend"


@dataclass(frozen=True)
class Identity:
    """Who the backend says the person is. ``user`` is set when the backend knows the local
    account itself (the password backend); otherwise ``subject`` is looked up in
    ``user_identity``. ``attributes`` carry what a provider tells besides (groups, a CVR
    number, the assurance level) for the backend's own ``account_for``."""

    backend: str
    subject: str
    user: User | None = None
    email: str = ""
    name: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refusal:
    """Why not, in words for the person; ``field`` is the form field it is shown beside."""

    message: str
    field: str | None = None


class AuthenticationBackend:
    """One way of logging in. Subclass, set the class attributes, implement ``authenticate``
    (and ``start`` for a redirect backend), and ``register`` the class."""

    # The name in AUTHENTICATION_BACKENDS, in URLs and in user_identity.backend.
    name: ClassVar[str]
    # What the login page's button or heading says (translated).
    label: ClassVar[Any]
    # Whether the app's own second factor (TOTP, recovery codes) is asked for after this
    # backend: yes for the app's password; an identity provider does its own (MitID, NSIS).
    second_factor: ClassVar[bool] = False
    # A form backend's form (grants.core.forms.Form); None for a redirect backend.
    form_class: ClassVar[type | None] = None

    def start(self, target: str):
        """A redirect backend: the response that sends the browser to the provider; ``target``
        is where the person wants to go afterwards (keep it in the session, check it with
        ``safe_next`` on the way back)."""
        raise NotImplementedError

    def authenticate(self, request: Request, form=None) -> Identity | Refusal:
        """Who the request proves the person to be. A form backend gets its validated form."""
        raise NotImplementedError

    def end_session(self, user: User):
        """After the app's own logout: a redirect that ends the session at the provider too
        (OpenID Connect RP-initiated logout, SAML single logout), or None (the password)."""
        return None

    def account_for(self, identity: Identity) -> User | None:
        """The local account of an identity: the one the backend named, else the one linked
        to (backend, subject). A backend that makes accounts on first login (with the roles
        or organisation the provider's attributes say) overrides this."""
        if identity.user is not None:
            return identity.user
        return linked_user(identity.backend, identity.subject)

    @property
    def is_redirect(self) -> bool:
        return self.form_class is None


_REGISTRY: dict[str, type[AuthenticationBackend]] = {}


def register(backend: type[AuthenticationBackend]) -> type[AuthenticationBackend]:
    """Make a backend available to AUTHENTICATION_BACKENDS (usable as a class decorator)."""
    _REGISTRY[backend.name] = backend
    return backend


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def enabled() -> list[AuthenticationBackend]:
    """The backends switched on, in the configured order. An unknown name is a configuration
    error, said at once rather than a login page without the method."""
    names = current_app.config["AUTHENTICATION_BACKENDS"]
    unknown = [name for name in names if name not in _REGISTRY]
    if unknown:
        raise RuntimeError(
            f"AUTHENTICATION_BACKENDS names unknown login methods: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(_REGISTRY))})"
        )
    return [_REGISTRY[name]() for name in names]


def get(name: str) -> AuthenticationBackend | None:
    """The backend of this name if it is switched on."""
    return next((backend for backend in enabled() if backend.name == name), None)


def current_backend() -> AuthenticationBackend | None:
    """The backend the signed-in person logged in with (None: not known, e.g. an old
    session, or one that is switched off since)."""
    name = session.get(SESSION_KEY)
    return _REGISTRY[name]() if name in _REGISTRY else None


def linked_user(backend: str, subject: str) -> User | None:
    link = db.session.scalar(
        select(UserIdentity).where(UserIdentity.backend == backend, UserIdentity.subject == subject)
    )
    if link is None:
        return None
    link.last_used_at = clock.now()
    return link.user


def link(user: User, backend: str, subject: str) -> UserIdentity:
    """Link an identity at ``backend`` to ``user`` (one identity, one person: the unique
    constraint refuses a second). Nothing commits."""
    identity = UserIdentity(user=user, backend=backend, subject=subject)
    db.session.add(identity)
    db.session.flush()
    return identity


def login_methods(user: User) -> list[str]:
    """How the person can log in, in words for the administrator's list of people."""
    labels = {name: backend().label for name, backend in _REGISTRY.items()}
    methods = [str(PasswordBackend.label)] if user.has_password else []
    for identity in user.identities:
        methods.append(str(labels.get(identity.backend, identity.backend)))
    return methods


def wrong_credentials() -> Refusal:
    """The one answer to a failed password login, whatever the reason (unknown address,
    wrong password, an account switched off, an account without a password)."""
    return Refusal(_("E-mail eller adgangskode er forkert."), field="password")


def lockout(until) -> Refusal:
    minutes = max(1, int((until - clock.now()).total_seconds() // 60) + 1)
    return Refusal(
        _("For mange forkerte forsøg. Prøv igen om %(minutes)d minutter.", minutes=minutes),
        field="password",
    )


@register
class PasswordBackend(AuthenticationBackend):
    """The app's own accounts: an e-mail address and a password (scrypt), throttled (five
    failures lock an address for a quarter of an hour, twenty a network address), every
    attempt recorded, and the same work and answer whether the address has an account, has a
    password, or neither (``grants.people.operations.check_password``)."""

    name = "password"
    label = _l("E-mail og adgangskode")
    second_factor = True

    @property
    def form_class(self):  # type: ignore[override]  # imported late: forms import Flask-WTF
        from grants.people.forms import LoginForm

        return LoginForm

    def authenticate(self, request: Request, form=None) -> Identity | Refusal:
        from grants.people import operations

        ip = request.remote_addr or "unknown"
        email = form.email.data.strip()
        until = operations.locked_out(email, ip)
        if until is not None:
            return lockout(until)
        user = operations.check_password(email, form.password.data, ip)
        if user is None:
            return wrong_credentials()
        return Identity(backend=self.name, subject=str(user.id), user=user, email=user.email)
