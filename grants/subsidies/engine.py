"""The subsidy engine: a rule set and the facts of a trip give the amount, its working line by
line, and what the rules cannot allow. Pure Python: no database, no request.

``rules`` are normalised rules (``rulefile.parse``); ``compute(rules, trip)`` is deterministic
and never raises on odd facts: a fact the rules cannot allow becomes a ``Problem``.

Both formats of the rule file are read: format 1's [rate] and [fixed] are the rates of format
2's [[rates]] they always were (``parts_of``), its one [caps] a cap for every kind
(``caps_of``). A rate pays for some categories of participant (young, adult, leader, disabled,
guest) on a basis (per person per night, day or visit, per event, per partner city) when the
trip's relation (the closest of its cities': twin city, partnership, other, or none) is among
its relations.

Who counts (docs/rules-format.md, [persons]):
- participants under the age limit on the departure date; with no age limit, every
  participant. Given as counts (``participants_under_limit``, ``participants_over_limit``) or,
  instead, as birth dates or birth years of all the participants who are neither leaders nor
  listed as disabled. A birth year alone is read as the birthday having passed by the
  departure date (age = year of departure - birth year): it never counts someone the rule
  does not, and a note names those who may count if their birthday is after departure;
- leaders: none, all, or one per started (or full) N counted participants, at most as many
  as there are;
- disabled participants regardless of age, when the rules say so (``disabled_any_age``).

Amounts are Decimal kroner rounded to øre. The parts come first, then the caps, each cap that
bites as its own line with a negative amount: the lines always add up to the total, and the
total is never negative.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext

from grants.core.formatting import long_date, money
from grants.core.money import ZERO, kroner
from grants.subsidies.facts import City, OrganisationFacts, Trip, months_before
from grants.subsidies.result import Calculation, Line, Problem
from grants.subsidies.vocabulary import KINDS, RATE_RELATIONS, RELATIONS, format_of
from grants.subsidies.wording import (
    categories_text,
    kind_label,
    leader_rule_text,
    percent_text,
    rules_applied,
)


def compute(rules: dict, trip: Trip) -> Calculation:
    """The subsidy the rules give for the trip, with its working and its problems."""
    return replace(_Computation(rules, trip).run(), trip=trip)


_PERSON_BASES = ("person_night", "person_day", "person_visit")
_CODES = {
    "person_night": "rate",
    "person_day": "rate",
    "person_visit": "per_visit",
    "event": "per_application",
    "partner_city": "per_partner_city",
}


def parts_of(rules: dict) -> list[dict]:
    """The amounts of a rule set as format 2's rates, each with its line's ``code``: format
    1's [rate] and [fixed] are read as the rates they always were."""
    if format_of(rules) >= 2:
        return [{**rate, "code": _CODES[rate["basis"]]} for rate in rules.get("rates") or []]
    parts = []
    rate = rules.get("rate")
    plain = {
        "categories": None,  # the counted persons
        "relations": list(RATE_RELATIONS),
        "max_nights": None,
        "max_days": None,
        "max_cities": None,
        "label": None,
    }
    if rate:
        parts.append(
            {
                **plain,
                "amount": rate["amount"],
                "basis": "person_" + rate["per"],
                "applies_to": rate["applies_to"],
                "code": "rate",
            }
        )
    fixed = rules.get("fixed")
    if fixed:
        for key, basis in (("per_application", "event"), ("per_partner_city", "partner_city")):
            if fixed[key] is not None:
                parts.append(
                    {
                        **plain,
                        "amount": fixed[key],
                        "basis": basis,
                        "applies_to": fixed["applies_to"],
                        "code": key,
                    }
                )
    return parts


def caps_of(rules: dict) -> list[dict]:
    """The caps of a rule set as format 2's list; format 1's one [caps] applies to all."""
    caps = rules["caps"]
    if isinstance(caps, list):
        return caps
    return [{**caps, "applies_to": list(KINDS)}]  # as format 1 always did: every kind


