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
from grants.subsidies import rulesource
from grants.subsidies.examples import failures
from grants.subsidies.vocabulary import (
    CATEGORIES,
    FORMAT,
    FORMATS,
    KINDS,
    RATE_RELATIONS,
    RELATIONS,
    RuleError,
    format_of,
)

UNITS = ("night", "day")
LEADER_RULES = ("none", "ratio", "all")
ROUNDINGS = ("started", "full")
BEYOND_MAX = ("paid_up_to_max", "refused")
# Format 2: the categories of participant (docs/rules-format.md, [persons]).
PERSON_CATEGORIES = ("young", "adult", "leader", "disabled", "guest")
BASES = ("person_night", "person_day", "person_visit", "event", "partner_city")
PERSON_BASES = ("person_night", "person_day", "person_visit")
AGE_ON = ("departure", "end_of_year")
COST_SHARE_PERSONS = ("counted", "all")
# The problems an example may expect (engine.py, and the table in docs/rules-format.md).
PROBLEM_CODES = (
    "kind_not_covered",
    "missing_dates",
    "dates_reversed",
    "partner_city_missing",
    "relation_not_covered",
    "city_not_covered",
    "not_partner",
    "not_based_in_municipality",
    "direct_contact_missing",
    "too_late",
    "too_many_grants",
    "too_long",
    "host_group_too_small",
    "host_visit_too_short",
)

MAX_AMOUNT = Decimal("10000000")
FUND_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


@dataclass(frozen=True)
class Key:
    name: str
    # int, money, percent, bool, str, text, date, choice, choices; in [[examples]] also
    # ints (a list of whole numbers), cities (a list of {name, relation}) and costs
    # (a table of amounts by cost category).
    type: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    minimum: int = 0
    formats: tuple[int, ...] = FORMATS  # the formats the key may be written in


