"""What a person sends, before anything uses it: the one policy for control characters in
text, digits of other scripts, and ids in URLs and forms.

- **Control characters** (C0 but tab, newline and carriage return; DEL; C1; the bidirectional
  overrides and isolates, which make a name display as another) are refused in
  every text a person types: nobody types them, PostgreSQL cannot store a NUL at all
  (SQLite stores it as typed), and an ESC or BEL makes an XLSX file invalid. Tab, newline
  and carriage return are allowed in texts of several lines, refused in a one-line field.
  Forms refuse them next to the field (``grants.core.forms``); a URL that carries one
  (a path or a query string: a browser never sends one typed) is refused with 400.
- **Digits of other scripts** ("٢٧٥٠", "２７５０") are read as the digits they are, in every
  field that takes digits: ``ascii_digits`` turns them into 0-9 before a CVR number, a
  postcode or an amount is checked (an integer field's ``int()`` does the same), so what
  is stored and compared is what the person meant: the postcode "٢٧٥٠" is 2750, inside
  Ballerup. Free text keeps what was typed.
- **Ids**: a row's id is a positive 32-bit integer (``Integer`` columns on PostgreSQL), so a
  number outside that range, or anything but ASCII digits, is simply not found
  (``parse_id``; the URL converter ``IdConverter`` in ``grants.core.security``)."""

from __future__ import annotations

import re
import unicodedata

# Ids are Integer columns: 32-bit on PostgreSQL (SQLite's are 64-bit, so this is the
# smaller of the two, and the same on both).
MAX_ID = 2**31 - 1

# The explicit bidirectional overrides, embeddings and isolates (U+202A-U+202E,
# U+2066-U+2069) count as control characters too: nobody types them, and "Abc\u202elive" is
# shown as "Abcevil" in a letter, a payment list or the case page (a name that spoofs
# another). Arabic or Hebrew text needs none of them.
_BIDI_CONTROLS = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
_ALWAYS_FORBIDDEN = "".join(
    chr(c)
    for c in (*range(0x00, 0x20), *range(0x7F, 0xA0), *_BIDI_CONTROLS)
    if chr(c) not in "\t\n\r"
)
FORBIDDEN_IN_MULTILINE = re.compile(f"[{re.escape(_ALWAYS_FORBIDDEN)}]")
FORBIDDEN_IN_ONE_LINE = re.compile(f"[{re.escape(_ALWAYS_FORBIDDEN)}\t\n\r]")


def has_control_characters(text: str | None, *, multiline: bool = False) -> bool:
    """True when ``text`` holds a character a person cannot have typed into the field."""
    if not text:
        return False
    pattern = FORBIDDEN_IN_MULTILINE if multiline else FORBIDDEN_IN_ONE_LINE
    return pattern.search(text) is not None


def without_control_characters(text: str, replacement: str = "") -> str:
    """The text with every forbidden character (all but tab, newline, CR) replaced: for what
    is written to a file from data stored before the policy (an export must not fail)."""
    return FORBIDDEN_IN_MULTILINE.sub(replacement, text)


def ascii_digits(text: str) -> str:
    """Decimal digits of any script as 0-9 ("٢٧٥٠" -> "2750"); everything else as it is.
    Only digits (Unicode category Nd): a superscript "²" is not a digit and stays."""
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch for ch in text
    )


def digits_filter(value: object) -> object:
    """``ascii_digits`` as a WTForms filter, for a field of digits (``filters=[…]``)."""
    return ascii_digits(value) if isinstance(value, str) else value


def cvr_filter(value: object) -> object:
    """A CVR number as people write it, as its eight digits: in groups ("31 41 59 26"),
    with its VAT prefix ("DK31415926"), in digits of any script. What is left is checked as
    eight digits, so anything else is still refused. A WTForms filter."""
    if not isinstance(value, str):
        return value
    text = "".join(ascii_digits(value).split())
    return text[2:] if text[:2].upper() == "DK" else text


def whole_number(text: str) -> int | None:
    """A whole number as typed in a form or a URL: ASCII digits only, at most 12 of them;
    otherwise None. ``str.isdigit`` alone lets "²" through, which ``int`` then refuses
    with a server error."""
    text = text.strip()
    if not text or len(text) > 12 or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def parse_id(value: object) -> int | None:
    """An id as sent in a form or a URL: ASCII digits, 1 to ``MAX_ID``; otherwise None (the
    caller answers "not found" or "choose from the list", never a server error)."""
    if isinstance(value, bool):
        return None
    number = value if isinstance(value, int) else whole_number(str(value or ""))
    return number if number is not None and 1 <= number <= MAX_ID else None
