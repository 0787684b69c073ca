"""Password rules: long rather than complicated (a sentence is easier to remember than
symbols), not the person's own name or address, not one of the passwords everyone tries.
Hashing is Werkzeug's default (scrypt)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 200

# The passwords tried first in every attack (and their Danish cousins).
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


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """What is wrong with ``password``, in words a person can act on; empty when it is fine."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("Adgangskoden skal være mindst 12 tegn.")))
    if len(password) > MAX_LENGTH:
        problems.append(str(_l("Adgangskoden må højst være 200 tegn.")))
    lowered = password.lower()
    local_part = email.split("@")[0].lower()
    if lowered in COMMON or len(set(lowered)) <= 2:
        problems.append(str(_l("Adgangskoden er for let at gætte. Vælg en anden.")))
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (
        name and len(name) >= 4 and name.lower().replace(" ", "") in lowered.replace(" ", "")
    ):
        problems.append(str(_l("Adgangskoden må ikke indeholde dit navn eller din e-mailadresse.")))
    return problems
