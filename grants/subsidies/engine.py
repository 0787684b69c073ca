"""The subsidy engine: a rule set and the facts of a trip give the amount, its working line by
line, and what the rules cannot allow. Pure Python: no database, no request.

``rules`` are normalised rules (``rulefile.parse``); ``compute(rules, trip)`` is deterministic
and never raises on odd facts: a fact the rules cannot allow becomes a ``Problem``.

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

import math
from dataclasses import replace
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext

from grants.core.formatting import long_date, money
from grants.core.money import ZERO, kroner
from grants.subsidies.facts import City, Trip
from grants.subsidies.result import Calculation, Line, Problem
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


class _Computation:
    def __init__(self, rules: dict, trip: Trip) -> None:
        self.rules = rules
        self.trip = trip
        self.lines: list[Line] = []
        self.problems: list[Problem] = []
        self.notes: list[str] = []

    def applies(self, component: str) -> bool:
        part = self.rules.get(component)
        return bool(part) and self.trip.kind in part["applies_to"]

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

        if self.applies("rate"):
            self.rate_line()
        if self.applies("fixed"):
            self.fixed_lines()
        if self.applies("host_grant"):
            self.host_grant_line(dates_known)
        if self.applies("cost_share"):
            self.cost_share_line()
        self.caps()

        total = kroner(sum((line.amount for line in self.lines), ZERO))
        if total < 0:  # cannot happen: caps never take more than there is
            total = ZERO
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
        if trip.birth_dates is not None or trip.birth_years is not None:
            self.young = self.count_from_births(age_limit)
        elif age_limit is None:
            self.young = _n(trip.participants_under_limit) + _n(trip.participants_over_limit)
        else:
            self.young = _n(trip.participants_under_limit)

        self.disabled_counted = _n(trip.disabled_participants) if persons["disabled_any_age"] else 0

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
            if leaders > self.leaders_allowed:
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
            if leaders and self.rules.get("rate"):
                self.notes.append(_("Ledere tæller ikke med efter puljens regler."))

    def count_from_births(self, age_limit: int | None) -> int:
        trip = self.trip
        births = list(trip.birth_dates or ()) + list(trip.birth_years or ())
        if age_limit is None:
            return len(births)
        day = trip.departure or trip.applied_on
        if day is None:
            return 0
        counted = 0
        borderline = 0
        for born in trip.birth_dates or ():
            age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
            counted += age < age_limit
        for year in trip.birth_years or ():
            age = day.year - int(year)  # the birthday taken as passed: see the module doc
            counted += age < age_limit
            borderline += age == age_limit
        if borderline:
            self.notes.append(
                ngettext(
                    "%(num)d deltager fylder %(limit)d år i %(year)d og tælles ikke med. "
                    "Har deltageren fødselsdag efter afrejsen, så skriv det i ansøgningen.",
                    "%(num)d deltagere fylder %(limit)d år i %(year)d og tælles ikke med. "
                    "Har de fødselsdag efter afrejsen, så skriv det i ansøgningen.",
                    borderline,
                    limit=age_limit,
                    year=day.year,
                )
            )
        return counted

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
                else:
                    self.notes.append(_("Puljen giver tilskud til %(limit)s.", limit=limit_text))

        days_before = limits["days_before_travel"]
        if days_before is not None and trip.applied_on and trip.departure:
            left = (trip.departure - trip.applied_on).days
            if left < days_before:
                self.problem(
                    "too_late",
                    ngettext(
                        "Ansøgningen skal være modtaget senest %(num)d dag før afrejsen.",
                        "Ansøgningen skal være modtaget senest %(num)d dage før afrejsen.",
                        days_before,
                    ),
                    "departure_date",
                )

        most_grants = limits["grants_per_organisation_per_year"]
        organisation = trip.organisation
        year_day = trip.departure or trip.applied_on
        if (
            most_grants is not None
            and organisation is not None
            and year_day is not None
            and organisation.grants_this_year >= most_grants
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

    # The parts of the subsidy -------------------------------------------------------------

    def rate_line(self) -> None:
        rate = self.rules["rate"]
        trip = self.trip
        per_night = rate["per"] == "night"
        units = trip.nights if per_night else trip.days
        unit = "night" if per_night else "day"
        if unit in self.units_cap:
            units = min(units, self.units_cap[unit])
        amount_each = Decimal(rate["amount"])
        persons = self.young + self.leaders_counted + self.disabled_counted
        amount = kroner(amount_each * persons * units)

        parts = []
        if self.young or not (self.leaders_counted or self.disabled_counted):
            if self.rules["persons"]["age_limit"] is None:
                parts.append(ngettext("%(num)d deltager", "%(num)d deltagere", self.young))
            else:
                parts.append(ngettext("%(num)d ung", "%(num)d unge", self.young))
        if self.leaders_counted:
            parts.append(ngettext("%(num)d leder", "%(num)d ledere", self.leaders_counted))
        if self.disabled_counted:
            parts.append(
                ngettext(
                    "%(num)d deltager med handicap",
                    "%(num)d deltagere med handicap",
                    self.disabled_counted,
                )
            )
        persons_text = ngettext("%(num)d person", "%(num)d personer", persons)
        if len(parts) == 1:
            who = parts[0]
        else:
            who = " + ".join(parts) + " = " + persons_text
        if per_night:
            units_text = ngettext("%(num)d nat", "%(num)d nætter", units)
        else:
            units_text = ngettext("%(num)d dag", "%(num)d dage", units)
        self.lines.append(
            Line(
                _("Tilskud pr. overnatning") if per_night else _("Tilskud pr. dag"),
                _(
                    "%(who)s × %(units)s × %(rate)s = %(amount)s",
                    who=who,
                    units=units_text,
                    rate=money(amount_each),
                    amount=money(amount),
                ),
                amount,
                "rate",
            )
        )

    def fixed_lines(self) -> None:
        fixed = self.rules["fixed"]
        if fixed["per_application"] is not None:
            amount = kroner(fixed["per_application"])
            self.lines.append(
                Line(_("Fast tilskud pr. ansøgning"), money(amount), amount, "per_application")
            )
        if fixed["per_partner_city"] is not None:
            cities = self.counted_cities()
            if cities:
                each = kroner(fixed["per_partner_city"])
                amount = kroner(each * len(cities))
                self.lines.append(
                    Line(
                        _("Fast tilskud pr. venskabs- eller partnerby"),
                        _(
                            "%(cities)s × %(each)s = %(amount)s",
                            cities=ngettext("%(num)d by", "%(num)d byer", len(cities))
                            + " ("
                            + ", ".join(city.name for city in cities)
                            + ")",
                            each=money(each),
                            amount=money(amount),
                        ),
                        amount,
                        "per_partner_city",
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
        caps, trip = self.rules["caps"], self.trip
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
