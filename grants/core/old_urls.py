"""The app's addresses are Danish, for the citizens, associations and staff who read them
(issue 18 point 7). Until then some were English, and e-mails and letters already sent carry
those: every old address answers 308 Permanent Redirect to its Danish one, with its query
string and its method (a form posted from a page open since the change still arrives).

One table, ``DANISH``, maps each English word of the old paths to its Danish word. The old
path of a route is its rule with the Danish words turned back; only rules under a first
segment that was English have one. Variable parts (ids, tokens, a step's name) are never
translated: a request is matched against the old rules, and the Danish rule is built with
the same values.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Flask, redirect, request
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

# An English path segment of the old addresses -> its Danish word (ASCII: ae, oe, aa).
DANISH = {
    "account": "konto",
    "my-data.zip": "mine-data.zip",
    "password": "adgangskode",  # nosec B105  # a URL segment, not a password
    "two-factor": "totrinsbekraeftelse",
    "setup": "saet-op",
    "recovery-codes": "gendannelseskoder",
    "off": "slaa-fra",
    "admin": "administration",
    "municipality": "kommune",
    "partners": "partnerbyer",
    "funds": "puljer",
    "questions": "spoergsmaal",
    "remove": "fjern",
    "letters": "breve",
    "users": "brugere",
    "new": "ny",
    "applications": "ansoegninger",
    "edit": "rediger",
    "attachments": "bilag",
    "case-file.zip": "sagsmappe.zip",
    "decision": "afgoerelse",
    "steps": "trin",
    "report": "rapport",
    "budgets": "budgetter",
    "close-year": "luk-aar",
    "plan": "bevillinger",
    "export": "eksport",
    "invitations": "invitationer",
    "language": "sprog",
    "download": "hent",
    "letter.css": "brev.css",
    "login": "log-ind",
    "code": "kode",
    "recovery-code": "gendannelseskode",
    "return": "retur",
    "logout": "log-ud",
    "signup": "opret-konto",
    "open-data": "aabne-data",
    "trips.json": "rejser.json",
    "trips.csv": "rejser.csv",
    "organisations": "organisationer",
    "queue": "arbejdskoe",
    "subsidies": "tilskud",
    "rules": "regler",
    "calculate": "beregn",
}
# What stays as it is in a query string (RFC 3986's sub-delims, ":", "@", "/", "?", and "%"
# of the escapes already there); quote() keeps letters, digits and "-._~" too.
QUERY_SAFE = "!$&'()*+,;=:@/?%"

ENGLISH = {danish: english for english, danish in DANISH.items()}
if len(ENGLISH) != len(DANISH):
    raise RuntimeError("two English words for one Danish word in DANISH")

# The first segments that were English: only rules under these had an English address.
WERE_ENGLISH = {
    DANISH[word]
    for word in (
        "account",
        "admin",
        "applications",
        "budgets",
        "invitations",
        "language",
        "letters",
        "login",
        "logout",
        "open-data",
        "organisations",
        "queue",
        "signup",
        "subsidies",
    )
}


def static_segments(rule: str) -> list[str]:
    """The fixed words of a rule's path (not its ``<variables>``)."""
    return [segment for segment in rule.split("/") if segment and "<" not in segment]


def english(rule: str) -> str | None:
    """The English path a Danish rule had, or None if it never had one."""
    segments = rule.split("/")
    if len(segments) < 2 or segments[1] not in WERE_ENGLISH:
        return None
    return "/".join(ENGLISH.get(s, s) if "<" not in s else s for s in segments)


def register(app: Flask) -> None:
    """Answer the old English addresses with a permanent redirect. Call after every
    blueprint is registered."""
    old = Map(converters=dict(app.url_map.converters), strict_slashes=False)
    danish: dict[str, Rule] = {}
    for rule in app.url_map.iter_rules():
        path = english(rule.rule)
        if path is not None and path != rule.rule:
            danish[path] = rule
            old.add(Rule(path, endpoint=path, methods=rule.methods, defaults=rule.defaults))

    def moved() -> Response | None:
        if not isinstance(request.routing_exception, NotFound):
            return None
        try:
            path, values = old.bind_to_environ(request.environ).match(method=request.method)
        except HTTPException:
            return None
        built = danish[path].build(values, append_unknown=False)
        if built is None:
            return None
        target = request.script_root + built[1]
        if request.query_string:
            # The bytes as sent, each one not allowed in a URL percent-encoded (once: a
            # client that sent "Køge" unencoded gets "K%C3%B8ge", not its Latin-1 reading).
            target += "?" + quote(request.query_string, safe=QUERY_SAFE)
        return redirect(target, 308)

    # First: before any other hook (login, the commit protocol) looks at the request.
    app.before_request_funcs.setdefault(None, []).insert(0, moved)
