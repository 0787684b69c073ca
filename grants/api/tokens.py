"""Issuing, finding and revoking API tokens. A token is shown once; only its SHA-256 digest
is kept (a random 256-bit secret needs no slow hash: there is nothing to guess)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from grants.api.models import SCOPES, ApiToken
from grants.core import clock
from grants.core.errors import DomainError
from grants.extensions import db

PREFIX = "gtk_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(name: str, scope: str, expires_on: dt.date, owner) -> tuple[ApiToken, str]:
    """A new token for ``owner``'s access rules: the row and the secret (shown once)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Skriv et navn."), field="name")
    if scope not in SCOPES:
        raise DomainError(_("Vælg et omfang."), field="scope")
    if expires_on is None or expires_on <= clock.today():
        raise DomainError(_("Udløbsdatoen skal ligge efter i dag."), field="expires_on")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name, scope=scope, expires_on=expires_on, owner_id=owner.id, digest=digest(secret)
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def find(secret: str) -> ApiToken | None:
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    return db.session.scalar(select(ApiToken).where(ApiToken.digest == digest(secret)))


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = clock.now()