@dataclass(frozen=True)
class Section:
    name: str
    keys: tuple[Key, ...]
    # An optional section is a part of the subsidy: absent, it gives nothing (None).
    # The others always exist in the normalised rules, with their defaults.
    optional: bool
    formats: tuple[int, ...] = FORMATS  # the formats the section may be written in
    # From this format on, the section is an array of tables ([[rates]]): any number of
    # entries, normalised as a list (empty when there are none). Before it, one table.
    repeated_from: int | None = None

    def repeated(self, format_: int) -> bool:
        return self.repeated_from is not None and format_ >= self.repeated_from

    def keys_in(self, format_: int) -> tuple[Key, ...]:
        return tuple(key for key in self.keys if format_ in key.formats)


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
            Key("age_limit_inclusive", "bool", default=False, formats=(2,)),
            Key("age_on", "choice", default="departure", choices=AGE_ON, formats=(2,)),
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
        formats=(1,),
    ),
    Section(
        "fixed",
        (
            Key("per_application", "money"),
            Key("per_partner_city", "money"),
            Key("applies_to", "choices", choices=KINDS),
        ),
        optional=True,
        formats=(1,),
    ),
    Section(
        "rates",
        (
            Key("amount", "money", required=True),
            Key("basis", "choice", required=True, choices=BASES),
            Key("categories", "choices", choices=PERSON_CATEGORIES),
            Key("relations", "choices", default=list(RATE_RELATIONS), choices=RATE_RELATIONS),
            Key("applies_to", "choices", choices=KINDS),
            Key("max_nights", "int", minimum=1),
            Key("max_days", "int", minimum=1),
            Key("max_cities", "int", minimum=1),
            Key("label", "str"),
        ),
        optional=True,
        formats=(2,),
        repeated_from=2,
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
            Key(
                "persons",
                "choice",
                default="counted",
                choices=COST_SHARE_PERSONS,
                formats=(2,),
            ),
        ),
        optional=True,
    ),
    Section(
        "caps",
        (
            Key("per_application", "money"),
            Key("per_event", "money"),
            Key("per_organisation_per_year", "money"),
            Key("applies_to", "choices", choices=KINDS, formats=(2,)),
        ),
        optional=False,
        repeated_from=2,
    ),
    Section(
        "limits",
        (
            Key("max_nights", "int", minimum=0),
            Key("max_days", "int", minimum=1),
            Key("beyond_max", "choice", default="paid_up_to_max", choices=BEYOND_MAX),
            Key("grants_per_organisation_per_year", "int", minimum=1),
            Key("grants_counted_across", "choices", choices=KINDS, formats=(2,)),
            Key("days_before_travel", "int", minimum=0),
            Key("weeks_before_travel", "int", minimum=0, formats=(2,)),
            Key("months_before_travel", "int", minimum=0, formats=(2,)),
        ),
        optional=False,
    ),
    Section(
        "conditions",
        (
            Key("partner_city", "bool", default=False),
            Key("partner_relations", "choices", default=list(RELATIONS), choices=RELATIONS),
            # Only these partner cities, by their name in the partner city register (a fund
            # for one city: the pupils' exchange with Wuxi). None: every city of the relations.
            Key("cities", "names"),
            Key("based_in_municipality", "bool", default=False),
            Key("direct_contact", "bool", default=False),
        ),
        optional=False,
    ),
    # Worked examples: the facts of an application and what the rules must give for it
    # (grants.subsidies.examples). Absent from the normalised rules when there are none.
    Section(
        "examples",
        (
            Key("title", "str", required=True),
            Key("kind", "choice", choices=KINDS),
            Key("departure", "date", required=True),
            Key("return", "date", required=True),
            Key("applied_on", "date"),
            Key("cities", "cities", default=[]),
            Key("young", "int", default=0),
            Key("adults", "int", default=0),
            Key("ages", "ints"),
            Key("birth_years", "ints"),
            Key("leaders", "int", default=0),
            Key("disabled", "int", default=0),
            Key("guests", "int"),
            Key("costs", "costs", default={}),
            Key("based_in_municipality", "bool", default=True),
            Key("direct_contact", "bool", default=True),
            Key("grants_this_year", "int", default=0),
            Key("expect", "money"),
            Key("expect_problems", "choices", choices=PROBLEM_CODES),
        ),
        optional=True,
        repeated_from=1,
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
    "rates": KeyText(
        _l("Takst"),
        _l(
            "Et beløb pr. person pr. nat, dag eller besøg, pr. begivenhed eller pr. "
            "deltagende partnerby. Flere takster lægges sammen."
        ),
    ),
    "examples": KeyText(
        _l("Eksempel"),
        _l(
            "En ansøgning og det, reglerne skal give for den. Reglerne gemmes kun, når "
            "alle eksempler giver det forventede."
        ),
    ),
    "host_grant": KeyText(
        _l("Værtstilskud"),
        _l("Et fast beløb til værter for en gruppe fra en venskabsby. Tom: intet."),
    ),
    "cost_share": KeyText(
        _l("Andel af udgifterne"),
        _l("En procentdel af de godkendte udgifter, evt. med et loft. Tom: ingen andel."),
    ),
    "caps": KeyText(
        _l("Loft"), _l("Det højeste tilskud (i format 2 evt. kun for nogle slags). Tom: intet.")
    ),
    "limits": KeyText(
        _l("Grænser"), _l("Hvor lang en rejse og hvor mange tilskud reglerne dækker.")
    ),
    "conditions": KeyText(_l("Betingelser"), _l("Hvad en ansøgning skal opfylde.")),
}

