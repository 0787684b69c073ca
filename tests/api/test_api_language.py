"""The API's refusals by the payment rules (grants.payments.operations, through
POST /api/v1/payments/{case_id}/paid) in the caller's language: the Accept-Language
header's (da or en), else the token's owner's chosen language, else Danish. The answer says
which in Content-Language."""

from __future__ import annotations

from flask import url_for

from grants.extensions import db
from tests.api.test_api import bearer, body, issue, payments
from tests.api.test_api import case as case  # noqa: F401 - the fixture

TOO_MUCH_DA = "Der kan højst udbetales 8.000,00 kr. på sagen"
TOO_MUCH_EN = "At most 8,000.00 kr. can be paid on this case"


def too_much(app, client, case, secret, **headers):  # noqa: F811
    with app.test_request_context():
        url = url_for("api.mark_paid", case_id=case.id)
    response = client.post(url, json=body(amount="9000.00"), headers={**bearer(secret), **headers})
    assert response.status_code == 422
    assert payments() == []
    return response


def test_a_refusal_in_english_when_the_caller_asks_for_english(app, client, world, case):  # noqa: F811
    _token, secret = issue(world.finance, scope="payments")
    response = too_much(app, client, case, secret, **{"Accept-Language": "en-GB,en;q=0.9"})
    assert TOO_MUCH_EN in response.json["detail"], response.json
    assert TOO_MUCH_EN in response.json["errors"]["amount"][0]
    assert response.headers["Content-Language"] == "en"


def test_a_refusal_in_danish_when_the_caller_asks_for_danish(app, client, world, case):  # noqa: F811
    world.finance.locale = "en"  # the header wins over the owner's choice
    db.session.commit()
    _token, secret = issue(world.finance, scope="payments")
    response = too_much(app, client, case, secret, **{"Accept-Language": "da, en;q=0.5"})
    assert TOO_MUCH_DA in response.json["detail"], response.json
    assert response.headers["Content-Language"] == "da"


def test_without_a_header_the_owners_language_else_danish(app, client, world, case):  # noqa: F811
    _token, secret = issue(world.finance, scope="payments")
    assert TOO_MUCH_DA in too_much(app, client, case, secret).json["detail"]
    world.finance.locale = "en"
    db.session.commit()
    response = too_much(app, client, case, secret)
    assert TOO_MUCH_EN in response.json["detail"], response.json
    # A language the app does not speak is no choice: the owner's.
    response = too_much(app, client, case, secret, **{"Accept-Language": "fr"})
    assert TOO_MUCH_EN in response.json["detail"], response.json


def test_a_voucher_used_twice_in_english(app, client, world, case):  # noqa: F811
    _token, secret = issue(world.finance, scope="payments")
    with app.test_request_context():
        url = url_for("api.mark_paid", case_id=case.id)
    headers = {**bearer(secret), "Accept-Language": "en"}
    assert client.post(url, json=body(amount="100.00"), headers=headers).status_code == 201
    again = client.post(url, json=body(amount="100.00"), headers=headers)
    assert again.status_code == 422
    assert (
        "Voucher B-1001 is already recorded as a payment on this case"
        in (again.json["errors"]["voucher"][0])
    ), again.json
