"""The facts of a trip that the subsidy engine reads: the trip, its partner city and the
organisation's grants so far, and how they are kept as plain dicts (``Calculation.facts``).
Pure Python: no database, no request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from grants.core.money import ZERO


@dataclass(frozen=True)
class City:
    """A partner city as the rules see it: its relation and the dates it holds."""

    name: str
    country: str = ""
    relation: str = "twin_city"
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def is_partner_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def as_facts(self) -> dict:
        return {
            "name": self.name,
            "country": self.country,
            "relation": self.relation,
            "valid_from": _iso(self.valid_from),
            "valid_to": _iso(self.valid_to),
        }

    @classmethod
    def from_facts(cls, facts: dict) -> City:
        return cls(
            name=facts["name"],
            country=facts.get("country", ""),
            relation=facts.get("relation", "twin_city"),
            valid_from=_date(facts.get("valid_from")),
            valid_to=_date(facts.get("valid_to")),
        )

    @classmethod
    def of(cls, partner_city) -> City:
        """From a ``grants.partners.models.PartnerCity``."""
        return cls(
            name=partner_city.name,
            country=partner_city.country,
            relation=str(partner_city.relation),
            valid_from=partner_city.valid_from,
            valid_to=partner_city.valid_to,
        )


@dataclass(frozen=True)
class OrganisationFacts:
    """What the rules ask about the applying organisation. ``None`` means not known."""

    based_in_municipality: bool | None = None
    grants_this_year: int = 0  # grants from this fund, in the year of departure
    granted_amount_this_year: Decimal = ZERO
    # Grants from every fund in the year of departure, by the kind of application (trip,
    # hosting, exchange): what format 2's limits.grants_counted_across counts. None: unknown
    # (then the grants from this fund count).
    grants_by_kind: Mapping[str, int] | None = None

    def as_facts(self) -> dict:
        facts = {
            "based_in_municipality": self.based_in_municipality,
            "grants_this_year": self.grants_this_year,
            "granted_amount_this_year": str(self.granted_amount_this_year),
        }
        if self.grants_by_kind is not None:
            facts["grants_by_kind"] = dict(self.grants_by_kind)
        return facts

    @classmethod
    def from_facts(cls, facts: dict) -> OrganisationFacts:
        by_kind = facts.get("grants_by_kind")
        return cls(
            based_in_municipality=facts.get("based_in_municipality"),
            grants_this_year=int(facts.get("grants_this_year", 0)),
            granted_amount_this_year=Decimal(facts.get("granted_amount_this_year", "0")),
            grants_by_kind=None if by_kind is None else {k: int(v) for k, v in by_kind.items()},
        )


@dataclass(frozen=True)
class Trip:
    """The facts of one application: a trip abroad, the hosting of a visiting group, or an
    exchange. For hosting, ``departure`` and ``return_`` are the visitors' arrival and
    departure, and the participants are the visitors."""

    kind: str = "trip"
    departure: dt.date | None = None
    return_: dt.date | None = None
    participants_under_limit: int = 0
    participants_over_limit: int = 0
    # Instead of the two counts: every participant who is neither a leader nor disabled.
    birth_dates: tuple[dt.date, ...] | None = None
    birth_years: tuple[int, ...] | None = None
    # Or their ages on the day the rules measure them (a rule file's worked examples).
    ages: tuple[int, ...] | None = None
    leaders: int = 0
    disabled_participants: int = 0  # of any age
    partner_cities: tuple[City, ...] = ()
    costs: Mapping[str, Decimal] = field(default_factory=dict)
    organisation: OrganisationFacts | None = None
    applied_on: dt.date | None = None
    direct_contact: str = ""
    host_group_size: int = 0
    # Already granted to other applications for the same event (for the cap per event).
    granted_for_event: Decimal = ZERO
    # The visitors (format 2's category "guest"); None: on a hosting application, the
    # visiting group (host_group_size), otherwise none.
    guests: int | None = None

    def as_facts(self) -> dict:
        """The trip as plain values, to keep with a case: with the rule set, the working can
        be written again in any reader's language (``from_facts``)."""
        return {
            "kind": self.kind,
            "departure": _iso(self.departure),
            "return": _iso(self.return_),
            "participants_under_limit": self.participants_under_limit,
            "participants_over_limit": self.participants_over_limit,
            "birth_dates": None
            if self.birth_dates is None
            else [day.isoformat() for day in self.birth_dates],
            "birth_years": None if self.birth_years is None else list(self.birth_years),
            **({} if self.ages is None else {"ages": list(self.ages)}),
            "leaders": self.leaders,
            "disabled_participants": self.disabled_participants,
            "partner_cities": [city.as_facts() for city in self.partner_cities],
            "costs": {category: str(amount) for category, amount in self.costs.items()},
            "organisation": None if self.organisation is None else self.organisation.as_facts(),
            "applied_on": _iso(self.applied_on),
            "has_direct_contact": bool((self.direct_contact or "").strip()),
            "host_group_size": self.host_group_size,
            "granted_for_event": str(self.granted_for_event),
            **({} if self.guests is None else {"guests": self.guests}),
        }

    @classmethod
    def from_facts(cls, facts: dict) -> Trip:
        return cls(
            kind=facts.get("kind", "trip"),
            departure=_date(facts.get("departure")),
            return_=_date(facts.get("return")),
            participants_under_limit=facts.get("participants_under_limit", 0),
            participants_over_limit=facts.get("participants_over_limit", 0),
            birth_dates=None
            if facts.get("birth_dates") is None
            else tuple(dt.date.fromisoformat(day) for day in facts["birth_dates"]),
            birth_years=None if facts.get("birth_years") is None else tuple(facts["birth_years"]),
            ages=None if facts.get("ages") is None else tuple(facts["ages"]),
            leaders=facts.get("leaders", 0),
            disabled_participants=facts.get("disabled_participants", 0),
            partner_cities=tuple(City.from_facts(c) for c in facts.get("partner_cities", [])),
            costs={k: Decimal(v) for k, v in (facts.get("costs") or {}).items()},
            organisation=None
            if facts.get("organisation") is None
            else OrganisationFacts.from_facts(facts["organisation"]),
            applied_on=_date(facts.get("applied_on")),
            # Only whether it is described counts for the rules; the text stays on the case.
            direct_contact="x" if facts.get("has_direct_contact") else "",
            host_group_size=facts.get("host_group_size", 0),
            granted_for_event=Decimal(facts.get("granted_for_event", "0")),
            guests=facts.get("guests"),
        )

    @property
    def nights(self) -> int:
        if self.departure is None or self.return_ is None:
            return 0
        return max((self.return_ - self.departure).days, 0)

    @property
    def days(self) -> int:
        if self.departure is None or self.return_ is None:
            return 0
        return self.nights + 1


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the month's last day if it has no
    such day: 31 March less one month is 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