KEY_TEXTS: dict[str, KeyText] = {
    "format": KeyText(_l("Filformat"), _l("Regelfilens formatversion.")),
    "fund": KeyText(_l("Pulje"), _l("Puljens kode.")),
    "name": KeyText(_l("Navn"), _l("Regelsættets navn, som ansøgerne ser det.")),
    "description": KeyText(_l("Beskrivelse"), _l("Reglerne med egne ord, til ansøgerne.")),
    "valid_from": KeyText(
        _l("Gælder fra"), _l("Den første afrejsedato, reglerne gælder for."), _l("dato")
    ),
    "valid_to": KeyText(
        _l("Gælder til"), _l("Den sidste afrejsedato. Tom: indtil videre."), _l("dato")
    ),
    "kinds": KeyText(_l("Slags ansøgninger"), _l("De slags ansøgninger, reglerne gælder for.")),
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
    "host_grant.applies_to": KeyText(_l("Gælder for"), _l("Intet valgt: værtskab for grupper.")),
    "cost_share.percent": KeyText(_l("Procentdel"), _l("Over 0 og højst 100, fx 50."), _l("%")),
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
    "limits.max_nights": KeyText(_l("Højst antal nætter"), _l("Tom: ingen grænse."), _l("nætter")),
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
    "conditions.partner_city": KeyText(_l("Rejsen skal gå til en venskabs- eller partnerby")),
    "conditions.partner_relations": KeyText(
        _l("Byens forhold til kommunen"), _l("De forhold, der giver tilskud.")
    ),
    "conditions.cities": KeyText(
        _l("Kun disse byer"),
        _l(
            'Byernes navne som i listen over venskabs- og partnerbyer, fx ["Wuxi"]. '
            "Tom: alle byer med de valgte forhold."
        ),
    ),
    "conditions.based_in_municipality": KeyText(_l("Foreningen skal have adresse i kommunen")),
    "conditions.direct_contact": KeyText(
        _l("Ansøgningen skal beskrive direkte kontakt mellem de unge")
    ),
    "persons.age_limit_inclusive": KeyText(
        _l("Aldersgrænsen er inklusiv"),
        _l("Sat: “til og med 25 år”, så en på 25 tæller med."),
    ),
    "persons.age_on": KeyText(_l("Alderen regnes"), _l("På afrejsedagen eller ved årets udgang.")),
    "rates.amount": KeyText(_l("Beløb"), unit=_l("kr.")),
    "rates.basis": KeyText(_l("Pr."), _l("Hvad beløbet gives for.")),
    "rates.categories": KeyText(
        _l("For deltagerne"), _l("Kun pr. person. Intet valgt: dem, der tæller med.")
    ),
    "rates.relations": KeyText(
        _l("For byer, der er"), _l("Intet valgt: alle, også rejser uden partnerby.")
    ),
    "rates.applies_to": KeyText(
        _l("Gælder for"), _l("Intet valgt: alle regelsættets slags ansøgninger.")
    ),
    "rates.max_nights": KeyText(
        _l("Højst antal nætter, der tælles"), _l("Tom: alle nætter."), _l("nætter")
    ),
    "rates.max_days": KeyText(
        _l("Højst antal dage, der tælles"), _l("Tom: alle dage."), _l("dage")
    ),
    "rates.max_cities": KeyText(
        _l("Højst antal byer, der tælles"), _l("Tom: alle byer."), _l("byer")
    ),
    "rates.label": KeyText(_l("Navn i beregningen"), _l("Tom: et navn efter taksten.")),
    "cost_share.persons": KeyText(
        _l("Andelen regnes af"),
        _l("De deltagere, der tæller med (deres del af udgiften), eller alle."),
    ),
    "caps.applies_to": KeyText(
        _l("Gælder for"), _l("Intet valgt: alle regelsættets slags ansøgninger.")
    ),
    "limits.grants_counted_across": KeyText(
        _l("Tilskud tælles på tværs af"), _l("Intet valgt: kun ansøgningens egen slags.")
    ),
    "limits.weeks_before_travel": KeyText(
        _l("Ansøgningsfrist i uger"), _l("Højst én af dage, uger og måneder."), _l("uger")
    ),
    "limits.months_before_travel": KeyText(
        _l("Ansøgningsfrist i måneder"), _l("Højst én af dage, uger og måneder."), _l("måneder")
    ),
    "examples.title": KeyText(_l("Titel"), _l("Fx “12 unge og 2 ledere, 5 nætter i Prag 10”.")),
    "examples.kind": KeyText(_l("Slags ansøgning"), _l("Tom: regelsættets første slags.")),
    "examples.departure": KeyText(_l("Afrejse"), unit=_l("dato")),
    "examples.return": KeyText(_l("Hjemkomst"), unit=_l("dato")),
    "examples.applied_on": KeyText(_l("Ansøgt den"), _l("Tom: 60 dage før afrejsen."), _l("dato")),
    "examples.cities": KeyText(
        _l("Byer"),
        _l('Skrevet som TOML, fx [{ name = "Prag 10", relation = "twin_city" }]; [] for ingen.'),
    ),
    "examples.young": KeyText(_l("Unge"), unit=_l("personer")),
    "examples.adults": KeyText(_l("Voksne"), unit=_l("personer")),
    "examples.ages": KeyText(
        _l("Aldre"), _l("I stedet for antal unge og voksne, skrevet som TOML: [15, 16, 17].")
    ),
    "examples.birth_years": KeyText(
        _l("Fødselsår"), _l("I stedet for antal unge og voksne, fx [2010, 2011].")
    ),
    "examples.leaders": KeyText(_l("Ledere"), unit=_l("personer")),
    "examples.disabled": KeyText(_l("Deltagere med handicap"), unit=_l("personer")),
    "examples.guests": KeyText(_l("Gæster"), _l("Ved værtskab: de besøgende."), _l("personer")),
    "examples.costs": KeyText(_l("Udgifter"), _l("Skrevet som TOML, fx { transport = 10000 }.")),
    "examples.based_in_municipality": KeyText(_l("Foreningen har adresse i kommunen")),
    "examples.direct_contact": KeyText(_l("Ansøgningen beskriver direkte kontakt")),
    "examples.grants_this_year": KeyText(
        _l("Foreningens tilskud tidligere i år"), unit=_l("tilskud")
    ),
    "examples.expect": KeyText(
        _l("Forventet tilskud"), _l("Det beløb, reglerne skal give."), _l("kr.")
    ),
    "examples.expect_problems": KeyText(
        _l("Eller forventet afslag, fordi"), _l("Det, der gør ansøgningen uberettiget.")
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
    "young": _l("Unge"),
    "adult": _l("Voksne"),
    "leader": _l("Ledere"),
    "disabled": _l("Deltagere med handicap"),
    "guest": _l("Gæster"),
    "person_night": _l("Pr. person pr. nat"),
    "person_day": _l("Pr. person pr. dag"),
    "person_visit": _l("Pr. person pr. besøg"),
    "event": _l("Pr. begivenhed"),
    "partner_city": _l("Pr. deltagende partnerby"),
    "departure": _l("På afrejsedagen"),
    "end_of_year": _l("Ved årets udgang"),
    "counted": _l("Dem, der tæller med"),
    "kind_not_covered": _l("Slags ansøgning dækkes ikke"),
    "missing_dates": _l("Datoer mangler"),
    "dates_reversed": _l("Hjemkomst før afrejse"),
    "partner_city_missing": _l("Ingen partnerby"),
    "relation_not_covered": _l("Byens forhold dækkes ikke"),
    "city_not_covered": _l("Byen dækkes ikke"),
    "not_partner": _l("Ikke partnerby på datoerne"),
    "not_based_in_municipality": _l("Ikke hjemme i kommunen"),
    "direct_contact_missing": _l("Ingen direkte kontakt"),
    "too_late": _l("For sent ansøgt"),
    "too_many_grants": _l("For mange tilskud i året"),
    "too_long": _l("For lang rejse"),
    "host_group_too_small": _l("For lille gruppe"),
    "host_visit_too_short": _l("For kort besøg"),
}


def key_text(path: str) -> KeyText:
    """The words for a key (``rate.amount``; an entry of a repeating section by its section's
    name: ``rates.amount``), or its own name when it has none yet."""
    return KEY_TEXTS.get(path) or KeyText(path.rpartition(".")[2])


def section_text(name: str) -> KeyText:
    return SECTION_TEXTS.get(name) or KeyText(name)


COMPONENTS = ("rate", "fixed", "rates", "host_grant", "cost_share")
# The keys whose values are amounts in kroner, wherever they stand (a table, an array of
# tables, an example's costs): their text is read too (``rulesource.amount_problems``), so
# that 11.000 is never taken for 11 kr.
AMOUNT_KEYS = frozenset(
    {key.name for key in TOP if key.type == "money"}
    | {key.name for section in SECTIONS for key in section.keys if key.type == "money"}
    | (
        set(CATEGORIES)
        if any(key.type == "costs" for section in SECTIONS for key in section.keys)
        else set()
    )
)


# --- Errors ------------------------------------------------------------------------------------


class RuleFileError(DomainError):
    """The rule file cannot be used. ``errors`` lists every problem found; nothing was loaded."""

    def __init__(self, errors: list[RuleError], field: str | None = "source") -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors), field)

    def in_file(self, name: str) -> RuleFileError:
        """The same errors, each naming the file."""
        return RuleFileError([replace(e, file=name) for e in self.errors], self.field)


