"""Ballerup's rules (the shipped files) on a table of cases at their edges. The engine is pure:
these tests need no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from grants.subsidies.engine import compute
from grants.subsidies.facts import City, OrganisationFacts, Trip
from tests.subsidies.helpers import ballerup_rules

YOUTH = ballerup_rules("ungdomsrejser")
HOSTING = ballerup_rules("vaertskab")
WUXI = ballerup_rules("wuxi")

DEPARTURE = dt.date(2026, 7, 1)
PRAGUE = City("Prag 10", "CZ", "twin_city", dt.date(2014, 8, 25))
HERE = OrganisationFacts(based_in_municipality=True)


def trip(**overrides) -> Trip:
    """A youth trip to Prague that the rules allow: 5 nights, 12 young people, 2 leaders."""
    values = dict(
        kind="trip",
        departure=DEPARTURE,
        return_=DEPARTURE + dt.timedelta(days=5),
        participants_under_limit=12,
        leaders=2,
        partner_cities=(PRAGUE,),
        organisation=HERE,
        applied_on=DEPARTURE - dt.timedelta(days=60),
        direct_contact="Fælles koncert og workshops med Prag 10's ungdomsorkester.",
    )
    values.update(overrides)
    return Trip(**values)


def born(years: int, days: int = 0) -> dt.date:
    """The birth date of someone who is ``years`` old on the departure date, ``days`` after
    their birthday."""
    return DEPARTURE.replace(year=DEPARTURE.year - years) - dt.timedelta(days=days)


def codes(calculation) -> set[str]:
    return {problem.code for problem in calculation.problems}


def test_the_working_of_the_issue_example():
    calculation = compute(YOUTH, trip())

    assert calculation.eligible, calculation.problems
    [line] = calculation.lines
    assert line.working == (
        "12 unge + 2 ledere = 14 personer × 5 nætter × 100,00 kr. = 7.000,00 kr."
    )
    assert line.amount == calculation.total == Decimal("7000.00")
    assert (calculation.counted_persons, calculation.nights, calculation.days) == (14, 5, 6)
    assert "100,00 kr. pr. person pr. overnatning" in calculation.rules_applied


@pytest.mark.parametrize(
    ("participants", "leaders", "allowed", "counted_persons"),
    [
        (1, 1, 1, 2),
        (7, 3, 1, 8),  # 7 participants give 1 leader ...
        (8, 3, 2, 10),  # ... and 8 give 2: one per started 7
        (14, 3, 2, 16),
        (15, 3, 3, 18),
        (8, 1, 2, 9),  # fewer leaders than allowed: those there are
        (0, 2, 0, 0),  # leaders alone do not count
    ],
)
def test_one_leader_per_started_seven_participants(participants, leaders, allowed, counted_persons):
    calculation = compute(YOUTH, trip(participants_under_limit=participants, leaders=leaders))

    assert calculation.leaders_allowed == allowed
    assert calculation.counted_persons == counted_persons
    assert calculation.total == Decimal(counted_persons * 5 * 100)


def test_leaders_beyond_the_ratio_are_named_in_a_note():
    calculation = compute(YOUTH, trip(participants_under_limit=7, leaders=3))

    assert calculation.leaders_counted == 1
    assert calculation.notes == (
        "Der tæller højst 1 leder med (1 leder pr. påbegyndte 7 deltagere); I har skrevet 3.",
    )


def test_per_full_seven_is_a_rule_option():
    rules = {**YOUTH, "persons": {**YOUTH["persons"], "leaders_rounding": "full"}}

    assert compute(rules, trip(participants_under_limit=13, leaders=3)).leaders_allowed == 1
    assert compute(rules, trip(participants_under_limit=14, leaders=3)).leaders_allowed == 2
    assert compute(rules, trip(participants_under_limit=6, leaders=3)).leaders_allowed == 0


@pytest.mark.parametrize(
    ("birth_date", "counts"),
    [
        (born(24), True),
        (born(24, days=364), True),  # 25 tomorrow: still 24 on the day
        (born(25), False),  # 25 on the departure day
        (born(25, days=100), False),
        (born(12), True),
    ],
)
def test_under_25_on_the_travel_date(birth_date, counts):
    calculation = compute(YOUTH, trip(birth_dates=(birth_date,), leaders=0))

    assert calculation.young == int(counts)
    assert calculation.total == Decimal(500 if counts else 0)


def test_with_birth_years_only_the_birthday_is_taken_as_passed():
    # Departure in 2026: born 2002 is 24 (counts); born 2001 is taken as 25 (does not),
    # though they may still be 24 if their birthday is after departure: a note says so.
    calculation = compute(YOUTH, trip(birth_years=(2002, 2001, 2010), leaders=0))

    assert calculation.young == 2
    assert calculation.notes == (
        "1 deltager fylder 25 år i 2026 og tælles ikke med. Har deltageren fødselsdag efter "
        "afrejsen, så skriv det i ansøgningen.",
    )


def test_birth_years_replace_the_count_of_young_people():
    calculation = compute(YOUTH, trip(participants_under_limit=12, birth_years=(2010, 2011)))

    assert calculation.young == 2


def test_a_disabled_participant_aged_40_counts():
    calculation = compute(
        YOUTH,
        trip(
            birth_dates=(born(16),) * 6 + (born(40),),  # the 40-year-old is not under 25 ...
            disabled_participants=1,  # ... but counts as a disabled participant
            leaders=1,
        ),
    )

    assert (calculation.young, calculation.disabled_counted) == (6, 1)
    assert calculation.leaders_allowed == 1  # 7 counted participants
    assert calculation.counted_persons == 8
    assert calculation.lines[0].working == (
        "6 unge + 1 leder + 1 deltager med handicap = 8 personer × 5 nætter × 100,00 kr. "
        "= 4.000,00 kr."
    )


def test_disabled_participants_count_towards_the_leaders():
    calculation = compute(
        YOUTH, trip(participants_under_limit=7, disabled_participants=1, leaders=2)
    )

    assert calculation.leaders_allowed == 2
    assert calculation.counted_persons == 10


def hosting(**overrides) -> Trip:
    values = dict(
        kind="hosting",
        departure=DEPARTURE,
        return_=DEPARTURE + dt.timedelta(days=4),  # 5 days, arrival and departure day included
        host_group_size=12,
        partner_cities=(PRAGUE,),
        organisation=HERE,
        direct_contact="De besøgende bor hos orkesterets medlemmer og spiller med dem.",
    )
    values.update(overrides)
    return Trip(**values)


def test_the_host_grant_at_12_persons_for_5_days():
    calculation = compute(HOSTING, hosting())

    assert calculation.eligible, calculation.problems
    assert calculation.total == Decimal("5000.00")
    assert calculation.lines[0].working == (
        "Værtskab for 12 personer i 5 dage: 5.000,00 kr. (engangsbeløb)"
    )


def test_no_host_grant_at_11_persons():
    calculation = compute(HOSTING, hosting(host_group_size=11))

    assert calculation.total == 0
    assert codes(calculation) == {"host_group_too_small"}
    assert calculation.problems[0].field == "host_group_size"
    assert calculation.problems[0].message == (
        "Værtskabstilskuddet kræver en gruppe på mindst 12 personer; gruppen er på 11."
    )


def test_no_host_grant_for_4_days():
    calculation = compute(HOSTING, hosting(return_=DEPARTURE + dt.timedelta(days=3)))

    assert calculation.total == 0
    assert codes(calculation) == {"host_visit_too_short"}


def test_the_host_grant_is_once_whatever_the_group_and_length():
    calculation = compute(
        HOSTING, hosting(host_group_size=40, return_=DEPARTURE + dt.timedelta(days=13))
    )

    assert calculation.total == Decimal("5000.00")


def test_the_youth_rules_do_not_cover_hosting():
    assert "kind_not_covered" in codes(compute(YOUTH, hosting()))


def test_a_city_that_stopped_being_a_partner_before_the_travel_date():
    former = City("Gammel By", "DE", "partnership", dt.date(2014, 8, 25), dt.date(2026, 6, 30))

    calculation = compute(YOUTH, trip(partner_cities=(former,)))

    assert codes(calculation) == {"not_partner"}
    assert not calculation.eligible
    assert calculation.allowed_total == 0
    assert calculation.problems[0].message == (
        "Gammel By er ikke venskabs- eller partnerby på rejsedatoerne: samarbejdet sluttede "
        "30. juni 2026."
    )
    assert calculation.problems[0].field == "partner_city_id"


def test_a_city_that_stops_being_a_partner_during_the_trip():
    leaving = City("Gammel By", "DE", "partnership", dt.date(2014, 8, 25), dt.date(2026, 7, 3))

    assert codes(compute(YOUTH, trip(partner_cities=(leaving,)))) == {"not_partner"}


def test_a_city_that_is_a_partner_until_the_return_day():
    until_return = City("By", "DE", "partnership", dt.date(2014, 8, 25), dt.date(2026, 7, 6))

    assert compute(YOUTH, trip(partner_cities=(until_return,))).eligible


def test_a_city_that_becomes_a_partner_after_the_trip():
    future = City("Ny By", "SE", "partnership", dt.date(2027, 1, 1))

    calculation = compute(YOUTH, trip(partner_cities=(future,)))

    assert codes(calculation) == {"not_partner"}
    assert "begynder 1. januar 2027" in calculation.problems[0].message


def test_an_ordinary_city_is_not_a_partner():
    assert codes(compute(YOUTH, trip(partner_cities=()))) == {"partner_city_missing"}
    other = City("Paris", "FR", "other", dt.date(2000, 1, 1))
    assert codes(compute(YOUTH, trip(partner_cities=(other,)))) == {"relation_not_covered"}


def test_an_organisation_not_based_in_the_municipality():
    calculation = compute(YOUTH, trip(organisation=OrganisationFacts(based_in_municipality=False)))

    assert codes(calculation) == {"not_based_in_municipality"}
    assert calculation.problems[0].message.startswith(
        "Organisationen hører ikke hjemme i kommunen."
    )


def test_a_missing_description_of_direct_contact():
    assert codes(compute(YOUTH, trip(direct_contact="  "))) == {"direct_contact_missing"}


def test_without_organisation_facts_the_condition_is_not_judged_but_said():
    calculation = compute(YOUTH, trip(organisation=None))

    assert calculation.eligible
    assert "Det er ikke vurderet, om organisationen hører hjemme i kommunen." in calculation.notes


def test_missing_or_reversed_dates():
    assert "missing_dates" in codes(compute(YOUTH, trip(return_=None)))
    calculation = compute(YOUTH, trip(return_=DEPARTURE - dt.timedelta(days=1)))
    assert "dates_reversed" in codes(calculation)
    assert calculation.total == 0


def test_the_wuxi_exchange_uses_the_same_rate():
    wuxi = City("Wuxi", "CN", "partnership", dt.date(2014, 8, 25))

    calculation = compute(WUXI, trip(kind="exchange", partner_cities=(wuxi,)))

    assert calculation.eligible, calculation.problems
    assert calculation.total == Decimal("7000.00")
    # Wuxi's fund is for the partnership with Wuxi, not for the twin cities.
    assert "relation_not_covered" in codes(compute(WUXI, trip(kind="exchange")))


@pytest.mark.parametrize(
    "city",
    [
        City("Brandenburg an der Havel", "DE", "partnership", dt.date(2014, 8, 25)),
        City("Ystad", "SE", "partnership", dt.date(2020, 1, 1)),
    ],
)
def test_the_wuxi_exchange_is_for_wuxi_not_for_every_partnership(city):
    """The 159,000 kr. are for school pupils' exchange with Wuxi (the international strategy,
    2014): a trip to another partnership city is not covered, though it is a partnership."""
    calculation = compute(WUXI, trip(kind="exchange", partner_cities=(city,)))

    assert "city_not_covered" in codes(calculation)
    assert not calculation.eligible
    [problem] = [p for p in calculation.problems if p.code == "city_not_covered"]
    assert problem.field == "partner_city_id" and city.name in problem.message
    # The youth fund still covers it.
    assert compute(YOUTH, trip(partner_cities=(city,))).eligible


def test_the_wuxi_exchange_names_its_city_in_the_rules_applied():
    wuxi = City("Wuxi", "CN", "partnership", dt.date(2014, 8, 25))
    calculation = compute(WUXI, trip(kind="exchange", partner_cities=(wuxi,)))
    assert any("Wuxi" in text for text in calculation.rules_applied), calculation.rules_applied
