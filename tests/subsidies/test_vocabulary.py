"""The rest of the vocabulary, each on its own: fixed amounts, the caps, the limits on nights
and days, and the other ways of counting persons."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from grants.subsidies.engine import compute
from grants.subsidies.facts import City, OrganisationFacts, Trip
from tests.subsidies.helpers import TRIP_DEPARTURE, rule_set, trip_to

DEPARTURE = TRIP_DEPARTURE
PRAGUE = City("Prag 10", "CZ", "twin_city", dt.date(2014, 8, 25))
BRANDENBURG = City("Brandenburg an der Havel", "DE", "partnership", dt.date(2014, 8, 25))


def rules(**sections) -> dict:
    return rule_set(1, **sections)


def trip(nights: int = 5, **overrides) -> Trip:
    return trip_to(PRAGUE, nights, **overrides)


RATE = {"amount": "100", "per": "night"}


def test_fixed_amounts_per_application_and_per_partner_city():
    calculation = compute(
        rules(
            fixed={"per_application": "500", "per_partner_city": "1000"},
            conditions={"partner_city": True},
        ),
        trip(partner_cities=(PRAGUE, BRANDENBURG)),
    )

    assert [(line.label, line.working) for line in calculation.lines] == [
        ("Fast tilskud pr. ansøgning", "500,00 kr."),
        (
            "Fast tilskud pr. venskabs- eller partnerby",
            "2 byer (Prag 10, Brandenburg an der Havel) × 1.000,00 kr. = 2.000,00 kr.",
        ),
    ]
    assert calculation.total == Decimal("2500.00")


def test_a_city_that_is_not_a_partner_gets_no_fixed_amount():
    former = City("Gammel By", "DE", "partnership", dt.date(2014, 1, 1), dt.date(2025, 12, 31))

    calculation = compute(
        rules(fixed={"per_partner_city": "1000"}, conditions={"partner_city": True}),
        trip(partner_cities=(PRAGUE, former)),
    )

    assert calculation.total == Decimal("1000.00")
    assert [p.code for p in calculation.problems] == ["not_partner"]


def test_the_caps_come_last_each_on_its_own_line():
    calculation = compute(
        rules(
            rate=RATE,
            persons={"leaders": "all"},
            caps={
                "per_application": "5000",
                "per_event": "8000",
                "per_organisation_per_year": "20000",
            },
        ),
        trip(
            granted_for_event=Decimal("4000"),
            organisation=OrganisationFacts(True, 2, Decimal("17000")),
        ),
    )

    assert [(line.code, line.working, line.amount) for line in calculation.lines] == [
        (
            "rate",
            "10 deltagere + 2 ledere = 12 personer × 5 nætter × 100,00 kr. = 6.000,00 kr.",
            Decimal("6000.00"),
        ),
        ("cap_per_application", "Loft pr. ansøgning: 5.000,00 kr.", Decimal("-1000.00")),
        (
            "cap_per_event",
            "Loft pr. arrangement: 8.000,00 kr., heraf allerede bevilget 4.000,00 kr.",
            Decimal("-1000.00"),
        ),
        (
            "cap_per_organisation_per_year",
            "Loft pr. organisation pr. år: 20.000,00 kr., heraf allerede bevilget 17.000,00 kr.",
            Decimal("-1000.00"),
        ),
    ]
    assert calculation.total == Decimal("3000.00")


def test_a_cap_already_used_up_gives_nothing_but_never_less():
    calculation = compute(
        rules(rate=RATE, caps={"per_organisation_per_year": "10000"}),
        trip(organisation=OrganisationFacts(True, 1, Decimal("12000"))),
    )

    assert calculation.total == 0
    assert calculation.lines[-1].amount == Decimal("-5000.00")


def test_nights_beyond_the_maximum_are_not_paid_or_refused():
    paid = compute(rules(rate=RATE, limits={"max_nights": 7}), trip(nights=10, leaders=0))
    refused = compute(
        rules(rate=RATE, limits={"max_nights": 7, "beyond_max": "refused"}),
        trip(nights=10, leaders=0),
    )

    assert paid.total == refused.total == Decimal("7000.00")  # 10 persons x 7 nights
    assert paid.eligible
    assert paid.notes == ("Puljen giver tilskud til højst 7 nætter.",)
    assert [(p.code, p.message) for p in refused.problems] == [
        ("too_long", "Puljen giver kun tilskud til rejser på højst 7 nætter.")
    ]


def test_days_beyond_the_maximum_under_a_rate_per_day():
    calculation = compute(
        rules(rate={"amount": "50", "per": "day"}, limits={"max_days": 4}),
        trip(nights=9, leaders=0),
    )

    assert calculation.lines[0].working == ("10 deltagere × 4 dage × 50,00 kr. = 2.000,00 kr.")


def test_without_an_age_limit_every_participant_counts():
    calculation = compute(
        rules(rate=RATE), trip(participants_under_limit=4, participants_over_limit=3, leaders=2)
    )

    assert calculation.counted_persons == 7  # leaders do not count by default
    assert calculation.lines[0].working.startswith("7 deltagere × 5 nætter")
    assert calculation.notes == ("Ledere tæller ikke med efter puljens regler.",)


def test_with_an_age_limit_the_older_participants_do_not_count():
    calculation = compute(
        rules(rate=RATE, persons={"age_limit": 25}),
        trip(participants_under_limit=4, participants_over_limit=3, leaders=0),
    )

    assert calculation.counted_persons == 4


def test_a_share_of_all_the_approved_costs():
    calculation = compute(
        rules(cost_share={"percent": "12.5"}),
        trip(costs={"transport": Decimal("4000"), "meals": Decimal("1000")}),
    )

    assert calculation.lines[0].working == ("12,5 % af 5.000,00 kr. (alle udgifter) = 625,00 kr.")


def test_a_deadline_and_one_grant_a_year():
    limits = {"days_before_travel": 30, "grants_per_organisation_per_year": 1}
    on_time = trip(applied_on=DEPARTURE - dt.timedelta(days=30))
    late = trip(applied_on=DEPARTURE - dt.timedelta(days=29))

    assert compute(rules(rate=RATE, limits=limits), on_time).eligible
    assert [p.code for p in compute(rules(rate=RATE, limits=limits), late).problems] == ["too_late"]
    second = trip(organisation=OrganisationFacts(True, 1, Decimal("3000")))
    assert [p.code for p in compute(rules(rate=RATE, limits=limits), second).problems] == [
        "too_many_grants"
    ]