# --- Reading -----------------------------------------------------------------------------------


def load_toml(text: str) -> dict:
    """The TOML document, with decimals read exactly; a syntax error is refused in plain
    words with its line (``rulesource.syntax_error``), together with every amount written
    in a way that is not plainly kroner (``rulesource.amount_problems``)."""
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        syntax = rulesource.syntax_error(text, exc)
        problems = rulesource.amount_problems(text, AMOUNT_KEYS)
        if not any(problem.line == syntax.line for problem in problems):
            # An amount such as 300,00 breaks the TOML; its own message says how to write it.
            problems.append(syntax)
        raise RuleFileError(_sorted([_from_source(problem) for problem in problems])) from None


def parse(text: str) -> dict:
    """Read and validate a rule file; return the normalised rules or raise RuleFileError
    with every problem, sorted by line. The file's worked examples ([[examples]]) are run
    too: one that fails is an error."""
    document = load_toml(text)
    errors: list[RuleError] = []
    rules = _normalise(document, errors)
    written = [_from_source(p) for p in rulesource.amount_problems(text, AMOUNT_KEYS)]
    # An amount refused for how it is written is not also refused for the value TOML read.
    refused = {(error.line, error.path.rpartition(".")[2]) for error in written}
    located = [
        error
        for error in (_with_line(error, text) for error in errors)
        if (error.line, error.path.rpartition(".")[2]) not in refused
    ]
    if not written and not located:
        located = [_with_line(error, text) for error in _example_errors(rules)]
    if written or located:
        raise RuleFileError(_sorted(written + located))
    return rules


