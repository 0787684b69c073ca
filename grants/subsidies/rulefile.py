"""The rule file: TOML in, validated and normalised rules out, and back to TOML.

The format is documented key by key in docs/rules-format.md; ``TOP`` and ``SECTIONS`` below
are the same list, and a test checks that every key in them is documented there.

``parse(text)`` either returns the normalised rules, a plain dict that is safe to store as
JSON (amounts as strings of kroner with two decimals, dates as ISO strings, every key
present, defaults filled in), or raises ``RuleFileError`` with every problem found, each
naming its field (``rate.amount``) and, where it can be found, its line. ``to_toml(rules)``
writes normalised rules as a file that ``parse`` reads back to the same rules.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.core.errors import DomainError
from grants.core.fields import amount_problem
from grants.core.money import AmbiguousAmount, TooManyDecimals, parse_danish_amount
from grants.funds.kinds import rule_set_kinds

FORMAT = 1

# The kinds of trip a rule applies to: the registered fund kinds' rule-set kinds.
KINDS = rule_set_kinds()
UNITS = ("night", "day")
LEADER_RULES = ("none", "ratio", "all")
ROUNDINGS = ("started", "full")
BEYOND_MAX = ("paid_up_to_max", "refused")
CATEGORIES = ("transport", "accommodation", "fees", "meals", "per_diem", "other")
RELATIONS = ("twin_city", "partnership", "other")

MAX_AMOUNT = Decimal("10000000")
FUND_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


@dataclass(frozen=True)
class Key:
    name: str
    type: str  # int, money, percent, bool, str, text, date, choice, choices
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    minimum: int = 0


@dataclass(frozen=True)
class Section:
    name: str
    keys: tuple[Key, ...]
    # An optional section is a part of the subsidy: absent, it gives nothing (None).
    # The others always exist in the normalised rules, with their defaults.
    optional: bool


TOP = (
    Key("format", "int", required=True),
    Key("fund", "str"),
    Key("name", "str", required=True),
    Key("description", "text", default=""),
    Key("valid_from", "date", required=True),
    Key("valid_to", "date"),
    Key("kinds", "choices", default=list(KINDS), choices=KINDS),
)

SECTIONS = (
    Section(
        "persons",
        (
            Key("age_limit", "int", minimum=1),
            Key("disabled_any_age", "bool", default=False),
            Key("leaders", "choice", default="none", choices=LEADER_RULES),
            Key("leaders_per", "int", minimum=1),
            Key("leaders_rounding", "choice", default="started", choices=ROUNDINGS),
        ),
        optional=False,
    ),
    Section(
        "rate",
        (
            Key("amount", "money", required=True),
            Key("per", "choice", required=True, choices=UNITS),
            Key("applies_to", "choices", choices=KINDS),
        ),
        optional=True,
    ),
    Section(
        "fixed",
        (
            Key("per_application", "money"),
            Key("per_partner_city", "money"),
            Key("applies_to", "choices", choices=KINDS),
        ),
        optional=True,
    ),
    Section(
        "host_grant",
        (
            Key("amount", "money", required=True),
            Key("min_group_size", "int", minimum=1),
            Key("min_days", "int", minimum=1),
            Key("applies_to", "choices", choices=KINDS),
        ),
        optional=True,
    ),
    Section(
        "cost_share",
        (
            Key("percent", "percent", required=True),
            Key("of", "choices", default=list(CATEGORIES), choices=CATEGORIES),
            Key("cap", "money"),
            Key("applies_to", "choices", choices=KINDS),
        ),
        optional=True,
    ),
    Section(
        "caps",
        (
            Key("per_application", "money"),
            Key("per_event", "money"),
            Key("per_organisation_per_year", "money"),
        ),
        optional=False,
    ),
    Section(
        "limits",
        (
            Key("max_nights", "int", minimum=0),
            Key("max_days", "int", minimum=1),
            Key("beyond_max", "choice", default="paid_up_to_max", choices=BEYOND_MAX),
            Key("grants_per_organisation_per_year", "int", minimum=1),
            Key("days_before_travel", "int", minimum=0),
        ),
        optional=False,
    ),
    Section(
        "conditions",
        (
            Key("partner_city", "bool", default=False),
            Key("partner_relations", "choices", default=list(RELATIONS), choices=RELATIONS),
            Key("based_in_municipality", "bool", default=False),
            Key("direct_contact", "bool", default=False),
        ),
        optional=False,
    ),
)
SECTION_BY_NAME = {section.name: section for section in SECTIONS}


# --- What each key means, in the administrator's words (the form-based editor) ---------------
# Data beside the key tables rather than in them, so a key added above appears in the editor
# at once (under its own name until it has a text here); tests/subsidies/test_editor.py
# checks that every key has one. unit: what a number is counted in ("kr.", "%", "nætter").


@dataclass(frozen=True)
class KeyText:
    label: Any
    help: Any = ""
    unit: Any = ""


SECTION_TEXTS: dict[str, KeyText] = {
    "": KeyText(_l("Regelsættet"), _l("Navn, beskrivelse og hvornår reglerne gælder.")),
    "persons": KeyText(
        _l("Hvem tæller med"), _l("Aldersgrænse, deltagere med handicap og ledere.")
    ),
    "rate": KeyText(
        _l("Takst pr. person"),
        _l("Et beløb pr. deltager, der tæller med, pr. nat eller pr. dag. Tom: ingen takst."),
    ),
    "fixed": KeyText(
        _l("Faste beløb"),
        _l("Et fast beløb pr. ansøgning og/eller pr. deltagende partnerby. Tom: ingen."),
    ),
    "host_grant": KeyText(
        _l("Værtstilskud"),
        _l("Et fast beløb til værter for en gruppe fra en venskabsby. Tom: intet."),
    ),
    "cost_share": KeyText(
        _l("Andel af udgifterne"),
        _l("En procentdel af de godkendte udgifter, evt. med et loft. Tom: ingen andel."),
    ),
    "caps": KeyText(_l("Lofter"), _l("Det højeste tilskud. Tom: intet loft.")),
    "limits": KeyText(_l("Grænser"), _l("Hvor lang en rejse og hvor mange tilskud reglerne dækker.")),
    "conditions": KeyText(_l("Betingelser"), _l("Hvad en ansøgning skal opfylde.")),
}

KEY_TEXTS: dict[str, KeyText] = {
    "format": KeyText(_l("Filformat"), _l("Rulefilens formatversion.")),
    "fund": KeyText(_l("Pulje"), _l("Puljens kode.")),
    "name": KeyText(_l("Navn"), _l("Regelsættets navn, som ansøgerne ser det.")),
    "description": KeyText(_l("Beskrivelse"), _l("Reglerne med egne ord, til ansøgerne.")),
    "valid_from": KeyText(
        _l("Gælder fra"), _l("Den første afrejsedato, reglerne gælder for."), _l("dato")
    ),
    "valid_to": KeyText(
        _l("Gælder til"), _l("Den sidste afrejsedato. Tom: indtil videre."), _l("dato")
    ),
    "kinds": KeyText(
        _l("Slags ansøgninger"), _l("De slags ansøgninger, reglerne gælder for.")
    ),
    "persons.age_limit": KeyText(
        _l("Aldersgrænse"),
        _l("Deltagere under denne alder tæller med. Tom: alle aldre."),
        _l("år"),
    ),
    "persons.disabled_any_age": KeyText(
        _l("Deltagere med handicap tæller uanset alder"),
    ),
    "persons.leaders": KeyText(
        _l("Ledere"), _l("Om ledere tæller med: ingen, efter et forhold, eller alle.")
    ),
    "persons.leaders_per": KeyText(
        _l("Deltagere pr. leder"),
        _l("Én leder tæller med pr. så mange deltagere (når ledere tæller efter et forhold)."),
        _l("deltagere"),
    ),
    "persons.leaders_rounding": KeyText(
        _l("Afrunding af ledere"),
        _l("Pr. påbegyndt antal (7 deltagere giver 1, 8 giver 2) eller pr. fuldt antal."),
    ),
    "rate.amount": KeyText(_l("Beløb"), _l("Pr. person, der tæller med."), _l("kr.")),
    "rate.per": KeyText(_l("Pr."), _l("Pr. overnatning eller pr. dag.")),
    "rate.applies_to": KeyText(
        _l("Gælder for"), _l("Intet valgt: alle regelsættets slags ansøgninger.")
    ),
    "fixed.per_application": KeyText(_l("Pr. ansøgning"), unit=_l("kr.")),
    "fixed.per_partner_city": KeyText(_l("Pr. deltagende partnerby"), unit=_l("kr.")),
    "fixed.applies_to": KeyText(
        _l("Gælder for"), _l("Intet valgt: alle regelsættets slags ansøgninger.")
    ),
    "host_grant.amount": KeyText(_l("Beløb"), _l("Pr. besøg, I er værter for."), _l("kr.")),
    "host_grant.min_group_size": KeyText(
        _l("Mindste gruppe"), _l("Gruppen skal være mindst så stor."), _l("personer")
    ),
    "host_grant.min_days": KeyText(
        _l("Mindste varighed"), _l("Besøget skal vare mindst så længe."), _l("dage")
    ),
    "host_grant.applies_to": KeyText(
        _l("Gælder for"), _l("Intet valgt: værtskab for grupper.")
    ),
    "cost_share.percent": KeyText(
        _l("Procentdel"), _l("Over 0 og højst 100, fx 50."), _l("%")
    ),
    "cost_share.of": KeyText(_l("Af udgifterne til"), _l("Intet valgt: alle udgifter.")),
    "cost_share.cap": KeyText(_l("Loft over andelen"), _l("Tom: intet loft."), _l("kr.")),
    "cost_share.applies_to": KeyText(
        _l("Gælder for"), _l("Intet valgt: alle regelsættets slags ansøgninger.")
    ),
    "caps.per_application": KeyText(_l("Pr. ansøgning"), unit=_l("kr.")),
    "caps.per_event": KeyText(
        _l("Pr. begivenhed"), _l("For alle ansøgninger om samme besøg."), _l("kr.")
    ),
    "caps.per_organisation_per_year": KeyText(
        _l("Pr. forening pr. år"), _l("Alle foreningens tilskud i et kalenderår."), _l("kr.")
    ),
    "limits.max_nights": KeyText(
        _l("Højst antal nætter"), _l("Tom: ingen grænse."), _l("nætter")
    ),
    "limits.max_days": KeyText(_l("Højst antal dage"), _l("Tom: ingen grænse."), _l("dage")),
    "limits.beyond_max": KeyText(
        _l("En længere rejse"),
        _l("Får tilskud op til grænsen, eller får afslag."),
    ),
    "limits.grants_per_organisation_per_year": KeyText(
        _l("Tilskud pr. forening pr. år"), _l("Tom: ingen grænse."), _l("tilskud")
    ),
    "limits.days_before_travel": KeyText(
        _l("Ansøgningsfrist"),
        _l("Ansøgningen skal komme mindst så mange dage før afrejsen. Tom: ingen frist."),
        _l("dage"),
    ),
    "conditions.partner_city": KeyText(
        _l("Rejsen skal gå til en venskabs- eller partnerby")
    ),
    "conditions.partner_relations": KeyText(
        _l("Byens forhold til kommunen"), _l("De forhold, der giver tilskud.")
    ),
    "conditions.based_in_municipality": KeyText(
        _l("Foreningen skal have adresse i kommunen")
    ),
    "conditions.direct_contact": KeyText(
        _l("Ansøgningen skal beskrive direkte kontakt mellem de unge")
    ),
}

# The values of the choice keys in words (a value without one is shown as written).
VALUE_TEXTS: dict[str, Any] = {
    "trip": _l("Rejser til venskabs- og partnerbyer"),
    "hosting": _l("Værtskab for grupper"),
    "exchange": _l("Udvekslinger"),
    "night": _l("Pr. overnatning"),
    "day": _l("Pr. dag"),
    "none": _l("Ingen"),
    "ratio": _l("Efter et forhold"),
    "all": _l("Alle"),
    "started": _l("Pr. påbegyndt antal"),
    "full": _l("Pr. fuldt antal"),
    "paid_up_to_max": _l("Tilskud op til grænsen"),
    "refused": _l("Afslag"),
    "transport": _l("Transport"),
    "accommodation": _l("Ophold"),
    "fees": _l("Gebyrer"),
    "meals": _l("Forplejning"),
    "per_diem": _l("Diæter"),
    "other": _l("Andet"),
    "twin_city": _l("Venskabsby"),
    "partnership": _l("Partnerby"),
}


def key_text(path: str) -> KeyText:
    """The words for a key (``rate.amount``; an entry of a repeating section by its section's
    name: ``rates.amount``), or its own name when it has none yet."""
    return KEY_TEXTS.get(path) or KeyText(path.rpartition(".")[2])


def section_text(name: str) -> KeyText:
    return SECTION_TEXTS.get(name) or KeyText(name)
COMPONENTS = ("rate", "fixed", "host_grant", "cost_share")


# --- Errors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleError:
    """One thing wrong with a rule file: the field (``rate.amount``) and/or the line."""

    path: str
    message: str
    line: int | None = None
    file: str = ""  # the file's name, when there is one to name

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        if self.line:
            text = _("Linje %(line)d: %(text)s", line=self.line, text=text)
        return f"{self.file}: {text}" if self.file else text


class RuleFileError(DomainError):
    """The rule file cannot be used. ``errors`` lists every problem found; nothing was loaded."""

    def __init__(self, errors: list[RuleError], field: str | None = "source") -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors), field)

    def in_file(self, name: str) -> RuleFileError:
        """The same errors, each naming the file."""
        return RuleFileError([replace(e, file=name) for e in self.errors], self.field)


# --- Reading -----------------------------------------------------------------------------------

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def load_toml(text: str) -> dict:
    """The TOML document, with decimals read exactly; a syntax error names its line."""
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc.args[0]) if exc.args else str(exc)
        line = getattr(exc, "lineno", None)  # Python 3.14 has the position as attributes
        column = getattr(exc, "colno", None)
        match = _TOML_POSITION.search(detail)
        if match:
            line = line or int(match.group(1))
            column = column or int(match.group(2))
            detail = detail[: match.start()]
        message = _("ikke gyldig TOML: %(detail)s", detail=detail)
        if column:
            message = _("kolonne %(column)d: %(message)s", column=column, message=message)
        raise RuleFileError([RuleError("", message, line)]) from None


def parse(text: str) -> dict:
    """Read and validate a rule file; return the normalised rules or raise RuleFileError."""
    document = load_toml(text)
    errors: list[RuleError] = []
    rules = _normalise(document, errors)
    if errors:
        raise RuleFileError([_with_line(error, text) for error in errors])
    return rules


def validate(rules: dict) -> dict:
    """Validate rules given as data (e.g. normalised rules from the database)."""
    errors: list[RuleError] = []
    normalised = _normalise(_as_document(rules), errors)
    if errors:
        raise RuleFileError(errors)
    return normalised


def _normalise(document: dict, errors: list[RuleError]) -> dict:
    known = {key.name for key in TOP} | set(SECTION_BY_NAME)
    for name in document:
        if name not in known:
            errors.append(_unknown(name, name, known))

    rules: dict[str, Any] = {}
    for key in TOP:
        rules[key.name] = _value(document, key, key.name, errors)
    if rules["format"] is not None and rules["format"] != FORMAT:
        errors.append(
            RuleError(
                "format",
                _(
                    "formatet %(value)s kendes ikke; denne version læser format = %(format)d",
                    value=rules["format"],
                    format=FORMAT,
                ),
            )
        )
    if rules["fund"] is not None and not FUND_CODE.match(rules["fund"]):
        errors.append(
            RuleError("fund", _("skal være en puljes kode: små bogstaver, tal og bindestreg"))
        )
    if (
        rules["valid_from"]
        and rules["valid_to"]
        and rules["valid_to"] < rules["valid_from"]  # ISO dates sort as text
    ):
        errors.append(RuleError("valid_to", _("må ikke ligge før valid_from")))

    for section in SECTIONS:
        raw = document.get(section.name)
        if raw is None:
            rules[section.name] = (
                None if section.optional else {key.name: key.default for key in section.keys}
            )
            continue
        if not isinstance(raw, dict):
            errors.append(
                RuleError(section.name, _("skal være en tabel: [%(name)s]", name=section.name))
            )
            rules[section.name] = None
            continue
        names = {key.name for key in section.keys}
        for name in raw:
            if name not in names:
                errors.append(_unknown(f"{section.name}.{name}", name, names))
        rules[section.name] = {
            key.name: _value(raw, key, f"{section.name}.{key.name}", errors) for key in section.keys
        }

    _check_together(rules, errors)
    return rules


def _check_together(rules: dict, errors: list[RuleError]) -> None:
    """The checks that look at more than one key."""
    persons = rules["persons"]
    if persons and persons["leaders"] == "ratio" and persons["leaders_per"] is None:
        errors.append(RuleError("persons.leaders_per", _('skal angives, når leaders = "ratio"')))
    if not any(rules.get(name) for name in COMPONENTS):
        errors.append(
            RuleError(
                "",
                _(
                    "regelsættet giver intet tilskud: angiv mindst én af "
                    "[rate], [fixed], [host_grant] og [cost_share]"
                ),
            )
        )
    kinds = rules["kinds"] or []
    for name in COMPONENTS:
        component = rules.get(name)
        if not component:
            continue
        if component["applies_to"] is None:
            # Spelled out in the normalised rules, so a stored rule set says what it did.
            default = ["hosting"] if name == "host_grant" else list(kinds)
            component["applies_to"] = [kind for kind in default if kind in kinds]
            if name == "host_grant" and not component["applies_to"]:
                errors.append(
                    RuleError(
                        "host_grant.applies_to",
                        _('skal angives, når "hosting" ikke er blandt kinds'),
                    )
                )
        else:
            for kind in component["applies_to"]:
                if kind not in kinds:
                    errors.append(
                        RuleError(
                            f"{name}.applies_to",
                            _("%(kind)s er ikke blandt regelsættets kinds", kind=kind),
                        )
                    )
    fixed = rules.get("fixed")
    if fixed and fixed["per_application"] is None and fixed["per_partner_city"] is None:
        errors.append(RuleError("fixed", _("angiv per_application og/eller per_partner_city")))


def _unknown(path: str, name: str, known: set[str]) -> RuleError:
    if name == "version":
        return RuleError(
            path, _("versionen gives, når regelsættet indlæses; fjern nøglen fra filen")
        )
    close = difflib.get_close_matches(name, sorted(known), n=1)
    if close:
        return RuleError(path, _("ukendt nøgle (mente du %(name)s?)", name=close[0]))
    return RuleError(path, _("ukendt nøgle"))


def _value(table: dict, key: Key, path: str, errors: list[RuleError]) -> Any:
    if key.name not in table:
        if key.required:
            errors.append(RuleError(path, _("skal angives")))
        return list(key.default) if isinstance(key.default, list) else key.default
    raw = table[key.name]
    try:
        return _CONVERTERS[key.type](raw, key)
    except _Invalid as invalid:
        errors.append(RuleError(path, invalid.message))
        return None


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def _int(raw: Any, key: Key) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise _Invalid(_("skal være et helt tal"))
    if raw < key.minimum:
        raise _Invalid(_("skal være mindst %(minimum)d", minimum=key.minimum))
    return raw


def _money(raw: Any, key: Key) -> str:
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | float | str):
        raise _Invalid(_("skal være et beløb i kroner, fx 100 eller 1234.50"))
    if isinstance(raw, str):
        # A TOML number is not ambiguous (its decimal mark is "."); a text is typed by a
        # person and read by the one rule for amounts: "1.500" is refused, never guessed.
        try:
            amount = parse_danish_amount(raw)
        except (AmbiguousAmount, TooManyDecimals) as refused:
            raise _Invalid(amount_problem(refused)) from None
        except ValueError:
            raise _Invalid(_("skal være et beløb i kroner, fx 100 eller 1234.50")) from None
    else:
        try:
            amount = Decimal(str(raw))
        except InvalidOperation:
            raise _Invalid(_("skal være et beløb i kroner, fx 100 eller 1234.50")) from None
    if not amount.is_finite():
        raise _Invalid(_("skal være et beløb i kroner, fx 100 eller 1234.50"))
    if amount < 0:
        raise _Invalid(_("beløbet kan ikke være negativt"))
    if amount > MAX_AMOUNT:
        raise _Invalid(_("beløbet er for stort"))
    if amount != amount.quantize(Decimal("0.01")):
        raise _Invalid(_("højst to decimaler (øre)"))
    return str(amount.quantize(Decimal("0.01")))


def _percent(raw: Any, key: Key) -> str:
    message = _("skal være en procentsats over 0 og højst 100, fx 50")
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | float | str):
        raise _Invalid(message)
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise _Invalid(message) from None
    if not value.is_finite() or not Decimal(0) < value <= Decimal(100):
        raise _Invalid(message)
    if value != value.quantize(Decimal("0.01")):
        raise _Invalid(_("højst to decimaler"))
    return _plain(value)


def _bool(raw: Any, key: Key) -> bool:
    if not isinstance(raw, bool):
        raise _Invalid(_("skal være true eller false"))
    return raw


def _str(raw: Any, key: Key) -> str:
    if not isinstance(raw, str):
        raise _Invalid(_("skal være en tekst i anførselstegn"))
    if key.type == "str":
        raw = raw.strip()
        if not raw:
            raise _Invalid(_("må ikke være tom"))
        if len(raw) > 200:
            raise _Invalid(_("højst 200 tegn"))
    return raw


def _date(raw: Any, key: Key) -> str:
    if isinstance(raw, dt.datetime) or not isinstance(raw, dt.date | str):
        raise _Invalid(_("skal være en dato, fx 2026-01-01"))
    if isinstance(raw, str):
        try:
            raw = dt.date.fromisoformat(raw)
        except ValueError:
            raise _Invalid(_("skal være en dato, fx 2026-01-01")) from None
    return raw.isoformat()


def _choice(raw: Any, key: Key) -> str:
    if not isinstance(raw, str) or raw not in key.choices:
        raise _Invalid(_("skal være en af: %(choices)s", choices=_quoted(key.choices)))
    return raw


def _choices(raw: Any, key: Key) -> list[str]:
    message = _("skal være en liste med nogle af: %(choices)s", choices=_quoted(key.choices))
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise _Invalid(message)
    if not raw:
        raise _Invalid(_("listen må ikke være tom"))
    wrong = [item for item in raw if item not in key.choices]
    if wrong:
        raise _Invalid(message)
    # Each once, in the schema's order: the same rules always read the same.
    return [choice for choice in key.choices if choice in raw]


_CONVERTERS = {
    "int": _int,
    "money": _money,
    "percent": _percent,
    "bool": _bool,
    "str": _str,
    "text": _str,
    "date": _date,
    "choice": _choice,
    "choices": _choices,
}


def _quoted(choices: tuple[str, ...]) -> str:
    return ", ".join(f'"{choice}"' for choice in choices)


def _plain(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 50, 12.5."""
    text = format(value.normalize(), "f")
    return text


