"""The subsidy for an application form as it is filled in: the same answer for the live
calculation (``POST /tilskud/beregn/<fund_code>``, the form's JavaScript) and for the
server-side preview without JavaScript, because both call ``calculate_for_form``.

The form's field names are ``FORM_FIELDS``, in this one place. Values are read as a person
types them: counts as whole numbers, amounts by the one rule for amounts
(``grants.core.money.parse_danish_amount``: "6.500" is refused as ambiguous), dates as
2026-11-24 (the date input) or 24.11.2026. A value that cannot be read becomes a problem on
its field (code ``invalid_input``) and counts as empty.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select, true

from grants.core import clock
from grants.core.fields import read_amount
from grants.core.formatting import long_date
from grants.core.input import parse_id
from grants.core.money import ZERO
from grants.extensions import db
from grants.funds.models import Fund
from grants.partners.models import PartnerCity
from grants.subsidies.engine import compute
from grants.subsidies.facts import City, OrganisationFacts, Trip
from grants.subsidies.models import rule_set_for
from grants.subsidies.result import Calculation, Problem
from grants.subsidies.rulefile import CATEGORIES, KINDS

# name -> what it holds. Every field is optional; what is missing counts as empty.
FORM_FIELDS: dict[str, str] = {
    "kind": "trip, hosting or exchange; without it, the fund's kind decides",
    "departure_date": "the first day; for hosting, the day the visitors arrive",
    "return_date": "the last day; for hosting, the day the visitors leave",
    "partner_city_id": "the id of the partner city visited (or visiting); may be repeated",
    "participants_young": "participants under the age limit, neither leaders nor disabled",
    "participants_older": "participants at or over the age limit (they count only in rule "
    "sets without an age limit)",
    "birth_years": "instead of the two counts above: the birth year of each of those "
    "participants, separated by commas or spaces (or the field repeated)",
    "participants_leaders": "leaders",
    "participants_disabled": "disabled participants, of any age",
    "host_group_size": "hosting: the number of persons in the visiting group",
    "direct_contact": "the description of the direct contact between the young people",
    "transport": "costs in kroner, by category (also accommodation, fees, meals, per_diem, other)",
    "accommodation": "costs: accommodation",
    "fees": "costs: fees",
    "meals": "costs: meals",
    "per_diem": "costs: per diem",
    "other": "costs: other",
    "organisation_id": "the applying organisation (the JSON endpoint only; the server-side "
    "preview passes the organisation itself)",
}


def calculate_for_form(
    fund: Fund,
    data,
    organisation=None,
    *,
    today: dt.date | None = None,
    rule_set=None,
) -> Calculation:
    """The subsidy the fund's rules give for the form's ``data`` (a dict or the request's
    MultiDict, keys from FORM_FIELDS).

    ``organisation`` is the applying ``Organisation`` (its facts are looked up: based in the
    municipality, grants from this fund in the year of departure), an ``OrganisationFacts``,
    or None (then the organisation's conditions are not judged, and a note says so). The
    rules are the fund's newest version valid on the departure date (today while there is
    none); the calculation names the version, for the case to keep. ``rule_set`` pins a
    given version instead (a report's recalculation uses the decision's version)."""
    today = today or clock.today()
    reader = _Reader(data)
    trip = reader.trip(fund)
    day = trip.departure or today
    trip = replace(
        trip, applied_on=today, organisation=organisation_facts(fund, organisation, day.year)
    )
    if rule_set is None:
        rule_set = rule_set_for(fund, day)
    if rule_set is None:
        return Calculation(
            lines=(),
            total=ZERO,
            problems=(
                *reader.problems,
                Problem(
                    "no_rules",
                    _("Puljen har ingen tilskudsregler for datoen %(date)s.", date=long_date(day)),
                    "departure_date",
                ),
            ),
        )
    calculation = compute(rule_set.rules, trip)
    unreadable = {problem.field for problem in reader.problems}
    return replace(
        calculation,
        problems=(
            *reader.problems,
            *(p for p in calculation.problems if p.field not in unreadable),
        ),
        rule_set_id=rule_set.id,
        rule_set_version=rule_set.version,
        rule_set_name=rule_set.name,
    )


def organisation_facts(
    fund: Fund, organisation, year: int, excluding: int | None = None
) -> OrganisationFacts | None:
    """What the rules ask about the organisation: is it based in the municipality, and what
    has it been granted from this fund for trips in ``year``. ``excluding``: the id of a
    case whose own grant does not count (a reconsidered decision replaces it)."""
    if organisation is None or isinstance(organisation, OrganisationFacts):
        return organisation
    from grants.cases.models import Application, Outcome
    from grants.core.models import Municipality

    try:
        based = organisation.based_in(Municipality.current())
    except LookupError:  # no municipality profile yet
        based = None
    count, amount = db.session.execute(
        select(
            func.count(Application.id), func.coalesce(func.sum(Application.granted_amount), 0)
        ).where(
            Application.fund_id == fund.id,
            Application.organisation_id == organisation.id,
            Application.outcome.in_([Outcome.GRANTED, Outcome.PARTLY_GRANTED]),
            Application.departure_date >= dt.date(year, 1, 1),
            Application.departure_date <= dt.date(year, 12, 31),
            Application.id != excluding if excluding is not None else true(),
        )
    ).one()
    # Format 2's limits.grants_counted_across: the grants from every fund, by kind.
    from grants.funds import kinds

    by_fund_kind = db.session.execute(
        select(Fund.kind, func.count(Application.id))
        .join(Fund, Fund.id == Application.fund_id)
        .where(
            Application.organisation_id == organisation.id,
            Application.outcome.in_([Outcome.GRANTED, Outcome.PARTLY_GRANTED]),
            Application.departure_date >= dt.date(year, 1, 1),
            Application.departure_date <= dt.date(year, 12, 31),
            Application.id != excluding if excluding is not None else true(),
        )
        .group_by(Fund.kind)
    ).all()
    by_kind: dict[str, int] = {}
    for fund_kind, number in by_fund_kind:
        rule_kind = kinds.get(fund_kind).rule_set_kind
        if rule_kind:
            by_kind[rule_kind] = by_kind.get(rule_kind, 0) + int(number or 0)
    return OrganisationFacts(
        based_in_municipality=based,
        grants_this_year=int(count or 0),
        granted_amount_this_year=Decimal(amount or 0),
        grants_by_kind=by_kind,
    )


def form_data_of(application) -> dict:
    """An application's facts as form data, to calculate again (e.g. when it is decided)."""
    data = {
        "departure_date": application.departure_date.isoformat()
        if application.departure_date
        else "",
        "return_date": application.return_date.isoformat() if application.return_date else "",
        "partner_city_id": str(application.partner_city_id or ""),
        "participants_young": str(application.participants_young or 0),
        "participants_leaders": str(application.participants_leaders or 0),
        "participants_disabled": str(application.participants_disabled or 0),
        "birth_years": " ".join(str(year) for year in application.birth_years or []),
        "host_group_size": str(application.host_group_size or 0),
        "direct_contact": application.direct_contact or "",
    }
    for category in CATEGORIES:
        line = application.line(category)
        data[category] = str(line.amount) if line else ""
    return data