def _from_source(problem: rulesource.SourceProblem) -> RuleError:
    return RuleError(problem.path, problem.message, problem.line)


def validate(rules: dict) -> dict:
    """Validate rules given as data (e.g. normalised rules from the database)."""
    errors: list[RuleError] = []
    normalised = _normalise(_as_document(rules), errors)
    if not errors:
        errors.extend(_example_errors(normalised))
    if errors:
        raise RuleFileError(errors)
    return normalised


def _example_errors(rules: dict) -> list[RuleError]:
    return failures(rules)


def _sorted(errors: list[RuleError]) -> list[RuleError]:
    """By line; the errors without one (the file as a whole) first."""
    return sorted(errors, key=lambda error: error.line or 0)


def _normalise(document: dict, errors: list[RuleError]) -> dict:
    rules: dict[str, Any] = {}
    for key in TOP:
        rules[key.name] = _value(document, key, key.name, errors)
    format_ = rules["format"]
    if format_ is not None and format_ not in FORMATS:
        errors.append(
            RuleError(
                "format",
                _(
                    "formatet %(value)s kendes ikke; denne version læser format = 1 og 2",
                    value=format_,
                ),
            )
        )
    if format_ not in FORMATS:
        format_ = FORMAT  # read the rest as the newest format, to report what else is wrong

    known = {key.name for key in TOP} | {s.name for s in SECTIONS if format_ in s.formats}
    for name in document:
        if name not in known:
            errors.append(_unknown(name, name, known, format_))
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
        if format_ not in section.formats:
            continue
        raw = document.get(section.name)
        keys = section.keys_in(format_)
        if section.repeated(format_):
            if raw is None:
                raw = []
            elif isinstance(raw, dict):
                raw = [raw]  # one [caps] table in a format 2 file: a list of one
            if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
                errors.append(
                    RuleError(
                        section.name,
                        _("skal være tabeller: [[%(name)s]]", name=section.name),
                    )
                )
                rules[section.name] = []
                continue
            rules[section.name] = [
                _table(table, keys, f"{section.name}[{number}]", errors, format_)
                for number, table in enumerate(raw, start=1)
            ]
            if section.name == "examples" and not rules[section.name]:
                del rules[section.name]  # none: as in the files written before examples
            continue
        if raw is None:
            rules[section.name] = (
                None if section.optional else {key.name: _default(key) for key in keys}
            )
            continue
        if not isinstance(raw, dict):
            errors.append(
                RuleError(section.name, _("skal være en tabel: [%(name)s]", name=section.name))
            )
            rules[section.name] = None
            continue
        rules[section.name] = _table(raw, keys, section.name, errors, format_)

    _check_together(rules, errors, format_)
    return rules


