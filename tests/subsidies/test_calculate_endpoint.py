"""The live calculation for the application form: POST /tilskud/beregn/<fund_code>."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from grants.core import clock
from grants.extensions import db
from grants.subsidies.calculation import FORM_FIELDS, calculate_for_form
from tests import factories


def youth_trip(youth, **overrides) -> dict:
    departure = clock.today() + dt.timedelta(days=90)
    data = {
        "departure_date": departure.isoformat(),
        "return_date": (departure + dt.timedelta(days=5)).isoformat(),
        "partner_city_id": str(youth.prague.id),
        "participants_young": "12",
        "participants_leaders": "2",
        "participants_disabled": "0",
        "direct_contact": "Fælles koncert med ungdomsorkestret i Prag 10.",
        "organisation_id": str(youth.organisation.id),
    }
    data.update(overrides)
    assert set(data) <= set(FORM_FIELDS)
    return data


def test_the_lines_total_and_problems_as_json(youth, client, auth):
    auth.login(youth.applicant)

    response = client.post("/tilskud/beregn/ungdomsrejser", data=youth_trip(youth))

    assert response.status_code == 200
    result = response.get_json()
    assert result["lines"] == [
        {
            "code": "rate",
            "label": "Tilskud pr. overnatning",
            "working": "12 unge + 2 ledere = 14 personer × 5 nætter × 100,00 kr. = 7.000,00 kr.",
            "amount": "7000.00",
            "amount_text": "7.000,00 kr.",
        }
    ]
    assert (result["total"], result["total_text"]) == ("7000.00", "7.000,00 kr.")
    assert result["problems"] == []
    assert result["eligible"] is True
    assert result["rule_set"]["version"] == 1
    assert "Deltagere under 25 år på afrejsedagen tæller med" in result["rules_applied"]


def test_the_json_and_the_preview_without_javascript_agree(youth, client, auth):
    auth.login(youth.applicant)
    data = youth_trip(youth, participants_leaders="4", birth_years="2010 2011, 2001")

    result = client.post("/tilskud/beregn/ungdomsrejser", data=data).get_json()

    preview = calculate_for_form(youth.youth_fund, data, youth.organisation)
    assert result == preview.as_dict()
    assert preview.young == 2  # born 2001 is not under 25 (the birthday taken as passed)


def test_the_fields_may_come_as_json(youth, client, auth):
    auth.login(youth.applicant)
    data = {**youth_trip(youth), "participants_young": 12, "birth_years": [2010, 2011]}

    result = client.post("/tilskud/beregn/ungdomsrejser", json=data).get_json()

    assert result["young"] == 2
    assert result["total"] == "1500.00"  # 2 young people + 1 of 2 leaders x 5 nights x 100
    assert client.post("/tilskud/beregn/ungdomsrejser", json=[1, 2]).status_code == 400


def test_what_the_rules_cannot_allow_is_said_plainly(youth, client, auth):
    auth.login(youth.applicant)
    data = youth_trip(
        youth,
        partner_city_id=str(youth.former.id),
        organisation_id=str(youth.elsewhere.id),
        direct_contact="",
    )

    result = client.post("/tilskud/beregn/ungdomsrejser", data=data).get_json()

    assert result["eligible"] is False
    assert {(p["code"], p["field"]) for p in result["problems"]} == {
        ("not_partner", "partner_city_id"),
        ("not_based_in_municipality", "organisation_id"),
        ("direct_contact_missing", "direct_contact"),
    }
    assert (
        "Gammel By er ikke venskabs- eller partnerby på rejsedatoerne: samarbejdet sluttede "
        "31. december 2025." in [p["message"] for p in result["problems"]]
    )


def test_hosting_at_the_edges(youth, client, auth):
    auth.login(youth.applicant)
    arrival = clock.today() + dt.timedelta(days=90)
    data = {
        "departure_date": arrival.isoformat(),
        "return_date": (arrival + dt.timedelta(days=4)).isoformat(),
        "partner_city_id": str(youth.prague.id),
        "host_group_size": "12",
        "direct_contact": "De unge bor hos hinanden.",
        "organisation_id": str(youth.organisation.id),
    }

    granted = client.post("/tilskud/beregn/vaertskab", data=data).get_json()
    too_small = client.post(
        "/tilskud/beregn/vaertskab", data={**data, "host_group_size": "11"}
    ).get_json()

    assert (granted["total"], granted["eligible"]) == ("5000.00", True)
    assert [p["code"] for p in too_small["problems"]] == ["host_group_too_small"]


def test_input_that_cannot_be_read_is_a_problem_on_its_field(youth, client, auth):
    auth.login(youth.applicant)
    data = youth_trip(youth, participants_young="tolv", departure_date="32.13.2026")

    result = client.post("/tilskud/beregn/ungdomsrejser", data=data).get_json()

    assert {(p["code"], p["field"]) for p in result["problems"]} == {
        ("invalid_input", "participants_young"),
        ("invalid_input", "departure_date"),
    }


def test_a_fund_without_rules_says_so(youth, client, auth):
    factories.make_fund(code="uden-regler", route="screening_decision")
    auth.login(youth.applicant)

    result = client.post(
        "/tilskud/beregn/uden-regler", data=youth_trip(youth, organisation_id="")
    ).get_json()

    assert [p["code"] for p in result["problems"]] == ["no_rules"]
    assert result["total"] == "0.00"
    assert client.post("/tilskud/beregn/findes-ikke", data={}).status_code == 404


def test_only_for_an_organisation_one_acts_for(youth, client, auth):
    auth.login(youth.outsider)
    assert client.post("/tilskud/beregn/ungdomsrejser", data=youth_trip(youth)).status_code == 403
    assert (
        client.post(
            "/tilskud/beregn/ungdomsrejser", data=youth_trip(youth, organisation_id="999")
        ).status_code
        == 404
    )

    auth.login(youth.caseworker)  # previewing a case
    assert client.post("/tilskud/beregn/ungdomsrejser", data=youth_trip(youth)).status_code == 200


def test_a_login_is_needed(youth, client):
    response = client.post("/tilskud/beregn/ungdomsrejser", data=youth_trip(youth))

    assert response.status_code == 302


def test_the_csrf_token_is_required(youth, app, client, auth):
    auth.login(youth.applicant)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post("/tilskud/beregn/ungdomsrejser", data=youth_trip(youth))
        assert refused.status_code == 400

        page = client.get("/organisationer").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        by_header = client.post(
            "/tilskud/beregn/ungdomsrejser",
            data=youth_trip(youth),
            headers={"X-CSRFToken": token},
        )
        by_field = client.post(
            "/tilskud/beregn/ungdomsrejser", data={**youth_trip(youth), "csrf_token": token}
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert by_header.status_code == 200
    assert by_field.status_code == 200
    assert by_header.get_json()["total"] == "7000.00"


@pytest.mark.parametrize(
    "value", ["abc", "²", "٢", "2147483648", "9223372036854775808", "9" * 40, "-1", "1e3", " "]
)
def test_an_organisation_or_city_id_that_is_no_id_is_not_a_server_error(app, routes, client, value):
    """Issue 16 point 3: an id that is not a number, or out of the database's range, is not
    found (the organisation) or not in the list (the partner city), never a 500."""
    from grants.funds import kinds
    from grants.people.models import Role
    from grants.subsidies.operations import STANDARD_RULE_SETS, add_rule_set
    from tests.core.test_access_matrix import sign_in
    from tests.factories import make_fund, make_user

    fund = make_fund(code="ungdomsrejser", kind=kinds.YOUTH_TRIP.code, route="screening_decision")
    add_rule_set((STANDARD_RULE_SETS / "ballerup-ungdomsrejser.toml").read_text(), fund=fund)
    person = make_user(Role.EMPLOYEE, Role.CASEWORKER)
    db.session.commit()
    sign_in(client, person)
    url = f"/tilskud/beregn/{fund.code}"
    response = client.post(url, data={"organisation_id": value})
    assert response.status_code in (200, 404), response.status_code
    if value.strip():
        assert response.status_code == 404
    response = client.post(url, data={"partner_city_id": value})
    assert response.status_code == 200, response.status_code
    if value.strip():
        assert any(p["field"] == "partner_city_id" for p in response.get_json()["problems"])
