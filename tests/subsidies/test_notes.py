"""Notes in the calculation never suggest that a figure counts when it does not (issue 20
point 10): a note about leaders, nights or ages only where an amount depends on them, the
persons the rules leave out said plainly, and an amount shown beside a problem said to be
conditional."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from grants.subsidies import rulefile
from grants.subsidies.engine import compute
from grants.subsidies.facts import City, OrganisationFacts, Trip
from tests.subsidies.helpers import ballerup_rules, trip_to

PRAGUE = City("Prag 10", "CZ", "twin_city", dt.date(2014, 8, 25))


def trip(nights: int = 5, **overrides) -> Trip:
    """Seven young people and four leaders of a Ballerup association to Prague, with a
    concert together with the young people there."""
    values = dict(
        participants_under_limit=7,
        leaders=4,
        organisation=OrganisationFacts(based_in_municipality=True),
        direct_contact="Fælles koncert med de unge i Prag.",
    )
    return trip_to(PRAGUE, nights, **{**values, **overrides})


def fixed_only(**limits) -> dict:
    return rulefile.validate(
        {
            "format": 1,
            "name": "Fast beløb",
            "valid_from": "2020-01-01",
            "persons": {"age_limit": 25, "leaders": "ratio", "leaders_per": 7},
            "fixed": {"per_application": "3000"},
            "limits": limits,
        }
    )


def test_no_note_about_leaders_or_nights_where_no_amount_depends_on_them():
    calculation = compute(fixed_only(max_nights=3), trip(nights=10, participants_over_limit=2))

    assert calculation.total == Decimal("3000.00")
    assert calculation.notes == ()


def test_the_host_grant_has_no_note_about_leaders():
    calculation = compute(
        ballerup_rules("vaertskab"), trip(kind="hosting", host_group_size=12, leaders=9)
    )

    assert calculation.notes == ()


def test_a_rate_says_which_persons_do_not_count():
    youth = {**ballerup_rules("ungdomsrejser")}
    youth["persons"] = {**youth["persons"], "disabled_any_age": False}

    calculation = compute(
        youth, trip(leaders=1, participants_over_limit=3, disabled_participants=2)
    )

    assert calculation.counted_persons == 8
    assert calculation.notes == (
        "2 deltagere med handicap tæller ikke med efter puljens regler.",
        "3 deltagere over aldersgrænsen tæller ikke med.",
    )


def test_an_amount_beside_a_problem_is_said_to_be_conditional():
    calculation = compute(ballerup_rules("ungdomsrejser"), trip(leaders=1, direct_contact=""))

    assert calculation.total == Decimal("4000.00")
    assert not calculation.eligible
    assert calculation.allowed_total == 0
    assert calculation.notes[-1] == (
        "Beløbet gives kun, hvis det, reglerne ikke kan give tilskud til, bliver rettet, "
        "eller hvis kommunen giver dispensation."
    )


def test_without_a_problem_there_is_no_such_note():
    calculation = compute(
        ballerup_rules("ungdomsrejser"), trip(leaders=1, direct_contact="Fælles koncert.")
    )

    assert calculation.eligible
    assert calculation.notes == ()


def test_nights_not_counted_by_a_rate_are_said_in_its_working_not_hidden():
    rules = rulefile.validate(
        {
            "format": 2,
            "name": "Højst 7 nætter",
            "valid_from": "2020-01-01",
            "rates": [{"amount": "100", "basis": "person_night", "max_nights": 7}],
        }
    )

    calculation = compute(rules, trip(nights=9, leaders=0))

    assert "7 nætter (af 9)" in calculation.lines[0].working
