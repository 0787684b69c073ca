"""Another municipality's rules, made up here, imported as a file: the right amounts with no
change of code. Egeby pays per day, half the transport up to a cap, and one visit a year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from grants.cases.models import Outcome
from grants.core import clock
from grants.funds import kinds
from grants.subsidies.calculation import calculate_for_form
from grants.subsidies.facts import OrganisationFacts
from grants.subsidies.models import versions_of
from tests import factories
from tests.subsidies.helpers import write

EGEBY = """\
# Egeby Kommune: tilskud til foreningers besøg i venskabsbyerne.
format = 1
fund = "egeby-venskabsbyer"
name = "Egeby: besøg i venskabsbyerne"
valid_from = 2020-01-01
kinds = ["trip"]

[persons]
age_limit = 18
leaders = "ratio"
leaders_per = 10
leaders_rounding = "full"     # 1 leder pr. fulde 10 deltagere

[rate]
amount = 75                   # kr. pr. person pr. dag
per = "day"

[cost_share]
percent = 50
of = ["transport"]
cap = 4000

[caps]
per_application = 15000

[limits]
grants_per_organisation_per_year = 1
days_before_travel = 30

[conditions]
partner_city = true
"""


@pytest.fixture
def egeby(youth, runner, tmp_path):
    fund = factories.make_fund(
        code="egeby-venskabsbyer",
        name="Egeby venskabsbyer",
        kind=kinds.YOUTH_TRIP.code,
        route="screening_decision",
    )
    result = runner.invoke(args=["rules", "import", str(write(tmp_path, "egeby.toml", EGEBY))])
    assert result.exit_code == 0, result.output
    assert "Loaded egeby-venskabsbyer version 1" in result.output
    return fund


def form(days: int, **overrides) -> dict:
    departure = clock.today() + dt.timedelta(days=60)
    data = {
        "departure_date": departure.isoformat(),
        "return_date": (departure + dt.timedelta(days=days - 1)).isoformat(),
        "participants_young": "20",
        "participants_leaders": "3",
        "transport": "10000",
        "accommodation": "8.000,00",
    }
    data.update(overrides)
    return data


def test_a_per_day_rate_and_half_the_transport_with_a_cap(egeby, youth):
    data = form(days=5, partner_city_id=str(youth.prague.id))

    calculation = calculate_for_form(egeby, data, OrganisationFacts(True, 0, Decimal(0)))

    assert calculation.eligible, calculation.problems
    assert [(line.label, line.working) for line in calculation.lines] == [
        (
            "Tilskud pr. dag",
            "20 unge + 2 ledere = 22 personer × 5 dage × 75,00 kr. = 8.250,00 kr.",
        ),
        (
            "Andel af udgifterne",
            "50 % af 10.000,00 kr. (transport) = 5.000,00 kr., højst 4.000,00 kr.",
        ),
    ]
    assert calculation.total == Decimal("12250.00")
    assert calculation.rule_set_version == versions_of(egeby)[0].version


def test_the_cap_per_application_is_its_own_line(egeby, youth):
    data = form(days=10, participants_young="40", participants_leaders="4")
    data["partner_city_id"] = str(youth.prague.id)

    calculation = calculate_for_form(egeby, data, OrganisationFacts(True, 0, Decimal(0)))

    assert [line.amount for line in calculation.lines] == [
        Decimal("33000.00"),  # 44 persons x 10 days x 75 kr.
        Decimal("4000.00"),
        Decimal("-22000.00"),
    ]
    assert calculation.lines[-1].working == "Loft pr. ansøgning: 15.000,00 kr."
    assert calculation.total == Decimal("15000.00")


def test_one_visit_a_year_makes_the_second_grant_a_problem(egeby, youth):
    data = form(days=5, partner_city_id=str(youth.prague.id))
    departure = dt.date.fromisoformat(data["departure_date"])
    assert calculate_for_form(egeby, data, youth.organisation).eligible

    factories.make_application(
        youth.applicant,
        egeby,
        organisation=youth.organisation,
        state="decided",
        outcome=Outcome.GRANTED,
        granted_amount=Decimal("12250"),
        departure_date=departure.replace(day=1),
        return_date=departure.replace(day=3),
    )

    calculation = calculate_for_form(egeby, data, youth.organisation)
    assert [problem.code for problem in calculation.problems] == ["too_many_grants"]
    assert calculation.problems[0].message == (
        "Puljen giver højst 1 tilskud om året til samme organisation, og organisationen har "
        f"allerede fået det i {departure.year}."
    )
    # Another organisation, or the next year, is not held back.
    assert calculate_for_form(egeby, data, youth.elsewhere).eligible
    next_year = form(days=5, partner_city_id=str(youth.prague.id))
    next_year["departure_date"] = departure.replace(year=departure.year + 1).isoformat()
    next_year["return_date"] = (
        departure.replace(year=departure.year + 1) + dt.timedelta(days=4)
    ).isoformat()
    assert calculate_for_form(egeby, next_year, youth.organisation).eligible


def test_the_deadline_before_travel(egeby, youth):
    soon = clock.today() + dt.timedelta(days=20)
    data = form(
        days=3,
        departure_date=soon.isoformat(),
        return_date=(soon + dt.timedelta(days=2)).isoformat(),
        partner_city_id=str(youth.prague.id),
    )

    calculation = calculate_for_form(egeby, data, OrganisationFacts(True))

    assert [(p.code, p.field) for p in calculation.problems] == [("too_late", "departure_date")]
    assert calculation.problems[0].message == (
        "Ansøgningen skal være modtaget senest 30 dage før afrejsen."
    )
