"""A confirmation bound to what the person was shown.

A step that cannot be undone (a binding decision, withdrawing an application, giving up a
grant) is first shown, then confirmed. The page that shows it carries a token signed with
the app's secret: the facts shown, the case, the person and the time. Confirming posts the
token back, and the step is taken from the token's facts only, so a forged post with other
values than those shown cannot take a step nobody saw. Nothing is stored in between.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: How long a confirmation page may be left open before it is confirmed (seconds).
MAX_AGE = 60 * 60


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    secret_key = current_app.secret_key
    if not secret_key:  # create_app refuses to start in production without one
        raise RuntimeError("No SECRET_KEY: confirmations cannot be signed.")
    return URLSafeTimedSerializer(secret_key, salt=f"grants.confirm.{purpose}")


def sign(purpose: str, facts: dict[str, Any]) -> str:
    """A token for ``facts`` (JSON values), good for confirming ``purpose`` only."""
    return _serializer(purpose).dumps(facts)


def read(purpose: str, token: str) -> dict[str, Any] | None:
    """The facts of a token signed for ``purpose``; None if forged, for another purpose
    or older than ``MAX_AGE`` seconds."""
    if not token or len(token) > 100_000:
        return None
    try:
        facts = _serializer(purpose).loads(token, max_age=MAX_AGE)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    return facts if isinstance(facts, dict) else None
