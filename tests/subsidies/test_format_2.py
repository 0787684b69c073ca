"""Format 2 of the rule file (issue 20 points 1-7): rates by relation and category, every
basis and combinations, caps on what is counted, a cost share of the counted persons, caps
per kind, one grant a year across kinds, deadlines in weeks and months, age limits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from grants.subsidies import rulefile
from grants.subsidies.engine import compute
from grants.subsidies.facts import City, OrganisationFacts, Trip
from grants.subsidies.rulefile import RuleFileError
from tests.subsidies.helpers import TRIP_DEPARTURE, rule_set, trip_to

DEPARTURE = TRIP_DEPARTURE
PRAGUE = City("Prag 10", "CZ", "twin_city")
WUXI = City("Wuxi", "CN", "partnership")
LYON = City("Lyon", "FR", "other")
# The start of a format 2 rule file (its errors are told by line: these are lines 1 to 4),
# and that with one rate (lines 1 to 8).
HEADER = """\
format = 2
name = "Regler"
valid_from = 2026-01-01

"""
ONE_EVENT_RATE = (
    HEADER
    + """\
[[rates]]
amount = 1
basis = "event"

"""
)


def rules(**sections) -> dict:
    return rule_set(2, **sections)


def trip(nights: int = 5, **overrides) -> Trip:
    return trip_to(PRAGUE, nights, **overrides)


def errors_of(source: str) -> list[str]:
    with pytest.raises(RuleFileError) as refused:
        rulefile.parse(source)
    return [str(error) for error in refused.value.errors]


PERSONS = {"age_limit": 25, "leaders": "ratio", "leaders_per": 7}


# Point 1: rates by the partner city's relation and by category ------------------------------


def test_a_rate_for_twin_cities_and_another_for_other_cities_never_both():
    twin_or_other = rules(
        persons=PERSONS,
        rates=[
            {"amount": "100", "basis": "person_night", "relations": ["twin_city"]},
            {"amount": "60", "basis": "person_night", "relations": ["partnership", "other"]},
        ],
    )

    assert compute(twin_or_other, trip()).total == Decimal(12 * 5 * 100)
    assert compute(twin_or_other, trip(partner_cities=(WUXI,))).total == Decimal(12 * 5 * 60)
    # Two cities: the closest relation decides, one rate only.
    both = compute(twin_or_other, trip(partner_cities=(LYON, PRAGUE)))
    assert [line.amount for line in both.lines] == [Decimal(6000)]
    # No city at all: neither rate ("none" is not listed).
    assert compute(twin_or_other, trip(partner_cities=())).total == 0


def test_a_rate_for_trips_without_a_partner_city():
    nowhere = rules(rates=[{"amount": "40", "basis": "person_day", "relations": ["none"]}])

    assert compute(nowhere, trip(partner_cities=())).total == Decimal(10 * 6 * 40)
    assert compute(nowhere, trip()).total == 0


def test_rates_by_category_young_adults_leaders_disabled():
    calculation = compute(
        rules(
            persons={**PERSONS, "leaders": "all", "disabled_any_age": True},
            rates=[
                {"amount": "100", "basis": "person_night", "categories": ["young", "disabled"]},
                {"amount": "50", "basis": "person_night", "categories": ["adult", "leader"]},
            ],
        ),
        trip(participants_over_limit=3, disabled_participants=1),
    )

    assert [(line.working, line.amount) for line in calculation.lines] == [
        (
            "10 unge + 1 deltager med handicap = 11 personer × 5 nætter × 100,00 kr. "
            "= 5.500,00 kr.",
            Decimal("5500.00"),
        ),
        (
            "3 voksne + 2 ledere = 5 personer × 5 nætter × 50,00 kr. = 1.250,00 kr.",
            Decimal("1250.00"),
        ),
    ]


def test_a_category_the_persons_rules_never_count_is_refused():
    source = (
        HEADER
        + """\
