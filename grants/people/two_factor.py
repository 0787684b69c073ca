"""The second factor: a code from an authenticator app (TOTP, RFC 6238, with ``pyotp``) and
one-time recovery codes for when the phone is lost.

The shared secret is stored encrypted (Fernet, with a key derived from ``TWO_FACTOR_KEY``, or
from ``SECRET_KEY`` when that is not set), so a copy of the database or a backup does not
give it away; it is shown to the person only while they set the app up. A code is good once:
the time step of the last code accepted is kept, and a code of that step or an earlier one is
refused (a code seen over someone's shoulder cannot be used again). Recovery codes are kept
hashed and each is good once. Every change is written in the audit trail. Nothing commits.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from dataclasses import dataclass

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, or_, update
from werkzeug.security import check_password_hash, generate_password_hash

from grants.core import clock, events, qr
from grants.extensions import db
from grants.people.models import RecoveryCode, TwoFactor, User
from grants.people.signals import account_event

ISSUER = "Rejsetilskud"
INTERVAL = 30  # seconds a code lasts (the authenticator apps' default)
DIGITS = 6
# A code of the step before or after the server's is accepted too: a phone's clock may be
# a little off, and a person takes a moment to type.
WINDOW = 1
RECOVERY_CODES = 10
# 10 characters of 31 (no 0/o, 1/l/i): about 50 bits each, hashed with a salt (PBKDF2).
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10
RECOVERY_HASH = "pbkdf2:sha256:20000"


# -- the secret, encrypted -----------------------------------------------------------------
def _fernet() -> Fernet:
    material = current_app.config.get("TWO_FACTOR_KEY") or current_app.config["SECRET_KEY"]
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"grants two-factor secrets"
    ).derive(material.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _decrypt(stored: str) -> str | None:
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:  # the key changed: the person must set the app up again
        return None


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL, issuer=ISSUER)


def audit(action: str, user: User, actor: User | None = None, **details) -> None:
    """An event on the person's account, for the audit trail (``signals.account_event``)."""
    events.send(account_event, user, action=action, actor=actor, details=details)


# -- setting up ----------------------------------------------------------------------------
def pending_secret(user: User) -> str:
    """The secret being set up (made now if there is none): shown as a QR code and as text
    until the first code from the app confirms it."""
    credential = user.two_factor
    if credential is not None and credential.confirmed_at is not None:
        raise ValueError("The second factor is already set up.")
    if credential is not None:
        known = _decrypt(credential.secret_encrypted)
        if known is not None:
            return known
        db.session.delete(credential)  # under a key no longer in use: start again
        db.session.flush()
    secret = pyotp.random_base32(32)  # 160 bits, as RFC 4226 recommends
    user.two_factor = TwoFactor(secret_encrypted=_encrypt(secret))
    db.session.flush()
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    return _totp(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The QR code for the authenticator app (grants.core.qr)."""
    return qr.qr_svg(uri)


def confirm(user: User, code: str) -> list[str] | None:
    """Turn the second factor on with the first code from the app. Returns the recovery
    codes (to be shown once), or None when the code is wrong."""
    credential = user.two_factor
    if credential is None or credential.confirmed_at is not None:
        return None
    if check_code(user, code, confirming=True) != "ok":
        return None
    credential.confirmed_at = clock.now()
    codes = _new_recovery_codes(user)
    # Sessions elsewhere (on a machine someone else may use) end; the caller logs this one
    # in again with the new token.
    user.renew_session_token()
    audit("people.two_factor_enabled", user, user)
    db.session.flush()
    return codes


# -- checking ------------------------------------------------------------------------------
def check_code(user: User, code: str, *, confirming: bool = False) -> str:
    """ "ok", "wrong" or "replayed" (a code of a step already used)."""
    credential = user.two_factor
    if credential is None or (credential.confirmed_at is None and not confirming):
        return "wrong"
    secret = _decrypt(credential.secret_encrypted)
    code = "".join(code.split())
    if secret is None or len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return "wrong"
    totp = _totp(secret)
    now_step = totp.timecode(clock.now())
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return "ok" if _claim_step(credential, step) else "replayed"
    return "wrong"


def _claim_step(credential: TwoFactor, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) already is: one UPDATE that only
    one of two simultaneous requests with the same code can win."""
    claimed = db.session.execute(
        update(TwoFactor)
        .where(
            TwoFactor.id == credential.id,
            or_(TwoFactor.last_used_step.is_(None), TwoFactor.last_used_step < step),
        )
        .values(last_used_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(credential, ["last_used_step"])
    return claimed == 1


def normalise_recovery_code(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one recovery code; False when it is not one of the person's unused codes."""
    code = normalise_recovery_code(code)
    if len(code) != RECOVERY_LENGTH or not user.has_second_factor:
        return False
    for stored in user.recovery_codes:
        if stored.used_at is None and check_password_hash(stored.code_hash, code):
            # Spent by one UPDATE: of two simultaneous requests with the code, one wins.
            spent = db.session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == stored.id, RecoveryCode.used_at.is_(None))
                .values(used_at=clock.now())
                .execution_options(synchronize_session=False)
            ).rowcount
            db.session.expire(stored, ["used_at"])
            return spent == 1
    return False


def recovery_codes_left(user: User) -> int:
    return sum(1 for code in user.recovery_codes if code.used_at is None)


@dataclass
class Verdict:
    ok: bool
    method: str  # "totp" or "recovery_code"
    reason: str = ""  # "wrong" or "replayed" when not ok


def check_either(user: User, code: str) -> Verdict:
    """A code from the app, or else a recovery code (the forms that change the settings
    take either, so a person who lost the phone can still turn the factor off)."""
    compact = "".join(code.split())
    if compact.isascii() and compact.isdigit() and len(compact) == DIGITS:
        result = check_code(user, compact)
        return Verdict(result == "ok", "totp", "" if result == "ok" else result)
    return Verdict(use_recovery_code(user, code), "recovery_code", "wrong")


# -- recovery codes, turning off -----------------------------------------------------------
def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.expire(user, ["recovery_codes"])
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODES)
    ]
    for code in codes:
        db.session.add(
            RecoveryCode(user_id=user.id, code_hash=generate_password_hash(code, RECOVERY_HASH))
        )
    db.session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def renew_recovery_codes(user: User) -> list[str]:
    codes = _new_recovery_codes(user)
    audit("people.recovery_codes_renewed", user, user)
    return codes


def turn_off(user: User, actor: User | None, action: str = "people.two_factor_disabled") -> None:
    """Remove the app and the recovery codes (also when a person's data is purged)."""
    had = user.two_factor is not None or bool(user.recovery_codes)
    forget(user)
    if had:
        audit(action, user, actor)
    db.session.flush()


def forget(user: User) -> None:
    """Delete every trace of the second factor (the secret and the recovery codes)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    db.session.expire(user, ["two_factor", "recovery_codes"])


def required(user: User) -> bool:
    """Administrators must have a second factor."""
    from grants.people.models import Role

    return user.has_role(Role.ADMIN)


def enrol(user: User, secret: str) -> None:
    """Set up a known secret as confirmed, without the app's first code: for the demo (whose
    administrator's secret is printed with the demo logins) and the tests, never a person."""
    forget(user)
    user.two_factor = TwoFactor(secret_encrypted=_encrypt(secret), confirmed_at=clock.now())
    db.session.flush()
