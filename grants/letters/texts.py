"""A fund's own letter texts: written by an administrator, rendered in a sandbox.

A text may use the placeholders below and ``{% if %}`` around them, nothing else: no
attributes, calls, filters, loops, includes or imports. ``check`` refuses anything more when
the text is saved, and rendering happens in Jinja's immutable sandbox with only the
placeholders' values (plain strings) in reach, so a text can never read the server's files
or run code.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from sqlalchemy import func, select

from grants.core.errors import DomainError
from grants.core.formatting import long_date, money
from grants.extensions import db
from grants.letters.models import LetterText

logger = logging.getLogger(__name__)

OUTCOMES = {
    "granted": _l("Bevilling"),
    "partly_granted": _l("Delvis bevilling"),
    "refused": _l("Afslag"),
    "settlement": _l("Afregning"),
}

PLACEHOLDERS = {
    "sagsnummer": _l("Sagens nummer"),
    "ansoeger": _l("Ansøgerens navn"),
    "pulje": _l("Puljens navn"),
    "rejse": _l("Rejsens titel"),
    "rejsemaal": _l("Rejsemålet"),
    "afrejse": _l("Afrejsedatoen"),
    "hjemkomst": _l("Hjemkomstdatoen"),
    "ansoegt_beloeb": _l("Det ansøgte beløb"),
    "bevilget_beloeb": _l("Det bevilgede beløb"),
    "endeligt_tilskud": _l("Det endelige tilskud (afregning)"),
    "tilbagebetaling": _l("Beløb, der skal betales tilbage (afregning)"),
    "afgoerelsesdato": _l("Brevets dato"),
    "frist_rapport": _l("Fristen for rapport og regnskab"),
    "begrundelse": _l("Begrundelsen"),
    "kommune": _l("Kommunens navn"),
}

#: The texts a fund starts with (seeded as its version 1).
DEFAULT_TEXTS = {
    "granted": "{{ pulje }} støtter rejsen »{{ rejse }}« med {{ bevilget_beloeb }} "
    "Husk rapport og regnskab senest {{ frist_rapport }}.",
    "partly_granted": "{{ pulje }} støtter rejsen »{{ rejse }}« med {{ bevilget_beloeb }} "
    "af de {{ ansoegt_beloeb }}, der er søgt om. "
    "Husk rapport og regnskab senest {{ frist_rapport }}.",
    "refused": "{{ pulje }} kan desværre ikke støtte rejsen »{{ rejse }}«.",
    "settlement": "Tak for rapporten om rejsen »{{ rejse }}«. "
    "Det endelige tilskud fra {{ pulje }} er {{ endeligt_tilskud }}",
}

#: The standard texts in English, for the letters to recipients who read English (a
#: letter is in one language throughout). The placeholders' values follow the letter's
#: language (amounts and dates).
DEFAULT_TEXTS_EN = {
    "granted": "{{ pulje }} supports the trip “{{ rejse }}” with {{ bevilget_beloeb }} "
    "Remember the report and accounts by {{ frist_rapport }}.",
    "partly_granted": "{{ pulje }} supports the trip “{{ rejse }}” with {{ bevilget_beloeb }} "
    "of the {{ ansoegt_beloeb }} applied for. "
    "Remember the report and accounts by {{ frist_rapport }}.",
    "refused": "Unfortunately, {{ pulje }} cannot support the trip “{{ rejse }}”.",
    "settlement": "Thank you for the report on the trip “{{ rejse }}”. "
    "The final grant from {{ pulje }} is {{ endeligt_tilskud }}",
}

#: The standard texts by the letter's language.
STANDARD_TEXTS = {"da": DEFAULT_TEXTS, "en": DEFAULT_TEXTS_EN}

_ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.If,
    nodes.Not,
    nodes.And,
    nodes.Or,
)

_env = ImmutableSandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
MAX_LENGTH = 5000
# How deep a text may nest: {% if %} inside {% if %}, "not not …", "(((…)))". Deeper texts
# passed the check once and then could not be rendered (a recursion error in every preview
# and every letter of the fund: issue 16 point 3).
MAX_DEPTH = 30  # levels of the parsed text: an {% if %} is one, a placeholder in it one more
# A text is rendered when it is saved; one that takes longer than this is refused.
MAX_RENDER_SECONDS = 0.5


def _too_complex() -> DomainError:
    return DomainError(
        _(
            "Teksten er for indviklet: den har for mange if-betingelser, not eller parenteser "
            "inden i hinanden."
        ),
        field="body",
    )


def _depth(tree: nodes.Node) -> int:
    """The deepest nesting of the parsed text (counted without recursion)."""
    deepest, stack = 0, [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.iter_child_nodes())
    return deepest


_DOUBLED_STOP = re.compile(r"\bkr\.\.(?!\.)")


def check(body: str) -> None:
    """Refuse a text that uses anything but the placeholders (DomainError on ``body``), and
    one that cannot be rendered: too long, too deep, or too slow. A text that is saved can
    always be rendered, so no preview and no letter of the fund can fail on it."""
    if len(body) > MAX_LENGTH:
        raise DomainError(_("Teksten må højst være %(max)d tegn.", max=MAX_LENGTH), field="body")
    try:
        tree = _env.parse(body)
    except TemplateError as error:
        # Jinja's own message is English: the person reads where, in their language; the
        # technical detail follows only in parentheses, for whoever helps them.
        line = getattr(error, "lineno", None) or 1
        raise DomainError(
            _(
                "Teksten kan ikke læses: der er en fejl i linje %(line)d. Tjek, at hvert "
                "{{ … }} og {%% … %%} er lukket, og at hvert if slutter med endif. "
                "(Teknisk: %(error)s)",
                line=line,
                error=str(error.message or error)[:200],
            ),
            field="body",
        ) from None
    except (RecursionError, MemoryError):  # "((((…))))" deeper than the parser goes
        raise _too_complex() from None
    if _depth(tree) > MAX_DEPTH:
        raise _too_complex()
    _check_nodes(tree)
    _check_renders(body)


def _check_renders(body: str) -> None:
    """Compile and render the text in the sandbox, with every placeholder filled and with
    every one empty (both sides of each if)."""
    started = time.perf_counter()
    try:
        template = _env.from_string(body)
        for value in ("x" * 40, ""):
            template.render({name: value for name in PLACEHOLDERS})
    except TemplateError as error:
        raise DomainError(
            _("Teksten kan ikke bruges: %(error)s", error=str(error)[:200]), field="body"
        ) from None
    except (RecursionError, MemoryError, SyntaxError):
        raise _too_complex() from None
    if time.perf_counter() - started > MAX_RENDER_SECONDS:
        raise _too_complex()


def _check_nodes(tree: nodes.Node) -> None:
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _ALLOWED_NODES):
            raise DomainError(
                _(
                    "Teksten må kun bruge felterne i listen, fx {{ sagsnummer }}, og "
                    "if-betingelser om dem. Filer, kode, filtre og attributter kan ikke bruges."
                ),
                field="body",
            )
        if isinstance(node, nodes.Name) and node.name not in PLACEHOLDERS:
            raise DomainError(
                _("Feltet %(name)s findes ikke. Brug et felt fra listen.", name=node.name),
                field="body",
            )


def render(body: str, values: dict[str, str]) -> list[str]:
    """The text with the case's values, as paragraphs (split at blank lines)."""
    check(body)
    context = {name: str(values.get(name, "")) for name in PLACEHOLDERS}
    try:
        text = _env.from_string(body).render(context)
    except (RecursionError, MemoryError, SyntaxError):  # a text saved before the limits
        raise _too_complex() from None
    except TemplateError as error:  # incl. the sandbox's SecurityError
        raise DomainError(_("Teksten kan ikke bruges: %(error)s", error=str(error)[:200])) from None
    # An amount ends in "kr.", whose full stop also ends the sentence: a text written
    # "{{ bevilget_beloeb }}." (as the standard texts were until 2026) reads "kr." once.
    text = _DOUBLED_STOP.sub("kr.", text)
    return [part.strip() for part in text.split("\n\n") if part.strip()]