class _Reader:
    """Reads the form's values, noting the ones it cannot read as problems."""

    def __init__(self, data) -> None:
        self.data = data if data is not None else {}
        self.problems: list[Problem] = []

    def values(self, name: str) -> list[str]:
        if hasattr(self.data, "getlist"):
            raw = self.data.getlist(name)
        else:
            value = self.data.get(name)
            raw = value if isinstance(value, list | tuple) else [value]
        return [str(value).strip() for value in raw if value is not None and str(value).strip()]

    def text(self, name: str) -> str:
        values = self.values(name)
        return values[0] if values else ""

    def count(self, name: str) -> int:
        text = self.text(name)
        if not text:
            return 0
        if not re.fullmatch(r"\d{1,6}", text):
            self.problems.append(Problem("invalid_input", _("Skriv et helt tal."), name))
            return 0
        return int(text)

    def amount(self, name: str) -> Decimal:
        text = self.text(name)
        if not text:
            return ZERO
        try:
            amount = read_amount(text)  # the one rule: "6.500" is refused, never guessed
        except ValueError as refused:
            self.problems.append(Problem("invalid_input", str(refused), name))
            return ZERO
        if amount < 0:
            self.problems.append(
                Problem("invalid_input", _("Beløbet kan ikke være negativt."), name)
            )
            return ZERO
        return amount

    def date(self, name: str) -> dt.date | None:
        text = self.text(name)
        if not text:
            return None
        for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"):
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        self.problems.append(Problem("invalid_input", _("Skriv en gyldig dato."), name))
        return None

    def years(self, name: str) -> tuple[int, ...] | None:
        words = [
            word for value in self.values(name) for word in re.split(r"[\s,;]+", value) if word
        ]
        if not words:
            return None
        this_year = clock.today().year
        years = []
        for word in words:
            if not re.fullmatch(r"\d{4}", word) or not 1900 <= int(word) <= this_year:
                self.problems.append(
                    Problem(
                        "invalid_input",
                        _("Skriv fødselsårene som årstal, fx 2010, 2011."),
                        name,
                    )
                )
                return None
            years.append(int(word))
        return tuple(years)

    def cities(self, name: str) -> tuple[City, ...]:
        cities = []
        for value in self.values(name):
            number = parse_id(value)  # not a number or out of range: not in the list
            city = db.session.get(PartnerCity, number) if number else None
            if city is None:
                self.problems.append(Problem("invalid_input", _("Vælg en by fra listen."), name))
                continue
            cities.append(City.of(city))
        return tuple(cities)

    def trip(self, fund: Fund) -> Trip:
        kind = self.text("kind")
        if kind not in KINDS:
            kind = fund.spec.rule_set_kind or "trip"
        return Trip(
            kind=kind,
            departure=self.date("departure_date"),
            return_=self.date("return_date"),
            participants_under_limit=self.count("participants_young"),
            participants_over_limit=self.count("participants_older"),
            birth_years=self.years("birth_years"),
            leaders=self.count("participants_leaders"),
            disabled_participants=self.count("participants_disabled"),
            partner_cities=self.cities("partner_city_id"),
            costs={category: self.amount(category) for category in CATEGORIES},
            direct_contact=self.text("direct_contact"),
            host_group_size=self.count("host_group_size"),
        )


