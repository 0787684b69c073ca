"""A fund's Digital Post and its place in the ESDH (issue 22): set by the administrator on
the fund's page; a KLE number or handling code in the wrong form is refused next to its
field, and nothing changes."""

from __future__ import annotations

from flask import url_for

from grants.extensions import db
from tests.administration.test_admin_pages import fund_data, settings_events
from tests.html import field_error


def _url(client, fund) -> str:
    with client.application.test_request_context():
        return url_for("admin.fund", fund_id=fund.id)


def test_the_administrator_sets_digital_post_kle_and_handling_code(world, client, auth):
    auth.login(world.admin)
    response = client.post(
        _url(client, world.fund),
        data=fund_data(world.fund, digital_post="y", kle_number=" 05.10.00 ", handling_code="g01"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (world.fund.digital_post, world.fund.kle_number, world.fund.handling_code) == (
        True,
        "05.10.00",
        "G01",
    )
    assert settings_events("settings.fund_changed")


def test_a_kle_number_or_handling_code_in_the_wrong_form_is_refused(world, client, auth):
    auth.login(world.admin)
    response = client.post(
        _url(client, world.fund),
        data=fund_data(world.fund, digital_post="y", kle_number="5.10", handling_code="G1"),
    )
    assert response.status_code == 422
    assert field_error(response, "kle_number") == "Skriv KLE-nummeret som 00.00.00."
    assert field_error(response, "handling_code") == (
        "Skriv handlingsfacetten som et stort bogstav og to tal, fx G01."
    )
    db.session.expire_all()
    assert (world.fund.digital_post, world.fund.kle_number, world.fund.handling_code) == (
        False,
        "",
        "",
    )


def test_only_the_administrator_changes_them(world, client, auth):
    for person in (world.caseworker, world.finance, world.employee):
        auth.login(person)
        response = client.post(
            _url(client, world.fund), data=fund_data(world.fund, kle_number="05.10.00")
        )
        assert response.status_code == 403
    db.session.expire_all()
    assert world.fund.kle_number == ""
