"""A rule set's worked examples ([[examples]] in the rule file): the facts of an application
and what the rules must give for it. ``failures`` runs them when a file is read (import, the
administrator's editor): one that gives another amount or other problems refuses the rule
set. ``run`` gives each example with what the rules give, and ``described`` says its facts
in plain words, for the fund's public page ("what you would get"). Pure Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext

from grants.core.formatting import long_date, money
from grants.subsidies.engine import compute
from grants.subsidies.facts import City, OrganisationFacts, Trip
from grants.subsidies.result import Calculation
from grants.subsidies.vocabulary import RuleError
from grants.subsidies.wording import category_label, kind_label

#: Without ``applied_on``, an example's application arrives this many days before departure.
DAYS_AHEAD = 60


@dataclass(frozen=True)
class Outcome:
    """One example run: what it expects and what the rules gave."""

    number: int  # 1 for the first [[examples]]
    example: dict
    calculation: Calculation

    @property
    def expected_problems(self) -> list[str]:
        return sorted(self.example.get("expect_problems") or [])

    @property
    def got_problems(self) -> list[str]:
        return sorted({problem.code for problem in self.calculation.problems})

    @property
    def passed(self) -> bool:
        expect = self.example.get("expect")
        if expect is not None and self.calculation.total != Decimal(expect):
            return False
        return self.got_problems == self.expected_problems


def trip_of(example: dict, rules: dict) -> Trip:
    """The facts of an example as the engine reads them."""
    departure = dt.date.fromisoformat(example["departure"])
    applied_on = example.get("applied_on")
    grants = example.get("grants_this_year") or 0
    kind = example.get("kind") or (rules.get("kinds") or ["trip"])[0]
    return Trip(
        kind=kind,
        departure=departure,
        return_=dt.date.fromisoformat(example["return"]),
        participants_under_limit=example.get("young") or 0,
        participants_over_limit=example.get("adults") or 0,
        ages=None if example.get("ages") is None else tuple(example["ages"]),
        birth_years=None if example.get("birth_years") is None else tuple(example["birth_years"]),
        leaders=example.get("leaders") or 0,
        disabled_participants=example.get("disabled") or 0,
        guests=example.get("guests"),
        host_group_size=example.get("guests") or 0,
        partner_cities=tuple(
            City(city["name"], "", city["relation"]) for city in example.get("cities") or []
        ),
        costs={k: Decimal(v) for k, v in (example.get("costs") or {}).items()},
        organisation=OrganisationFacts(
            based_in_municipality=example.get("based_in_municipality", True),
            grants_this_year=grants,
            # An example's earlier grants are of its own kind.
            grants_by_kind={kind: grants},
        ),
        applied_on=dt.date.fromisoformat(applied_on)
        if applied_on
        else departure - dt.timedelta(days=DAYS_AHEAD),
        direct_contact="x" if example.get("direct_contact", True) else "",
    )


def run(rules: dict) -> list[Outcome]:
    """Every example of the rules, run."""
    return [
        Outcome(number, example, compute(rules, trip_of(example, rules)))
        for number, example in enumerate(rules.get("examples") or [], start=1)
    ]


def failures(rules: dict) -> list[RuleError]:
    """An error for each example the rules do not give as it says (expected against got),
    and for an example that says nothing to expect."""
    errors = []
    for number, example in enumerate(rules.get("examples") or [], start=1):
        path = f"examples[{number}]"
        if example.get("expect") is None and example.get("expect_problems") is None:
            errors.append(RuleError(path, _("angiv expect (beløbet) og/eller expect_problems")))
            continue
        try:
            outcome = Outcome(number, example, compute(rules, trip_of(example, rules)))
        except (TypeError, ValueError, KeyError):  # facts the validation let through wrong
            errors.append(RuleError(path, _("eksemplet kan ikke regnes")))
            continue
        if not outcome.passed:
            errors.append(RuleError(path, mismatch(outcome)))
    return errors


def mismatch(outcome: Outcome) -> str:
    """Why an example fails, in the administrator's language: expected against got."""
    calculation = outcome.calculation
    parts = []
    expect = outcome.example.get("expect")
    if expect is not None and calculation.total != Decimal(expect):
        parts.append(
            _(
                "forventet %(expected)s, men reglerne giver %(got)s",
                expected=money(Decimal(expect)),
                got=money(calculation.total),
            )
        )
    if outcome.got_problems != outcome.expected_problems:
        parts.append(
            _(
                "forventede problemer: %(expected)s; reglerne giver: %(got)s",
                expected=", ".join(outcome.expected_problems) or _("ingen"),
                got="; ".join(
                    f"{problem.code} ({problem.message})" for problem in calculation.problems
                )
                or _("ingen"),
            )
        )
    return _(
        "eksemplet »%(title)s« holder ikke: %(why)s",
        title=outcome.example.get("title", ""),
        why="; ".join(parts),
    )


def described(example: dict, rules: dict) -> list[str]:
    """An example's facts in plain words, for an applicant."""
    trip = trip_of(example, rules)
    facts = [kind_label(trip.kind).capitalize()]
    if trip.partner_cities:
        facts.append(", ".join(city.name for city in trip.partner_cities))
    facts.append(
        _(
            "%(start)s til %(end)s (%(nights)s)",
            start=long_date(trip.departure),
            end=long_date(trip.return_),
            nights=ngettext("%(num)d nat", "%(num)d nætter", trip.nights),
        )
    )
    who = []
    if trip.ages is not None:
        who.append(_("deltagere på %(ages)s år", ages=", ".join(str(age) for age in trip.ages)))
    if trip.birth_years is not None:
        who.append(
            _(
                "deltagere født i %(years)s",
                years=", ".join(str(year) for year in trip.birth_years),
            )
        )
    if trip.participants_under_limit:
        who.append(ngettext("%(num)d ung", "%(num)d unge", trip.participants_under_limit))
    if trip.participants_over_limit:
        who.append(ngettext("%(num)d voksen", "%(num)d voksne", trip.participants_over_limit))
    if trip.leaders:
        who.append(ngettext("%(num)d leder", "%(num)d ledere", trip.leaders))
    if trip.disabled_participants:
        who.append(
            ngettext(
                "%(num)d deltager med handicap",
                "%(num)d deltagere med handicap",
                trip.disabled_participants,
            )
        )
    if trip.guests:
        who.append(ngettext("%(num)d gæst", "%(num)d gæster", trip.guests))
    if who:
        facts.append(", ".join(who))
    if trip.costs:
        facts.append(
            _(
                "udgifter: %(costs)s",
                costs=", ".join(
                    f"{category_label(category)} {money(amount)}"
                    for category, amount in trip.costs.items()
                ),
            )
        )
    if example.get("applied_on"):
        facts.append(_("søgt %(date)s", date=long_date(trip.applied_on)))
    if example.get("grants_this_year"):
        facts.append(
            ngettext(
                "organisationen har fået %(num)d tilskud i år",
                "organisationen har fået %(num)d tilskud i år",
                example["grants_this_year"],
            )
        )
    if example.get("based_in_municipality") is False:
        facts.append(_("organisationen hører ikke hjemme i kommunen"))
    return facts
