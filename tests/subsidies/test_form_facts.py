"""The application form supplies the facts format 2 reads (issue 20): the organisation's grants
by kind across funds, the hosting's visitors as guests, and the adults among the birth years."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from grants.cases.models import Outcome
from grants.core import clock
from grants.extensions import db
from grants.subsidies.calculation import calculate_for_form, organisation_facts
from grants.subsidies.operations import add_rule_set
from tests import factories

ACROSS = """\
format = 2
name = "Én bevilling om året, rejse eller værtskab"
valid_from = 2014-08-25
kinds = ["trip"]

[persons]
age_limit = 25

[[rates]]
amount = 100
basis = "person_night"

[limits]
grants_per_organisation_per_year = 1
grants_counted_across = ["trip", "hosting"]
"""


def _granted_hosting(youth, departure: dt.date) -> None:
    application = factories.make_application(
        youth.applicant,
        youth.hosting_fund,
        state="granted",
        organisation=youth.organisation,
        departure_date=departure,
        return_date=departure + dt.timedelta(days=5),
        granted_amount=Decimal(5000),
    )
    assert application.outcome == Outcome.GRANTED
    db.session.commit()


def _form(departure: dt.date, **fields) -> dict:
    return {
        "departure_date": departure.isoformat(),
        "return_date": (departure + dt.timedelta(days=5)).isoformat(),
        "participants_young": "10",
        **fields,
    }


def test_the_organisations_grants_are_counted_by_kind_across_funds(youth):
    departure = clock.today() + dt.timedelta(days=90)
    _granted_hosting(youth, departure)

    facts = organisation_facts(youth.youth_fund, youth.organisation, departure.year)

    assert facts.grants_this_year == 0  # from this fund (format 1's count)
    assert facts.grants_by_kind == {"hosting": 1}
    assert facts.as_facts()["grants_by_kind"] == {"hosting": 1}


def test_one_grant_a_year_across_trips_and_hosting_from_the_form(youth):
    departure = clock.today() + dt.timedelta(days=90)
    add_rule_set(ACROSS, fund=youth.youth_fund)
    db.session.commit()

    before = calculate_for_form(youth.youth_fund, _form(departure), youth.organisation)
    assert before.eligible and before.total == Decimal(5000)

    _granted_hosting(youth, departure)
    after = calculate_for_form(youth.youth_fund, _form(departure), youth.organisation)
    assert [problem.code for problem in after.problems] == ["too_many_grants"]
    # A grant in another year does not count.
    next_year = departure.replace(year=departure.year + 1)
    assert calculate_for_form(youth.youth_fund, _form(next_year), youth.organisation).eligible


def test_the_hosting_forms_group_is_the_guests(youth):
    departure = clock.today() + dt.timedelta(days=90)
    add_rule_set(
        """\
format = 2
name = "Værtskab pr. gæst"
valid_from = 2014-08-25
kinds = ["hosting"]

[[rates]]
amount = 50
basis = "person_night"
categories = ["guest"]
""",
        fund=youth.hosting_fund,
    )
    db.session.commit()

    calculation = calculate_for_form(
        youth.hosting_fund, _form(departure, host_group_size="16"), youth.organisation
    )

    assert calculation.lines[0].working == "16 gæster × 5 nætter × 50,00 kr. = 4.000,00 kr."


def test_the_birth_years_give_the_adults(youth):
    departure = dt.date(clock.today().year + 1, 6, 1)
    add_rule_set(
        """\
format = 2
name = "Unge og voksne"
valid_from = 2014-08-25
kinds = ["trip"]

[persons]
age_limit = 18
age_on = "end_of_year"

[[rates]]
amount = 100
basis = "person_visit"
categories = ["young"]

[[rates]]
amount = 40
basis = "person_visit"
categories = ["adult"]
""",
        fund=youth.youth_fund,
    )
    db.session.commit()
    year = departure.year
    births = f"{year - 15} {year - 17} {year - 18} {year - 40}"

    calculation = calculate_for_form(
        youth.youth_fund, _form(departure, birth_years=births), youth.organisation
    )

    assert [line.working for line in calculation.lines] == [
        "2 unge × 100,00 kr. = 200,00 kr.",
        "2 voksne × 40,00 kr. = 80,00 kr.",
    ]