[[rates]]
amount = 100
basis = "person_night"
categories = ["young", "leader", "disabled", "adult"]
"""
    )
    assert errors_of(source) == [
        "Linje 8: rates[1].categories: uden persons.age_limit er alle deltagere unge (young)",
        'Linje 8: rates[1].categories: ledere tæller ikke, når persons.leaders = "none"',
        "Linje 8: rates[1].categories: deltagere med handicap tæller kun, når "
        "persons.disabled_any_age = true",
    ]


def test_the_default_categories_are_the_counted_persons_spelled_out():
    normalised = rules(
        persons={**PERSONS, "disabled_any_age": True},
        rates=[{"amount": "100", "basis": "person_night"}],
    )

    assert normalised["rates"][0]["categories"] == ["young", "leader", "disabled"]
    assert rules(rates=[{"amount": "1", "basis": "person_night"}])["rates"][0]["categories"] == [
        "young"
    ]


# Point 2: every basis, and combinations ------------------------------------------------------


def test_a_fixed_amount_per_city_plus_a_rate_per_guest_per_night():
    hosting = rules(
        kinds=["hosting"],
        rates=[
            {"amount": "1000", "basis": "partner_city", "max_cities": 2},
            {"amount": "50", "basis": "person_night", "categories": ["guest"]},
        ],
    )

    calculation = compute(
        hosting,
        trip(kind="hosting", nights=4, host_group_size=20, partner_cities=(PRAGUE, WUXI, LYON)),
    )

    assert [(line.label, line.working) for line in calculation.lines] == [
        (
            "Fast tilskud pr. venskabs- eller partnerby",
            "2 byer (Prag 10, Wuxi), højst 2 byer × 1.000,00 kr. = 2.000,00 kr.",
        ),
        ("Tilskud pr. overnatning", "20 gæster × 4 nætter × 50,00 kr. = 4.000,00 kr."),
    ]
    assert calculation.total == Decimal("6000.00")


def test_per_person_per_visit_and_per_event():
    calculation = compute(
        rules(
            persons={"leaders": "all"},
            rates=[
                {"amount": "300", "basis": "person_visit", "label": "Rejsetilskud pr. deltager"},
                {"amount": "2000", "basis": "event", "relations": ["twin_city"]},
            ],
        ),
        trip(nights=12),
    )

    assert [(line.label, line.working, line.code) for line in calculation.lines] == [
        (
            "Rejsetilskud pr. deltager",
            "10 deltagere + 2 ledere = 12 personer × 300,00 kr. = 3.600,00 kr.",
            "per_visit",
        ),
        ("Fast tilskud pr. ansøgning", "2.000,00 kr.", "per_application"),
    ]


def test_a_rate_only_for_some_kinds():
    both = rules(
        kinds=["trip", "hosting"],
        rates=[
            {"amount": "100", "basis": "person_night", "applies_to": ["trip"]},
            {"amount": "5000", "basis": "event", "applies_to": ["hosting"]},
        ],
    )

    assert compute(both, trip()).total == Decimal(5000)  # 10 persons x 5 nights x 100
    assert compute(both, trip(kind="hosting")).total == Decimal(5000)  # the event amount
    assert [line.code for line in compute(both, trip(kind="hosting")).lines] == ["per_application"]


# Point 3: caps on what is counted ------------------------------------------------------------


def test_at_most_seven_nights_are_counted_and_the_working_says_of_how_many():
    calculation = compute(
        rules(rates=[{"amount": "100", "basis": "person_night", "max_nights": 7}]),
        trip(nights=10, leaders=0),
    )

    assert calculation.lines[0].working == (
        "10 deltagere × 7 nætter (af 10) × 100,00 kr. = 7.000,00 kr."
    )
    assert calculation.eligible


def test_at_most_five_days_are_counted():
    calculation = compute(
        rules(rates=[{"amount": "50", "basis": "person_day", "max_days": 5}]),
        trip(nights=9, leaders=0),
    )

    assert calculation.total == Decimal(10 * 5 * 50)


def test_a_count_cap_on_the_wrong_basis_is_refused():
    source = (
        HEADER
        + """\