def _table(raw: dict, keys: tuple[Key, ...], path: str, errors, format_: int) -> dict:
    names = {key.name for key in keys}
    for name in raw:
        if name not in names:
            errors.append(_unknown(f"{path}.{name}", name, names, format_))
    return {key.name: _value(raw, key, f"{path}.{key.name}", errors) for key in keys}


def _default(key: Key) -> Any:
    if isinstance(key.default, list | dict):
        return type(key.default)(key.default)
    return key.default


def _check_together(rules: dict, errors: list[RuleError], format_: int) -> None:
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
                )
                if format_ == 1
                else _(
                    "regelsættet giver intet tilskud: angiv mindst én af "
                    "[[rates]], [host_grant] og [cost_share]"
                ),
            )
        )
    kinds = rules["kinds"] or []
    for name in ("rate", "fixed", "host_grant", "cost_share"):
        component = rules.get(name)
        if component:
            _check_applies_to(component, name, kinds, errors)
    fixed = rules.get("fixed")
    if fixed and fixed["per_application"] is None and fixed["per_partner_city"] is None:
        errors.append(RuleError("fixed", _("angiv per_application og/eller per_partner_city")))
    if format_ >= 2:
        _check_format_2(rules, kinds, errors)
    for number, example in enumerate(rules.get("examples") or [], start=1):
        path = f"examples[{number}]"
        if example["kind"] is None and kinds:
            example["kind"] = kinds[0]
        elif example["kind"] is not None and example["kind"] not in kinds:
            errors.append(
                RuleError(
                    f"{path}.kind",
                    _("%(kind)s er ikke blandt regelsættets kinds", kind=example["kind"]),
                )
            )
        if example["departure"] and example["return"] and example["return"] < example["departure"]:
            errors.append(RuleError(f"{path}.return", _("må ikke ligge før departure")))


def _check_applies_to(component: dict, name: str, kinds: list[str], errors) -> None:
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
        return
    for kind in component["applies_to"]:
        if kind not in kinds:
            errors.append(
                RuleError(
                    f"{name}.applies_to",
                    _("%(kind)s er ikke blandt regelsættets kinds", kind=kind),
                )
            )