def values_from_facts(facts: dict[str, Any]) -> dict[str, str]:
    """The placeholders' values from a letter's facts, amounts and dates in Danish form."""
    trip = facts.get("trip", {})
    place = ", ".join(
        part
        for part in (trip.get("destination_city"), trip.get("destination_country_name"))
        if part
    )
    return {
        "sagsnummer": facts.get("case_number") or "",
        "ansoeger": facts.get("recipient", {}).get("name", ""),
        "pulje": facts.get("fund", {}).get("name", ""),
        "rejse": trip.get("title", ""),
        "rejsemaal": place,
        "afrejse": long_date(trip.get("departure_date")) if trip.get("departure_date") else "",
        "hjemkomst": long_date(trip.get("return_date")) if trip.get("return_date") else "",
        "ansoegt_beloeb": _money(facts.get("amount_applied")),
        "bevilget_beloeb": _money(facts.get("granted_amount")),
        "endeligt_tilskud": _money(facts.get("final_amount")),
        "tilbagebetaling": _money(facts.get("refund")),
        "afgoerelsesdato": long_date(facts["letter_date"]) if facts.get("letter_date") else "",
        "frist_rapport": long_date(facts["report_due"]) if facts.get("report_due") else "",
        "begrundelse": facts.get("reasons") or "",
        "kommune": facts.get("municipality", {}).get("name", ""),
    }