def covers_city(conditions: dict, city: City) -> bool:
    """Whether the rules' list of cities (``conditions.cities``), if they have one, names the
    city: by its name in the partner city register, case and spaces aside."""
    names = conditions.get("cities")
    if not names:
        return True
    return " ".join(city.name.split()).casefold() in {
        " ".join(name.split()).casefold() for name in names
    }


def _names_text(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return _("%(names)s eller %(last)s", names=", ".join(names[:-1]), last=names[-1])


class _Computation:
    def __init__(self, rules: dict, trip: Trip) -> None:
        self.rules = rules
        self.trip = trip
        self.format = format_of(rules)
        self.lines: list[Line] = []
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.parts = [part for part in parts_of(rules) if trip.kind in part["applies_to"]]

    def applies(self, component: str) -> bool:
        part = self.rules.get(component)
        return bool(part) and self.trip.kind in part["applies_to"]

    @property
    def counts_persons(self) -> bool:
        """Whether any part that applies depends on who counts."""
        share = self.rules.get("cost_share")
        return any(part["basis"] in _PERSON_BASES for part in self.parts) or (
            self.applies("cost_share") and self.share_persons(share) == "counted"
        )

    def share_persons(self, share: dict) -> str:
        return share.get("persons") or "all" if self.format >= 2 else "all"

    def run(self) -> Calculation:
        trip, rules = self.trip, self.rules
        if trip.kind not in rules["kinds"]:
            self.problem(
                "kind_not_covered",
                _("Puljens regler dækker ikke %(kind)s.", kind=kind_label(trip.kind)),
                "kind",
            )
        dates_known = trip.departure is not None and trip.return_ is not None
        if not dates_known:
            self.problem("missing_dates", _("Skriv datoerne for rejsen."), "departure_date")
        elif trip.return_ < trip.departure:
            self.problem("dates_reversed", _("Hjemrejsen ligger før afrejsen."), "return_date")
        self.count_persons()
        self.check_conditions(dates_known)
        self.check_limits(dates_known)

        for part in self.parts:
            if part["basis"] in _PERSON_BASES:
                self.person_line(part)
            elif part["basis"] == "event":
                self.event_line(part)
            else:
                self.cities_line(part)
        if self.applies("host_grant"):
            self.host_grant_line(dates_known)
        if self.applies("cost_share"):
            self.cost_share_line()
        self.caps()

        total = kroner(sum((line.amount for line in self.lines), ZERO))
        if total < 0:  # cannot happen: caps never take more than there is
            total = ZERO
        if self.problems and total > 0:
            self.notes.append(
                _(
                    "Beløbet gives kun, hvis det, reglerne ikke kan give tilskud til, bliver "
                    "rettet, eller hvis kommunen giver dispensation."
                )
            )
        return Calculation(
            lines=tuple(self.lines),
            total=total,
            problems=tuple(self.problems),
            notes=tuple(self.notes),
            counted_persons=self.young + self.leaders_counted + self.disabled_counted,
            young=self.young,
            leaders_counted=self.leaders_counted,
            leaders_allowed=self.leaders_allowed,
            disabled_counted=self.disabled_counted,
            nights=trip.nights,
            days=trip.days,
            rules_applied=tuple(rules_applied(rules, trip.kind)),
        )

    def problem(self, code: str, message: str, form_field: str | None) -> None:
        self.problems.append(Problem(code, message, form_field))

    # Who counts ---------------------------------------------------------------------------

    def count_persons(self) -> None:
        trip, persons = self.trip, self.rules["persons"]
        age_limit = persons["age_limit"]
        self.plainly_older = 0  # participants over the limit, not borderline
        if trip.birth_dates is not None or trip.birth_years is not None or trip.ages is not None:
            self.young, self.adults = self.count_from_births(age_limit)
        elif age_limit is None:
            self.young = _n(trip.participants_under_limit) + _n(trip.participants_over_limit)
            self.adults = 0
        else:
            self.young = _n(trip.participants_under_limit)
            self.adults = _n(trip.participants_over_limit)
            self.plainly_older = self.adults
        if trip.guests is not None:
            self.guests = _n(trip.guests)
        else:
            self.guests = _n(trip.host_group_size) if trip.kind == "hosting" else 0

        disabled = _n(trip.disabled_participants)
        self.disabled_counted = disabled if persons["disabled_any_age"] else 0

        leaders = _n(trip.leaders)
        self.leaders_allowed: int | None = None
        if persons["leaders"] == "all":
            self.leaders_counted = leaders
        elif persons["leaders"] == "ratio":
            base = self.young + self.disabled_counted
            per = persons["leaders_per"]
            if persons["leaders_rounding"] == "started":
                self.leaders_allowed = math.ceil(base / per)
            else:
                self.leaders_allowed = base // per
            self.leaders_counted = min(leaders, self.leaders_allowed)
            if leaders > self.leaders_allowed and self.counts_persons:
                self.notes.append(
                    ngettext(
                        "Der tæller højst %(num)d leder med (%(rule)s); I har skrevet %(given)d.",
                        "Der tæller højst %(num)d ledere med (%(rule)s); I har skrevet %(given)d.",
                        self.leaders_allowed,
                        rule=leader_rule_text(persons),
                        given=leaders,
                    )
                )
        else:
            self.leaders_counted = 0
            if leaders and self.counts_persons:
                self.notes.append(_("Ledere tæller ikke med efter puljens regler."))
        if not self.counts_persons:
            return
        if disabled and not persons["disabled_any_age"]:
            self.notes.append(
                ngettext(
                    "%(num)d deltager med handicap tæller ikke med efter puljens regler.",
                    "%(num)d deltagere med handicap tæller ikke med efter puljens regler.",
                    disabled,
                )
            )
        counts_adults = any("adult" in (part["categories"] or ()) for part in self.parts)
        if self.plainly_older and not counts_adults:
            self.notes.append(
                ngettext(
                    "%(num)d deltager over aldersgrænsen tæller ikke med.",
                    "%(num)d deltagere over aldersgrænsen tæller ikke med.",
                    self.plainly_older,
                )
            )

    def count_from_births(self, age_limit: int | None) -> tuple[int, int]:
        """The young and the adults among the participants given by age, birth date or
        birth year."""
        trip, persons = self.trip, self.rules["persons"]
        ages = list(trip.ages or ())
        births = list(trip.birth_dates or ()) + list(trip.birth_years or ()) + ages
        if age_limit is None:
            return len(births), 0
        day = trip.departure or trip.applied_on
        if day is None:
            return 0, 0
        # The first age that does not count: 25 under "under 25", 26 under "til og med 25".
        too_old = age_limit + (1 if persons.get("age_limit_inclusive") else 0)
        end_of_year = persons.get("age_on") == "end_of_year"
        known: list[int] = list(ages)
        for born in trip.birth_dates or ():
            if end_of_year:
                known.append(day.year - born.year)
            else:
                known.append(day.year - born.year - ((day.month, day.day) < (born.month, born.day)))
        borderline = 0
        for year in trip.birth_years or ():
            age = day.year - int(year)  # the birthday taken as passed: see the module doc
            known.append(age)
            if not end_of_year and age == too_old:
                borderline += 1
        young = sum(1 for age in known if age < too_old)
        adults = len(known) - young
        self.plainly_older = adults - borderline
        if borderline:
            self.notes.append(
                ngettext(
                    "%(num)d deltager fylder %(limit)d år i %(year)d og tælles ikke med. "
                    "Har deltageren fødselsdag efter afrejsen, så skriv det i ansøgningen.",
                    "%(num)d deltagere fylder %(limit)d år i %(year)d og tælles ikke med. "
                    "Har de fødselsdag efter afrejsen, så skriv det i ansøgningen.",
                    borderline,
                    limit=too_old,
                    year=day.year,
                )
            )
        return young, adults

    # What the rules cannot allow ---------------------------------------------------------

    def check_conditions(self, dates_known: bool) -> None:
        trip, conditions = self.trip, self.rules["conditions"]
        if conditions["partner_city"]:
            if not trip.partner_cities:
                self.problem(
                    "partner_city_missing",
                    _("Vælg den venskabs- eller partnerby, besøget gælder."),
                    "partner_city_id",
                )
            for city in trip.partner_cities:
                if city.relation not in conditions["partner_relations"]:
                    self.problem(
                        "relation_not_covered",
                        _(
                            "%(city)s er ikke en af de slags samarbejdsbyer, puljen giver "
                            "tilskud til.",
                            city=city.name,
                        ),
                        "partner_city_id",
                    )
                elif not covers_city(conditions, city):
                    self.problem(
                        "city_not_covered",
                        _(
                            "Puljen giver kun tilskud til besøg i %(cities)s, ikke i %(city)s.",
                            cities=_names_text(conditions["cities"]),
                            city=city.name,
                        ),
                        "partner_city_id",
                    )
                elif dates_known and not self.partner_throughout(city):
                    self.problem(
                        "not_partner",
                        self.not_partner_message(city),
                        "partner_city_id",
                    )
        organisation = trip.organisation
        if conditions["based_in_municipality"]:
            if organisation is None or organisation.based_in_municipality is None:
                self.notes.append(
                    _("Det er ikke vurderet, om organisationen hører hjemme i kommunen.")
                )
            elif not organisation.based_in_municipality:
                self.problem(
                    "not_based_in_municipality",
                    _(
                        "Organisationen hører ikke hjemme i kommunen. Puljen giver kun "
                        "tilskud til foreninger, skoler og institutioner i kommunen."
                    ),
                    "organisation_id",
                )
        if conditions["direct_contact"] and not (trip.direct_contact or "").strip():
            self.problem(
                "direct_contact_missing",
                _(
                    "Beskriv den direkte kontakt mellem de unge: hvad I skal lave sammen "
                    "med de unge fra den anden by."
                ),
                "direct_contact",
            )

    def partner_throughout(self, city: City) -> bool:
        trip = self.trip
        return city.is_partner_on(trip.departure) and city.is_partner_on(trip.return_)

    def not_partner_message(self, city: City) -> str:
        trip = self.trip
        if city.valid_to is not None and city.valid_to < trip.return_:
            return _(
                "%(city)s er ikke venskabs- eller partnerby på rejsedatoerne: samarbejdet "
                "sluttede %(date)s.",
                city=city.name,
                date=long_date(city.valid_to),
            )
        return _(
            "%(city)s er ikke venskabs- eller partnerby på rejsedatoerne: samarbejdet "
            "begynder %(date)s.",
            city=city.name,
            date=long_date(city.valid_from),
        )

    def check_limits(self, dates_known: bool) -> None:
        trip, limits = self.trip, self.rules["limits"]
        self.units_cap: dict[str, int] = {}
        max_nights, max_days = limits["max_nights"], limits["max_days"]
        caps = [
            n for n in (max_nights, None if max_days is None else max_days - 1) if n is not None
        ]
        if caps and dates_known:
            most_nights = min(caps)
            if trip.nights > most_nights:
                self.units_cap = {"night": most_nights, "day": most_nights + 1}
                if max_nights is not None and max_nights == most_nights:
                    limit_text = ngettext("højst %(num)d nat", "højst %(num)d nætter", most_nights)
                else:
                    limit_text = ngettext("højst %(num)d dag", "højst %(num)d dage", max_days)
                if limits["beyond_max"] == "refused":
                    self.problem(
                        "too_long",
                        _(
                            "Puljen giver kun tilskud til rejser på %(limit)s.",
                            limit=limit_text,
                        ),
                        "return_date",
                    )
                elif any(part["basis"] in ("person_night", "person_day") for part in self.parts):
                    # Only where nights or days are paid for: a fixed amount is not cut.
                    self.notes.append(_("Puljen giver tilskud til %(limit)s.", limit=limit_text))

        self.check_deadline()
        most_grants = limits["grants_per_organisation_per_year"]
        organisation = trip.organisation
        year_day = trip.departure or trip.applied_on
        if (
            most_grants is not None
            and organisation is not None
            and year_day is not None
            and self.grants_counted(organisation) >= most_grants
        ):
            self.problem(
                "too_many_grants",
                ngettext(
                    "Puljen giver højst %(num)d tilskud om året til samme organisation, "
                    "og organisationen har allerede fået det i %(year)s.",
                    "Puljen giver højst %(num)d tilskud om året til samme organisation, "
                    "og organisationen har allerede fået dem i %(year)s.",
                    most_grants,
                    year=year_day.year,
                ),
                "organisation_id",
            )

    def check_deadline(self) -> None:
        trip, limits = self.trip, self.rules["limits"]
        if not (trip.applied_on and trip.departure):
            return
        days = limits["days_before_travel"]
        weeks = limits.get("weeks_before_travel")
        months = limits.get("months_before_travel")
        if days is not None:
            last_day = trip.departure - dt.timedelta(days=days)
            message = ngettext(
                "Ansøgningen skal være modtaget senest %(num)d dag før afrejsen.",
                "Ansøgningen skal være modtaget senest %(num)d dage før afrejsen.",
                days,
            )
        elif weeks is not None:
            last_day = trip.departure - dt.timedelta(weeks=weeks)
            message = ngettext(
                "Ansøgningen skal være modtaget senest %(num)d uge før afrejsen.",
                "Ansøgningen skal være modtaget senest %(num)d uger før afrejsen.",
                weeks,
            )
        elif months is not None:
            last_day = months_before(trip.departure, months)
            message = ngettext(
                "Ansøgningen skal være modtaget senest %(num)d måned før afrejsen.",
                "Ansøgningen skal være modtaget senest %(num)d måneder før afrejsen.",
                months,
            )
        else:
            return
        if trip.applied_on > last_day:
            self.problem("too_late", message, "departure_date")

    def grants_counted(self, organisation: OrganisationFacts) -> int:
        """The organisation's grants this year that count towards the limit: from this fund
        (format 1), or of the kinds the rules name (format 2; the application's own kind by
        default)."""
        if self.format < 2 or organisation.grants_by_kind is None:
            return organisation.grants_this_year
        kinds = self.rules["limits"].get("grants_counted_across") or [self.trip.kind]
        return sum(organisation.grants_by_kind.get(kind, 0) for kind in kinds)

    # The parts of the subsidy -------------------------------------------------------------

    def relation(self) -> str:
        """The trip's relation: the closest of its cities' (a twin city before a partnership
        before another city), or "none" without a city."""
        relations = {city.relation for city in self.trip.partner_cities}
        for relation in RELATIONS:
            if relation in relations:
                return relation
        return "other" if relations else "none"

    def category_count(self, category: str) -> int:
        return {
            "young": self.young,
            "adult": self.adults,
            "leader": self.leaders_counted,
            "disabled": self.disabled_counted,
            "guest": self.guests,
        }[category]

    def person_line(self, part: dict) -> None:
        if self.relation() not in part["relations"]:
            return
        trip = self.trip
        basis = part["basis"]
        categories = part["categories"] or ["young", "leader", "disabled"]
        counts = [(category, self.category_count(category)) for category in categories]
        persons = sum(count for _category, count in counts)
        amount_each = Decimal(part["amount"])

        shown = [(c, n) for c, n in counts if n] or counts[:1]
        texts = [self.category_text(category, count) for category, count in shown]
        persons_text = ngettext("%(num)d person", "%(num)d personer", persons)
        who = texts[0] if len(texts) == 1 else " + ".join(texts) + " = " + persons_text

        if basis == "person_visit":
            amount = kroner(amount_each * persons)
            working = _(
                "%(who)s × %(rate)s = %(amount)s",
                who=who,
                rate=money(amount_each),
                amount=money(amount),
            )
        else:
            per_night = basis == "person_night"
            all_units = trip.nights if per_night else trip.days
            units = all_units
            unit = "night" if per_night else "day"
            if unit in self.units_cap:
                units = min(units, self.units_cap[unit])
            most = part["max_nights"] if per_night else part["max_days"]
            limited = most is not None and units > most
            if limited:
                units = most
            amount = kroner(amount_each * persons * units)
            if per_night:
                units_text = ngettext("%(num)d nat", "%(num)d nætter", units)
            else:
                units_text = ngettext("%(num)d dag", "%(num)d dage", units)
            if limited:
                # Say plainly that the rest of the stay is not paid for.
                units_text = _("%(units)s (af %(all)d)", units=units_text, all=all_units)
            working = _(
                "%(who)s × %(units)s × %(rate)s = %(amount)s",
                who=who,
                units=units_text,
                rate=money(amount_each),
                amount=money(amount),
            )
        self.lines.append(Line(self.label(part), working, amount, part["code"]))

    def category_text(self, category: str, count: int) -> str:
        if category == "young":
            if self.rules["persons"]["age_limit"] is None:
                return ngettext("%(num)d deltager", "%(num)d deltagere", count)
            return ngettext("%(num)d ung", "%(num)d unge", count)
        if category == "adult":
            return ngettext("%(num)d voksen", "%(num)d voksne", count)
        if category == "leader":
            return ngettext("%(num)d leder", "%(num)d ledere", count)
        if category == "disabled":
            return ngettext(
                "%(num)d deltager med handicap", "%(num)d deltagere med handicap", count
            )
        return ngettext("%(num)d gæst", "%(num)d gæster", count)

    def label(self, part: dict) -> str:
        if part.get("label"):
            return part["label"]
        return {
            "person_night": _("Tilskud pr. overnatning"),
            "person_day": _("Tilskud pr. dag"),
            "person_visit": _("Tilskud pr. person pr. besøg"),
            "event": _("Fast tilskud pr. ansøgning"),
            "partner_city": _("Fast tilskud pr. venskabs- eller partnerby"),
        }[part["basis"]]

    def event_line(self, part: dict) -> None:
        if self.relation() not in part["relations"]:
            return
        amount = kroner(part["amount"])
        self.lines.append(Line(self.label(part), money(amount), amount, part["code"]))

    def cities_line(self, part: dict) -> None:
        cities = [c for c in self.counted_cities() if c.relation in part["relations"]]
        most = part["max_cities"]
        beyond = most is not None and len(cities) > most
        if beyond:
            cities = cities[:most]
        if not cities:
            return
        each = kroner(part["amount"])
        amount = kroner(each * len(cities))
        cities_text = (
            ngettext("%(num)d by", "%(num)d byer", len(cities))
            + " ("
            + ", ".join(city.name for city in cities)
            + ")"
        )
        if beyond:
            cities_text = _(
                "%(cities)s, højst %(most)s",
                cities=cities_text,
                most=ngettext("%(num)d by", "%(num)d byer", most),
            )
        self.lines.append(
            Line(
                self.label(part),
                _(
                    "%(cities)s × %(each)s = %(amount)s",
                    cities=cities_text,
                    each=money(each),
                    amount=money(amount),
                ),
                amount,
                part["code"],
            )
        )

    def counted_cities(self) -> list[City]:
        """The cities a fixed amount per partner city is paid for."""
        conditions = self.rules["conditions"]
        if not conditions["partner_city"]:
            return list(self.trip.partner_cities)
        dates_known = self.trip.departure is not None and self.trip.return_ is not None
        return [
            city
            for city in self.trip.partner_cities
            if city.relation in conditions["partner_relations"]
            and covers_city(conditions, city)
            and dates_known
            and self.partner_throughout(city)
        ]

    def host_grant_line(self, dates_known: bool) -> None:
        grant = self.rules["host_grant"]
        trip = self.trip
        size_ok = (
            grant["min_group_size"] is None or _n(trip.host_group_size) >= grant["min_group_size"]
        )
        days_ok = grant["min_days"] is None or (dates_known and trip.days >= grant["min_days"])
        if not size_ok:
            self.problem(
                "host_group_too_small",
                ngettext(
                    "Værtskabstilskuddet kræver en gruppe på mindst %(num)d personer; "
                    "gruppen er på %(size)d.",
                    "Værtskabstilskuddet kræver en gruppe på mindst %(num)d personer; "
                    "gruppen er på %(size)d.",
                    grant["min_group_size"],
                    size=_n(trip.host_group_size),
                ),
                "host_group_size",
            )
        if not days_ok and dates_known:
            self.problem(
                "host_visit_too_short",
                ngettext(
                    "Værtskabstilskuddet kræver et besøg på mindst %(num)d dag; "
                    "besøget varer %(days)d.",
                    "Værtskabstilskuddet kræver et besøg på mindst %(num)d dage; "
                    "besøget varer %(days)d.",
                    grant["min_days"],
                    days=trip.days,
                ),
                "return_date",
            )
        if size_ok and days_ok:
            amount = kroner(grant["amount"])
            self.lines.append(
                Line(
                    _("Værtskabstilskud"),
                    _(
                        "Værtskab for %(persons)s i %(days)s: %(amount)s (engangsbeløb)",
                        persons=ngettext(
                            "%(num)d person", "%(num)d personer", _n(trip.host_group_size)
                        ),
                        days=ngettext("%(num)d dag", "%(num)d dage", trip.days),
                        amount=money(amount),
                    ),
                    amount,
                    "host_grant",
                )
            )

    def cost_share_line(self) -> None:
        share = self.rules["cost_share"]
        categories = share["of"]
        base = kroner(sum((max(kroner(self.trip.costs.get(c)), ZERO) for c in categories), ZERO))
        percent = Decimal(share["percent"])
        counted = self.young + self.leaders_counted + self.disabled_counted
        everyone = (
            self.young + self.adults + _n(self.trip.leaders) + _n(self.trip.disabled_participants)
        )
        if self.share_persons(share) == "counted" and everyone and counted < everyone:
            # The cost of the persons who count: the cost is taken as shared evenly.
            amount = kroner(base * counted / everyone * percent / 100)
            working = _(
                "%(percent)s %% af %(base)s (%(what)s) for %(counted)d af %(everyone)s "
                "= %(amount)s",
                percent=percent_text(percent),
                base=money(base),
                what=categories_text(categories),
                counted=counted,
                everyone=ngettext("%(num)d deltager", "%(num)d deltagere", everyone),
                amount=money(amount),
            )
        else:
            amount = kroner(base * percent / 100)
            working = _(
                "%(percent)s %% af %(base)s (%(what)s) = %(amount)s",
                percent=percent_text(percent),
                base=money(base),
                what=categories_text(categories),
                amount=money(amount),
            )
        if share["cap"] is not None and amount > Decimal(share["cap"]):
            amount = kroner(share["cap"])
            working = _("%(working)s, højst %(cap)s", working=working, cap=money(amount))
        self.lines.append(Line(_("Andel af udgifterne"), working, amount, "cost_share"))

    def caps(self) -> None:
        for cap in caps_of(self.rules):
            if self.trip.kind in (cap.get("applies_to") or ()):
                self.cap_lines(cap)

    def cap_lines(self, caps: dict) -> None:
        trip = self.trip
        organisation = trip.organisation
        steps = [
            ("cap_per_application", caps["per_application"], ZERO, _("Loft pr. ansøgning")),
            (
                "cap_per_event",
                caps["per_event"],
                kroner(trip.granted_for_event),
                _("Loft pr. arrangement"),
            ),
            (
                "cap_per_organisation_per_year",
                caps["per_organisation_per_year"],
                kroner(organisation.granted_amount_this_year) if organisation else ZERO,
                _("Loft pr. organisation pr. år"),
            ),
        ]
        for code, cap, already, label in steps:
            if cap is None:
                continue
            running = sum((line.amount for line in self.lines), ZERO)
            room = max(kroner(cap) - already, ZERO)
            if running <= room:
                continue
            if already:
                working = _(
                    "%(label)s: %(cap)s, heraf allerede bevilget %(already)s",
                    label=label,
                    cap=money(kroner(cap)),
                    already=money(already),
                )
            else:
                working = _("%(label)s: %(cap)s", label=label, cap=money(kroner(cap)))
            self.lines.append(Line(label, working, kroner(room - running), code))


def _n(value) -> int:
    """A count as the rules use it: a whole number, never below zero."""
    try:
        return max(int(value or 0), 0)
    except (TypeError, ValueError):
        return 0