def _check_format_2(rules: dict, kinds: list[str], errors: list[RuleError]) -> None:
    persons = rules["persons"]
    for number, rate in enumerate(rules.get("rates") or [], start=1):
        path = f"rates[{number}]"
        _check_applies_to(rate, path, kinds, errors)
        basis = rate["basis"]
        if basis in PERSON_BASES:
            if rate["categories"] is None:
                # The counted persons (docs: [persons]), spelled out.
                rate["categories"] = _counted_categories(persons)
            for category in rate["categories"] or []:
                problem = _category_problem(category, persons)
                if problem:
                    errors.append(RuleError(f"{path}.categories", problem))
        elif rate["categories"] is not None:
            errors.append(
                RuleError(
                    f"{path}.categories",
                    _("bruges kun med basis person_night, person_day og person_visit"),
                )
            )
        for key, wanted in (
            ("max_nights", "person_night"),
            ("max_days", "person_day"),
            ("max_cities", "partner_city"),
        ):
            if rate[key] is not None and basis != wanted:
                errors.append(
                    RuleError(
                        f"{path}.{key}",
                        _('bruges kun med basis = "%(basis)s"', basis=wanted),
                    )
                )
    for number, cap in enumerate(rules["caps"], start=1):
        path = f"caps[{number}]"
        _check_applies_to(cap, path, kinds, errors)
        if all(cap[key] is None for key in ("per_application", "per_event")) and (
            cap["per_organisation_per_year"] is None
        ):
            errors.append(
                RuleError(
                    path,
                    _("angiv per_application, per_event og/eller per_organisation_per_year"),
                )
            )
    limits = rules["limits"]
    deadlines = [
        key
        for key in ("days_before_travel", "weeks_before_travel", "months_before_travel")
        if limits[key] is not None
    ]
    if len(deadlines) > 1:
        errors.append(
            RuleError(
                f"limits.{deadlines[1]}",
                _(
                    "angiv kun én frist: days_before_travel, weeks_before_travel eller "
                    "months_before_travel"
                ),
            )
        )
    if (
        limits["grants_counted_across"] is not None
        and limits["grants_per_organisation_per_year"] is None
    ):
        errors.append(
            RuleError(
                "limits.grants_counted_across",
                _("bruges kun sammen med grants_per_organisation_per_year"),
            )
        )


def _counted_categories(persons: dict) -> list[str]:
    """Who counts by the [persons] rules: the young, the leaders by their rule and, when
    ``disabled_any_age``, the disabled participants."""
    categories = ["young"]
    if persons["leaders"] != "none":
        categories.append("leader")
    if persons["disabled_any_age"]:
        categories.append("disabled")
    return categories


def _category_problem(category: str, persons: dict) -> str | None:
    """Why a rate cannot count this category under these [persons] rules (or None)."""
    if category == "leader" and persons["leaders"] == "none":
        return _('ledere tæller ikke, når persons.leaders = "none"')
    if category == "disabled" and not persons["disabled_any_age"]:
        return _("deltagere med handicap tæller kun, når persons.disabled_any_age = true")
    if category == "adult" and persons["age_limit"] is None:
        return _("uden persons.age_limit er alle deltagere unge (young)")
    return None


def _unknown(path: str, name: str, known: set[str], format_: int = FORMAT) -> RuleError:
    if name == "version":
        return RuleError(
            path, _("versionen gives, når regelsættet indlæses; fjern nøglen fra filen")
        )
    if format_ == 1 and _in_format_2(path):
        return RuleError(path, _("kræver format = 2"))
    if format_ == 2 and name in ("rate", "fixed"):
        return RuleError(
            path, _("findes kun i format 1; i format 2 skrives satserne som [[rates]]")
        )
    close = difflib.get_close_matches(name, sorted(known), n=1)
    if close:
        return RuleError(path, _("ukendt nøgle (mente du %(name)s?)", name=close[0]))
    return RuleError(path, _("ukendt nøgle"))


def _in_format_2(path: str) -> bool:
    """Whether ``path`` (``persons.age_on``, ``rates``) names a key of format 2."""
    section_name, _dot, name = re.sub(r"\[\d+\]", "", path).partition(".")
    section = SECTION_BY_NAME.get(section_name)
    if section is None:
        return False
    if not name:
        return 2 in section.formats and 1 not in section.formats
    return any(key.name == name and 1 not in key.formats for key in section.keys)


def _value(table: dict, key: Key, path: str, errors: list[RuleError]) -> Any:
    if key.name not in table:
        if key.required:
            errors.append(RuleError(path, _("skal angives")))
        return _default(key)
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


def _ints(raw: Any, key: Key) -> list[int]:
    if not isinstance(raw, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 3000 for item in raw
    ):
        raise _Invalid(_("skal være en liste af hele tal, fx [15, 16, 17]"))
    return list(raw)