def _as_document(rules: dict) -> dict:
    """Normalised rules as a document ``_normalise`` reads (None means absent)."""
    document = {key: value for key, value in rules.items() if value is not None}
    for section in SECTIONS:
        table = document.get(section.name)
        if isinstance(table, dict):
            document[section.name] = {k: v for k, v in table.items() if v is not None}
    return document


# --- Where a field is in the file ------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\- ]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")


def line_of(text: str, path: str) -> int | None:
    """The line where the field ``path`` (``rate.amount``, ``rate`` or ``name``) is written."""
    if not path:
        return None
    parts = path.split(".")
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = header.group(1).replace(" ", "")
            if len(parts) == 1 and table == parts[0]:
                return number
            continue
        key = _KEY.match(line)
        if not key:
            continue
        name = key.group(1).replace(" ", "")
        full = f"{table}.{name}" if table else name
        if full == path or (len(parts) > 1 and full.startswith(path + ".")):
            return number
        if len(parts) == 1 and full.split(".")[0] == path and not table:
            return number
    return None


def _with_line(error: RuleError, text: str) -> RuleError:
    """The error with the line of its field, or of the nearest table around it."""
    if error.line or not error.path:
        return error
    path = error.path
    while path:
        line = line_of(text, path)
        if line:
            return RuleError(error.path, error.message, line)
        path = path.rpartition(".")[0]
    return error