def shown(kept: dict | None) -> dict | None:
    """A calculation kept with a case (``Calculation.facts``), as its reader reads it now:
    the working written again from the kept facts and the case's own rule-set version, in
    the language of the request (or of the letter being made). The amounts are the kept
    ones; should a later engine work them out otherwise, the kept amounts are shown under
    the line's name, without a working that would not add up to them.

    A dict with the texts already in it (the live calculation, a preview, or a case kept
    before facts were kept that the migration could not work out again) is shown as it is.
    """
    from grants.subsidies.models import RuleSet
    from grants.subsidies.result import FACTS_FORMAT

    if not kept or kept.get("format") != FACTS_FORMAT:
        return kept
    rule_set_id = (kept.get("rule_set") or {}).get("id")
    rule_set = db.session.get(RuleSet, rule_set_id) if rule_set_id else None
    if rule_set is None or kept.get("trip") is None:
        return {
            **kept,
            "lines": [{**line, "label": line["code"], "working": ""} for line in kept["lines"]],
            "problems": [
                {**problem, "message": _("Puljen har ingen tilskudsregler for rejsens datoer.")}
                for problem in kept["problems"]
            ],
            "notes": [],
            "rules_applied": [],
        }
    written = compute(rule_set.rules, Trip.from_facts(kept["trip"])).as_dict()
    amounts = [(line["code"], line["amount"]) for line in kept["lines"]]
    if [(line["code"], line["amount"]) for line in written["lines"]] != amounts:
        labels = {line["code"]: line["label"] for line in written["lines"]}
        written["lines"] = [
            {**line, "label": labels.get(line["code"], line["code"]), "working": ""}
            for line in kept["lines"]
        ]
    problems = {problem["code"]: problem for problem in written["problems"]}
    return {
        **kept,
        "lines": written["lines"],
        "problems": [
            {**problem, "message": problems.get(problem["code"], {}).get("message", "")}
            for problem in kept["problems"]
        ],
        "notes": written["notes"],
        "rules_applied": written["rules_applied"],
    }
