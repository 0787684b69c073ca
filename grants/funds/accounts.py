"""A fund's account string (kontostreng), the one rule for it wherever it comes in: the
administrator's fund form, a municipality profile's ``account_string``, and the payment batch
that writes it into the finance system's files (docs/payments.md).

The Prisme file separates its fields with ";" and its lines with CRLF, and a spreadsheet
takes a cell that starts with "-", "+", "=" or "@" for a formula: an account string is
letters A-Z, digits, "." , "-" and spaces, starts with a letter or a digit, and is at most
``LONGEST`` characters (``5.25.10.01.04.5``, ``KONTO-4711``). Every segment has something in
it: a separator stands between two letters or digits, never twice in a row nor last
(``5..25`` or ``5.25.`` would post on an account the finance system does not have).

Empty is allowed where it is entered (a fund not set up for payments yet), but never written
to a file: ``for_file`` refuses it, and a batch with such a fund is not made."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

LONGEST = 60
_ALLOWED = re.compile(r"[0-9A-Za-z. -]*")
_START = re.compile(r"[0-9A-Za-z]")
_SEGMENTS = re.compile(r"[0-9A-Za-z]+(?:[. -][0-9A-Za-z]+)*")

TOO_LONG, BAD_START, BAD_CHARACTERS = "too_long", "bad_start", "bad_characters"
EMPTY_SEGMENT, MISSING = "empty_segment", "missing"

MESSAGES = {
    TOO_LONG: _l("Højst 60 tegn."),  # LONGEST
    BAD_START: _l("Kontostrengen skal begynde med et tal eller et bogstav."),
    BAD_CHARACTERS: _l("Brug kun tal, bogstaver (A-Z), punktum, bindestreg og mellemrum."),
    EMPTY_SEGMENT: _l(
        "Kontostrengen har et tomt led: skriv tal eller bogstaver mellem punktummer, "
        "bindestreger og mellemrum, og slut med et tal eller et bogstav."
    ),
}

# For a profile's error (the command line's, in English like the rest of its errors).
IN_ENGLISH = {
    TOO_LONG: f"at most {LONGEST} characters",
    BAD_START: "must start with a letter or a digit",
    BAD_CHARACTERS: (
        "only letters A-Z, digits, '.', '-' and spaces (no ';', line break or other characters)"
    ),
    EMPTY_SEGMENT: (
        "has an empty segment: letters or digits between every '.', '-' and space, and at the end"
    ),
}


def problem(text: str) -> str | None:
    """What is wrong with ``text`` as an account string where it is entered (TOO_LONG,
    BAD_CHARACTERS, BAD_START or EMPTY_SEGMENT), or None if it may be kept; empty is kept
    (not set yet)."""
    if len(text) > LONGEST:
        return TOO_LONG
    if not _ALLOWED.fullmatch(text):
        return BAD_CHARACTERS
    if text and not _START.match(text):
        return BAD_START
    if text and not _SEGMENTS.fullmatch(text):
        return EMPTY_SEGMENT
    return None


def for_file(text: str) -> str | None:
    """What is wrong with ``text`` as the account string of a line in the finance system's
    files: ``problem``, and MISSING if it is empty (a posting on no account)."""
    if not text.strip():
        return MISSING
    return problem(text)