# --- Writing -----------------------------------------------------------------------------------


def to_toml(rules: dict) -> str:
    """Normalised rules as a TOML file; ``parse(to_toml(rules)) == rules``."""
    lines = [f"format = {rules['format']}"]
    for key in TOP[1:]:
        value = rules.get(key.name)
        if value is not None:
            lines.append(f"{key.name} = {_toml_value(value, key)}")
    for section in SECTIONS:
        table = rules.get(section.name)
        if table is None:
            continue
        body = [
            f"{key.name} = {_toml_value(table[key.name], key)}"
            for key in section.keys
            if table.get(key.name) is not None
        ]
        if body or section.optional:
            lines.extend(["", f"[{section.name}]", *body])
    return "\n".join(lines) + "\n"


def _toml_value(value: Any, key: Key) -> str:
    if key.type in ("money", "percent"):
        number = Decimal(str(value))
        if number == number.to_integral_value():
            return str(int(number))
        return _plain(number)
    if key.type == "date":
        return str(value)  # a TOML local date: 2026-01-01
    if key.type == "bool":
        return "true" if value else "false"
    if key.type == "int":
        return str(int(value))
    if key.type == "choices":
        return "[" + ", ".join(toml_string(item) for item in value) + "]"
    return toml_string(str(value))


def toml_string(text: str) -> str:
    """A TOML basic string (multi-line when the text has line breaks)."""
    if "\n" in text:
        body = "".join(_escape(char, multiline=True) for char in text)
        return '"""\n' + body + '"""'
    return '"' + "".join(_escape(char, multiline=False) for char in text) + '"'


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\f": "\\f", "\r": "\\r"}


def _escape(char: str, *, multiline: bool) -> str:
    if char == "\n":
        return "\n" if multiline else "\\n"
    if char in _ESCAPES:
        return _ESCAPES[char]
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return f"\\u{ord(char):04x}"
    return char
