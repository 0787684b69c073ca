"""A fund's account string (kontostreng), the one rule for it wherever it comes in: the
administrator's fund form, a municipality profile's ``account_string``, and the payment batch
that writes it into the finance system's files (docs/payments.md).

The Prisme file separates its fields with ";" and its lines with CRLF, and a spreadsheet
takes a cell that starts with "-", "+", "=" or "@" for a formula: an account string is
letters A-Z, digits, "." , "-" and spaces, starts with a letter or a digit, and is at most
``LONGEST`` characters (``5.25.10.01.04.5``, ``KONTO-4711``). Empty is allowed (not set yet)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

LONGEST = 60
_ALLOWED = re.compile(r"[0-9A-Za-z. -]*")
_START = re.compile(r"[0-9A-Za-z]")

TOO_LONG, BAD_START, BAD_CHARACTERS = "too_long", "bad_start", "bad_characters"

MESSAGES = {
    TOO_LONG: _l("Højst 60 tegn."),  # LONGEST
    BAD_START: _l("Kontostrengen skal begynde med et tal eller et bogstav."),
    BAD_CHARACTERS: _l("Brug kun tal, bogstaver (A-Z), punktum, bindestreg og mellemrum."),
}

# For a profile's error (the command line's, in English like the rest of its errors).
IN_ENGLISH = {
    TOO_LONG: f"at most {LONGEST} characters",
    BAD_START: "must start with a letter or a digit",
    BAD_CHARACTERS: (
        "only letters A-Z, digits, '.', '-' and spaces (no ';', line break or other characters)"
    ),
}


def problem(text: str) -> str | None:
    """What is wrong with ``text`` as an account string (TOO_LONG, BAD_START or
    BAD_CHARACTERS), or None if it can be written as it is."""
    if len(text) > LONGEST:
        return TOO_LONG
    if not _ALLOWED.fullmatch(text):
        return BAD_CHARACTERS
    if text and not _START.match(text):
        return BAD_START
    return None