[[rates]]
amount = 100
basis = "event"
max_nights = 7
categories = ["young"]
"""
    )
    assert errors_of(source) == [
        'Linje 8: rates[1].max_nights: bruges kun med basis = "person_night"',
        "Linje 9: rates[1].categories: bruges kun med basis person_night, person_day og "
        "person_visit",
    ]


# Point 4: a cost share of the counted persons only ------------------------------------------


def test_a_share_of_the_cost_of_the_counted_persons_only():
    share = {"percent": "50", "of": ["transport"], "cap": "4000"}
    facts = trip(
        participants_over_limit=4, leaders=3, costs={"transport": Decimal("9000")}
    )  # 10 young + 2 of 3 leaders count; 17 travel

    counted = compute(rules(persons=PERSONS, cost_share=share), facts)
    everyone = compute(rules(persons=PERSONS, cost_share={**share, "persons": "all"}), facts)

    assert counted.lines[0].working == (
        "50 % af 9.000,00 kr. (transport) for 12 af 17 deltagere = 3.176,47 kr."
    )
    assert counted.total == Decimal("3176.47")
    assert everyone.total == Decimal("4000.00")  # 4,500, capped: format 1's meaning


def test_format_1_keeps_the_share_of_the_whole_cost():
    format_1 = rulefile.validate(
        {
            "format": 1,
            "name": "Regler",
            "valid_from": "2020-01-01",
            "persons": PERSONS,
            "cost_share": {"percent": "50", "of": ["transport"]},
        }
    )
    facts = trip(participants_over_limit=4, costs={"transport": Decimal("9000")})

    assert "persons" not in format_1["cost_share"]
    assert compute(format_1, facts).total == Decimal("4500.00")


# Point 5: caps per kind, per event, per year; one grant a year across kinds -----------------


def test_several_caps_each_for_its_kinds():
    capped = rules(
        kinds=["trip", "hosting"],
        persons={"leaders": "all"},
        rates=[{"amount": "100", "basis": "person_night"}],
        caps=[
            {"applies_to": ["hosting"], "per_application": "2000"},
            {"per_event": "4000"},
        ],
    )

    assert compute(capped, trip()).total == Decimal("4000.00")  # 6,000 less the event cap
    hosting = compute(capped, trip(kind="hosting"))
    assert [(line.code, line.amount) for line in hosting.lines] == [
        ("rate", Decimal("6000.00")),
        ("cap_per_application", Decimal("-4000.00")),
    ]
    assert hosting.total == Decimal("2000.00")


def test_a_single_caps_table_in_format_2_is_a_list_of_one():
    normalised = rules(rates=[{"amount": "1", "basis": "event"}], caps={"per_application": "5"})

    assert normalised["caps"] == [
        {
            "per_application": "5.00",
            "per_event": None,
            "per_organisation_per_year": None,
            "applies_to": ["trip", "hosting", "exchange"],
        }
    ]


def test_one_grant_a_year_across_trips_and_hosting():
    limits = {"grants_per_organisation_per_year": 1}
    rate = [{"amount": "100", "basis": "person_night"}]
    hosted_once = OrganisationFacts(True, 0, Decimal(0), {"hosting": 1})

    own_kind = rules(kinds=["trip", "hosting"], rates=rate, limits=limits)
    across = rules(
        kinds=["trip", "hosting"],
        rates=rate,
        limits={**limits, "grants_counted_across": ["trip", "hosting"]},
    )

    assert compute(own_kind, trip(organisation=hosted_once)).eligible
    assert [p.code for p in compute(across, trip(organisation=hosted_once)).problems] == [
        "too_many_grants"
    ]


def test_grants_counted_across_needs_the_limit():
    source = (
        ONE_EVENT_RATE
        + """\
[limits]
grants_counted_across = ["trip"]
"""
    )
    assert errors_of(source) == [
        "Linje 10: limits.grants_counted_across: bruges kun sammen med "
        "grants_per_organisation_per_year"
    ]


# Point 6: deadlines in days, weeks or months -------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "last_day", "message"),
    [
        (
            {"days_before_travel": 30},
            dt.date(2026, 6, 1),
            "Ansøgningen skal være modtaget senest 30 dage før afrejsen.",
        ),
        (
            {"weeks_before_travel": 6},
            dt.date(2026, 5, 20),
            "Ansøgningen skal være modtaget senest 6 uger før afrejsen.",
        ),
        (
            {"months_before_travel": 2},
            dt.date(2026, 5, 1),
            "Ansøgningen skal være modtaget senest 2 måneder før afrejsen.",
        ),
    ],
)
def test_a_deadline_in_days_weeks_or_months(limit, last_day, message):
    deadline = rules(rates=[{"amount": "1", "basis": "event"}], limits=limit)

    assert compute(deadline, trip(applied_on=last_day)).eligible
    late = compute(deadline, trip(applied_on=last_day + dt.timedelta(days=1)))
    assert [(p.code, p.message) for p in late.problems] == [("too_late", message)]


def test_a_month_before_the_31st_is_the_months_last_day():
    deadline = rules(rates=[{"amount": "1", "basis": "event"}], limits={"months_before_travel": 1})
    departure = dt.date(2026, 3, 31)

    on_time = trip(departure=departure, return_=departure, applied_on=dt.date(2026, 2, 28))
    assert compute(deadline, on_time).eligible


def test_only_one_deadline():
    source = (
        ONE_EVENT_RATE
        + """\
