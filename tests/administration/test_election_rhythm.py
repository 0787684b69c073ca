"""The administrator sets the municipality's election rhythm; bad input changes nothing."""

from __future__ import annotations

import pytest

from grants.budgets.elections import election_period
from grants.extensions import db
from tests.html import field_errors, field_value

PROFILE = {"name": "Ballerup Kommune", "cvr": "58271713", "languages": ["da"]}


def test_the_administrator_sets_the_election_periods(world, client, auth):
    auth.login(world.admin)
    page = client.get("/administration/kommune")
    assert field_value(page, "election_first_year") == "2022"
    data = PROFILE | {"election_first_year": "2027", "election_period_years": "5"}
    response = client.post("/administration/kommune", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert str(election_period(2026)) == "2022-2026"
    assert str(election_period(2027)) == "2027-2031"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("election_period_years", "0", "Skriv et antal år fra 1 til 10."),
        ("election_period_years", "fire", "Skriv et antal år fra 1 til 10."),
        ("election_first_year", "22", "Skriv et årstal, fx 2022."),
    ],
)
def test_a_bad_election_rhythm_is_refused_and_nothing_changes(
    world, client, auth, field, value, message
):
    auth.login(world.admin)
    response = client.post("/administration/kommune", data=PROFILE | {field: value})
    assert response.status_code == 422
    assert any(message in error for error in field_errors(response).values()), field_errors(
        response
    )
    db.session.expire_all()
    assert (world.municipality.election_first_year, world.municipality.election_period_years) == (
        2022,
        4,
    )


def test_only_an_administrator_sets_it(world, client, auth):
    auth.login(world.caseworker)
    response = client.post("/administration/kommune", data=PROFILE | {"election_period_years": "5"})
    assert response.status_code in (403, 404)
    db.session.expire_all()
    assert world.municipality.election_period_years == 4