def _names(raw: Any, key: Key) -> list[str]:
    message = _('skal være en liste af bynavne, fx ["Wuxi"]')
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise _Invalid(message)
    names = [item.strip() for item in raw]
    if not names:
        raise _Invalid(_("listen må ikke være tom"))
    if not all(names) or any(len(name) > 200 for name in names):
        raise _Invalid(message)
    return names


def _cities(raw: Any, key: Key) -> list[dict]:
    message = _(
        'skal være en liste af byer, fx [{ name = "Prag 10", relation = "twin_city" }]; '
        "relation er en af: %(choices)s",
        choices=_quoted(RELATIONS),
    )
    if not isinstance(raw, list):
        raise _Invalid(message)
    cities = []
    for item in raw:
        if (
            not isinstance(item, dict)
            or set(item) - {"name", "relation"}
            or not isinstance(item.get("name"), str)
            or not item["name"].strip()
            or item.get("relation", "twin_city") not in RELATIONS
        ):
            raise _Invalid(message)
        cities.append({"name": item["name"].strip(), "relation": item.get("relation", "twin_city")})
    return cities


def _costs(raw: Any, key: Key) -> dict[str, str]:
    message = _(
        "skal være en tabel af beløb efter udgiftsart, fx { transport = 10000 }; "
        "udgiftsarterne er: %(choices)s",
        choices=_quoted(CATEGORIES),
    )
    if not isinstance(raw, dict) or set(raw) - set(CATEGORIES):
        raise _Invalid(message)
    return {category: _money(raw[category], key) for category in CATEGORIES if category in raw}


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
    "ints": _ints,
    "names": _names,
    "cities": _cities,
    "costs": _costs,
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
        elif isinstance(table, list):
            document[section.name] = [
                {k: v for k, v in entry.items() if v is not None}
                if isinstance(entry, dict)
                else entry
                for entry in table
            ]
    return document


# --- Where a field is in the file ------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\- ]+?)\s*\]\s*(#.*)?$")
_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.\- ]+?)\s*\]\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")


def line_of(text: str, path: str) -> int | None:
    """The line where the field ``path`` (``rate.amount``, ``rate``, ``name``, or in an
    array of tables ``rates[2].amount``, the second [[rates]]) is written."""
    if not path:
        return None
    parts = path.split(".")
    table = ""
    counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        array = _ARRAY_HEADER.match(line)
        header = None if array else _HEADER.match(line)
        if array or header:
            if array:
                name = array.group(1).replace(" ", "")
                counts[name] = counts.get(name, 0) + 1
                table = f"{name}[{counts[name]}]"
                if path == name:  # the array as a whole: its first table
                    return number
            else:
                table = header.group(1).replace(" ", "")  # type: ignore[union-attr]
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
    format_ = format_of(rules)
    lines = [f"format = {rules['format']}"]
    for key in TOP[1:]:
        value = rules.get(key.name)
        if value is not None:
            lines.append(f"{key.name} = {_toml_value(value, key)}")
    for section in SECTIONS:
        if format_ not in section.formats:
            continue
        keys = section.keys_in(format_)
        content = rules.get(section.name)
        if content is None:
            continue
        repeated = section.repeated(format_)
        for table in content if repeated else [content]:
            body = [
                f"{key.name} = {_toml_value(table[key.name], key)}"
                for key in keys
                if table.get(key.name) is not None
            ]
            header = f"[[{section.name}]]" if repeated else f"[{section.name}]"
            if body or section.optional or repeated:
                lines.extend(["", header, *body])
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
    if key.type == "ints":
        return "[" + ", ".join(str(int(item)) for item in value) + "]"
    if key.type == "names":
        return "[" + ", ".join(toml_string(item) for item in value) + "]"
    if key.type == "cities":
        return (
            "["
            + ", ".join(
                f"{{ name = {toml_string(city['name'])}, "
                f"relation = {toml_string(city['relation'])} }}"
                for city in value
            )
            + "]"
        )
    if key.type == "costs":
        money_key = Key(key.name, "money")
        return (
            "{ " + ", ".join(f"{k} = {_toml_value(v, money_key)}" for k, v in value.items()) + " }"
        )
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
