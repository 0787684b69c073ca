"""The letters' verification codes: short, typable, unguessable, unique.

Each letter carries one (printed, and in its QR code), and the public page
``/bekraeft-brev/<code>`` (``grants.letters.views``) answers whether a letter with that code
was issued, when, by which authority, and whether a later decision replaced it: nothing
else of the case.

A code is 10 characters of Crockford's base 32 (digits and capital letters without I, L, O
and U, which are easily misread), shown as two groups of five: 32¹⁰ ≈ 10¹⁵ codes, so even a
million guesses would find a letter among a million with odds of about one in a thousand,
and the page gives nothing away beyond the letter whose code was typed.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select

from grants.extensions import db
from grants.letters.models import Letter

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
# Crockford's reading of the characters a person may type for another.
_TYPED_FOR = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_NOT_CODE = re.compile(r"[\s\-–.]+")


def new_code() -> str:
    """A fresh code no letter has (stored without the hyphen)."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if db.session.scalar(select(Letter.id).where(Letter.verification_code == code)) is None:
            return code


def shown(code: str | None) -> str:
    """The code as printed: ``ABCDE-FGH12``."""
    if not code:
        return ""
    return f"{code[:5]}-{code[5:]}"


def normalise(typed: str | None) -> str | None:
    """A typed code as stored (upper case, no spaces or hyphens, misread letters read as
    Crockford does); None if it cannot be a code."""
    code = _NOT_CODE.sub("", (typed or "").upper()).translate(_TYPED_FOR)
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def find(typed: str | None) -> Letter | None:
    code = normalise(typed)
    if code is None:
        return None
    return db.session.scalar(select(Letter).where(Letter.verification_code == code))