[limits]
days_before_travel = 30
weeks_before_travel = 4
"""
    )
    assert errors_of(source) == [
        "Linje 11: limits.weeks_before_travel: angiv kun én frist: days_before_travel, "
        "weeks_before_travel eller months_before_travel"
    ]


# Point 7: leader ratios, age limits measured on a day, inclusive or not -----------------------


@pytest.mark.parametrize(
    ("rounding", "young", "allowed"),
    [("started", 7, 1), ("started", 8, 2), ("full", 13, 1), ("full", 14, 2)],
)
def test_leaders_per_started_or_full_seven(rounding, young, allowed):
    ratio = rules(
        persons={**PERSONS, "leaders_rounding": rounding},
        rates=[{"amount": "1", "basis": "person_visit"}],
    )

    assert compute(ratio, trip(participants_under_limit=young, leaders=5)).leaders_allowed == (
        allowed
    )


@pytest.mark.parametrize(
    ("inclusive", "age_on", "birth", "counts"),
    [
        (False, "departure", dt.date(2001, 7, 2), True),  # 24 on 1 July 2026
        (False, "departure", dt.date(2001, 7, 1), False),  # 25 that day
        (True, "departure", dt.date(2001, 7, 1), True),  # "til og med 25"
        (True, "departure", dt.date(2000, 7, 1), False),  # 26
        (False, "end_of_year", dt.date(2001, 12, 31), False),  # turns 25 in 2026
        (False, "end_of_year", dt.date(2002, 1, 1), True),  # turns 24
        (True, "end_of_year", dt.date(2001, 12, 31), True),
        (True, "end_of_year", dt.date(2000, 12, 31), False),
    ],
)
def test_the_age_limit_inclusive_or_not_on_departure_or_at_the_end_of_the_year(
    inclusive, age_on, birth, counts
):
    ages = rules(
        persons={"age_limit": 25, "age_limit_inclusive": inclusive, "age_on": age_on},
        rates=[{"amount": "100", "basis": "person_visit"}],
    )

    calculation = compute(ages, trip(birth_dates=(birth,), leaders=0))

    assert calculation.young == int(counts)


def test_birth_years_are_exact_when_the_age_is_that_of_the_year():
    end_of_year = rules(
        persons={"age_limit": 25, "age_on": "end_of_year"},
        rates=[{"amount": "100", "basis": "person_visit"}],
    )

    calculation = compute(end_of_year, trip(birth_years=(2002, 2001), leaders=0))

    assert calculation.young == 1
    assert calculation.notes == (
        "1 deltager over aldersgrænsen tæller ikke med.",
    )  # no "if the birthday is after departure": the year decides


def test_format_2_keys_in_a_format_1_file_are_refused_and_say_so():
    source = """\
format = 1
name = "Regler"
valid_from = 2026-01-01

[persons]
age_on = "end_of_year"

[[rates]]
amount = 1
basis = "event"
"""
    assert errors_of(source) == [
        "regelsættet giver intet tilskud: angiv mindst én af [rate], [fixed], [host_grant] og "
        "[cost_share]",
        "Linje 6: persons.age_on: kræver format = 2",
        "Linje 8: rates: kræver format = 2",
    ]


def test_format_1_tables_in_a_format_2_file_are_refused_with_the_way_to_write_them():
    source = (
        HEADER
        + """\
[rate]
amount = 100
per = "night"
"""
    )
    messages = errors_of(source)
    assert "Linje 5: rate: findes kun i format 1; i format 2 skrives satserne som [[rates]]" in (
        messages
    )


def test_a_format_2_file_round_trips_through_the_writer():
    normalised = rules(
        kinds=["trip", "hosting"],
        persons={**PERSONS, "age_limit_inclusive": True, "age_on": "end_of_year"},
        rates=[
            {"amount": "100", "basis": "person_night", "max_nights": 7, "label": "Pr. nat"},
            {"amount": "1000", "basis": "partner_city", "max_cities": 3},
        ],
        cost_share={"percent": "50", "of": ["transport"], "persons": "counted"},
        caps=[{"applies_to": ["hosting"], "per_application": "10000"}],
        limits={
            "grants_per_organisation_per_year": 1,
            "grants_counted_across": ["trip", "hosting"],
            "months_before_travel": 2,
        },
    )

    assert rulefile.parse(rulefile.to_toml(normalised)) == normalised