def _money(value) -> str:
    return money(value) if value is not None else ""


def current_text(fund_id: int, outcome: str, language: str = "da") -> LetterText | None:
    return db.session.scalar(
        select(LetterText)
        .where(
            LetterText.fund_id == fund_id,
            LetterText.outcome == outcome,
            LetterText.language == language,
        )
        .order_by(LetterText.version.desc())
        .limit(1)
    )


def standard_text(outcome: str, language: str = "da") -> str:
    return STANDARD_TEXTS.get(language, DEFAULT_TEXTS)[outcome]


def text_for(fund_id: int, outcome: str, language: str = "da") -> tuple[LetterText | None, str]:
    """The fund's current text for the outcome in the language, and its body; the standard
    text of that language if the fund has none (never a text in another language)."""
    text = current_text(fund_id, outcome, language)
    return text, (text.body if text else standard_text(outcome, language))


def add_text(fund, outcome: str, body: str, user=None, language: str = "da") -> LetterText:
    """Check the text and save it as the fund's next version for the outcome and language."""
    if outcome not in OUTCOMES:
        raise DomainError(_("Vælg en af mulighederne."), field="outcome")
    if language not in STANDARD_TEXTS:
        raise DomainError(_("Vælg en af mulighederne."), field="language")
    check(body)
    version = (
        db.session.scalar(
            select(func.max(LetterText.version)).where(
                LetterText.fund_id == fund.id,
                LetterText.outcome == outcome,
                LetterText.language == language,
            )
        )
        or 0
    ) + 1
    text = LetterText(
        fund_id=fund.id,
        outcome=outcome,
        language=language,
        version=version,
        body=body,
        created_by_id=user.id if user else None,
    )
    db.session.add(text)
    db.session.flush()
    return text


def apply_to(facts: dict[str, Any], fund_id: int, outcome: str) -> LetterText | None:
    """Put the fund's text for the outcome, in the letter's language (the locale it is
    rendered in), into the facts (``fund_text``); return its row."""
    locale = get_locale()
    language = locale.language if locale is not None else "da"
    language = language if language in STANDARD_TEXTS else "da"
    text, body = text_for(fund_id, outcome, language)
    values = values_from_facts(facts)
    try:
        facts["fund_text"] = render(body, values)
    except DomainError:
        if text is None:
            raise
        # A text saved before the check rendered it (too deep to render): the letter
        # gets the standard text, so a case can still be decided; an administrator saves a
        # new version.
        logger.warning("Letter text %s of fund %s cannot be rendered", text.id, fund_id)
        text = None
        facts["fund_text"] = render(STANDARD_TEXTS[language][outcome], values)
    facts["text_version"] = text.version if text else 0
    return text
