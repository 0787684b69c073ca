"""Password rules (NIST SP 800-63B § 5.1.1.2): long rather than complicated (a sentence is
easier to remember than symbols), and not a password an attacker tries early: one from the
lists of leaked passwords, a dictionary word or a few of them, repeated or sequential
characters, a keyboard pattern, or words from the context (the person's e-mail address and
name, the service's and the municipality's names). Each refusal says why, in words a person
can act on. No composition rules, and nothing is looked up on the network.

The lists come with the ``zxcvbn`` package (MIT licence; Dropbox's password strength
estimator): the 30,000 most common of the 10 million leaked passwords published by Mark
Burnett, English words (Wikipedia, film and television subtitles), common first names and
surnames, and keyboard layouts. Danish words people build passwords from are added below.
Its estimate counts the guesses an attacker who knows these lists would need; fewer than
``MIN_GUESSES`` is refused.

Hashing is Werkzeug's default (scrypt), in ``User.set_password``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 200
# zxcvbn's score 3 ("safely unguessable: moderate protection from an offline slow-hash
# scenario"). Online, five wrong passwords lock an account for a quarter of an hour.
MIN_GUESSES = 10**8
# zxcvbn refuses longer input (its matching grows with the square of the length); any 72
# characters of a good long password are a good password on their own.
ANALYSED_LENGTH = 72
SERVICE_NAMES = ("rejsetilskud", "travel grants")
MAIL_PROVIDERS = {"gmail", "hotmail", "outlook", "live", "yahoo", "icloud", "mail", "email"}

# Leaked and common passwords that the English lists lack: the Danish ones and this
# service's own. Compared whole, ignoring case.
COMMON = {
    "123456789012",
    "1234567890123",
    "qwertyuiopå",
    "passwordpassword",
    "password1234",
    "adgangskode1",
    "adgangskode123",
    "sommer2026!!",
    "sommerferie1",
    "velkommen123",
    "velkommen1234",
    "ballerup2026",
    "ballerupkommune",
    "kodeord12345",
    "iloveyou1234",
    "qwertyqwerty",
    "abcdefghijkl",
    "111111111111",
    "000000000000",
    "password123!",
}

# Danish words that passwords are built from (seasons, months, days, family, pets, places,
# football clubs, "password", "welcome", "secret", "love"): counted as dictionary words.
_DANISH = """
adgangskode kodeord password hemmelig hemmeligt velkommen hej hejsa hallo elsker kærlighed
skat skattebasse sommer vinter forår efterår sommerferie vinterferie jul julen påske
januar februar marts april maj juni juli august september oktober november december
mandag tirsdag onsdag torsdag fredag lørdag søndag mor far mormor morfar farmor farfar
bedstemor bedstefar søster bror datter søn barn børn familie hund hunden kat katten hest
fisk danmark dansk danske københavn kobenhavn aarhus århus odense aalborg ballerup
skovlunde måløv kommune kommunen fodbold brøndby fck agf håndbold rejse rejser tilskud
ferie arbejde kontor medarbejder leder sagsbehandler administrator admin bruger test
prinsesse prins blomst solskin regnbue
"""
DANISH_WORDS = _DANISH.split()


@cache
def _estimator():
    # Imported on first use: the lists take a moment to load, which only the pages that
    # take a new password need.
    from zxcvbn import zxcvbn

    return zxcvbn


def _normalise(text: str) -> str:
    """Compatibility forms folded (full-width letters, ligatures), case ignored."""
    return unicodedata.normalize("NFKC", text).casefold()


def _words(text: str, minimum: int = 4) -> list[str]:
    """The parts of a name or an e-mail address worth looking for in a password."""
    return [w for w in re.split(r"[^\w]+|_", _normalise(text)) if len(w) >= minimum]


def _context(email: str, name: str, municipality: str) -> dict[str, list[str]]:
    local, _at, domain = _normalise(email).partition("@")
    # The address's own domain (not a mail provider's) is part of the address.
    domain_words = [w for w in _words(domain.rsplit(".", 1)[0]) if w not in MAIL_PROVIDERS]
    email_words = [re.sub(r"[^\w]", "", local), *_words(local), *domain_words]
    name_words = [re.sub(r"[^\w]", "", _normalise(name)), *_words(name)]
    return {
        "email": [w for w in email_words if len(w) >= 4],
        "name": [w for w in name_words if len(w) >= 4],
        "place": [*_words(municipality), *(re.sub(r"\s", "", s) for s in SERVICE_NAMES)],
    }


PATTERN_MESSAGES = {
    "repeat": _l("Adgangskoden gentager det samme tegn eller de samme tegn."),
    "sequence": _l("Adgangskoden indeholder tegn i rækkefølge, fx abcd eller 1234."),
    "spatial": _l("Adgangskoden følger tasterne på tastaturet, fx qwerty."),
    "date": _l("Adgangskoden bygger på en dato eller et årstal."),
    "regex": _l("Adgangskoden bygger på en dato eller et årstal."),
    "leaked_part": _l("Adgangskoden bygger på kendte, lækkede adgangskoder."),
    "dictionary": _l("Adgangskoden består mest af almindelige ord eller navne."),
}


def password_problems(
    password: str, *, email: str = "", name: str = "", municipality: str | None = None
) -> list[str]:
    """What is wrong with ``password``, in words a person can act on; empty when it is fine.

    ``email`` and ``name`` are the person's own; ``municipality`` defaults to the
    municipality's name in the profile."""
    if municipality is None:
        municipality = _municipality_name()
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("Adgangskoden skal være mindst 12 tegn.")))
    if len(password) > MAX_LENGTH:
        problems.append(str(_l("Adgangskoden må højst være 200 tegn.")))
        return problems
    if not password:
        return problems
    folded = _normalise(password)
    compact = re.sub(r"\s", "", folded)
    if folded in COMMON or compact in COMMON or folded in _leaked():
        problems.append(str(_l("Adgangskoden står på en liste over kendte, lækkede adgangskoder.")))
    context = _context(email, name, municipality)
    if any(w in compact for w in context["email"]):
        problems.append(str(_l("Adgangskoden indeholder din e-mailadresse.")))
    if any(w in compact for w in context["name"]):
        problems.append(str(_l("Adgangskoden indeholder dit navn.")))
    if any(w and w in compact for w in context["place"]):
        problems.append(str(_l("Adgangskoden indeholder tjenestens eller kommunens navn.")))
    if len(set(password)) == 1:
        # (zxcvbn's repeat pattern misses a repeated line break: its "." is not one.)
        problems.append(str(PATTERN_MESSAGES["repeat"]))
    if problems:
        return problems
    result = _estimator()(
        password[:ANALYSED_LENGTH],
        user_inputs=[*DANISH_WORDS, *(w for ws in context.values() for w in ws)],
    )
    if result["guesses"] >= MIN_GUESSES:
        return problems
    for kind in _weak_patterns(result["sequence"]):
        message = str(PATTERN_MESSAGES[kind])
        if message not in problems:
            problems.append(message)
    if not problems:
        problems.append(str(_l("Adgangskoden er for let at gætte.")))
    return problems


def _weak_patterns(sequence: list[dict]) -> list[str]:
    """The kinds of pattern the estimate found the password to be made of, longest first."""
    kinds = []
    for match in sorted(sequence, key=lambda m: -len(m["token"])):
        pattern = match["pattern"]
        if pattern == "bruteforce":
            continue
        if pattern == "dictionary":
            pattern = "leaked_part" if match.get("dictionary_name") == "passwords" else pattern
        kinds.append(pattern)
    return kinds


@cache
def _leaked() -> frozenset[str]:
    """The leaked passwords long enough to pass the length rule, folded (a set: one look-up)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(_normalise(p) for p in FREQUENCY_LISTS["passwords"] if len(p) >= MIN_LENGTH)


def _municipality_name() -> str:
    from flask import has_app_context

    from grants.core.models import Municipality

    if not has_app_context():
        return ""
    try:
        return Municipality.current().name
    except LookupError:
        return ""
