"""The API's refusals by the payment rules (grants.payments.operations, through
POST /api/v1/payments/{case_id}/paid) in the caller's language: the Accept-Language
header's (da or en), else the token's owner's chosen language, else Danish. The answer says
which in Content-Language."""

from __future__ import annotations

import json

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


# The API's own messages about the request's form, in both languages: (what is sent, the
# status, the Danish and the English words of its detail or field message).
def _shape_problems(app, case, secret):  # noqa: F811
    with app.test_request_context():
        paid = url_for("api.mark_paid", case_id=case.id)
        missing = url_for("api.case", case_id=999999)
        cases = url_for("api.cases", page="nul")
        balances = url_for("api.fund_balances", year="1066")
    return [
        (("GET", cases, {}), 401, "bearer-nøgle", "bearer token is required"),
        (
            ("GET", cases, bearer("gtk_nope")),
            401,
            "ukendt, tilbagekaldt eller udløbet",
            "unknown, revoked or expired",
        ),
        (("GET", cases, bearer(secret)), 400, "page skal være et helt tal", "page must be"),
        (("GET", balances, bearer(secret)), 400, "year skal være et år", "year must be a year"),
        (("GET", missing, bearer(secret)), 404, "Sagen findes ikke", "No such case"),
        (
            ("POST", paid, {**bearer(secret), "Content-Type": "application/json"}, "{nej"),
            400,
            "JSON-objekt",
            "must be a JSON object",
        ),
        (("POST", paid, bearer(secret), [1, 2]), 400, "JSON-objekt", "must be a JSON object"),
        (
            ("POST", paid, {**bearer(secret), "Content-Type": "application/json"}, "[" * 100_000),
            400,
            "JSON-objekt",
            "must be a JSON object",
        ),
        (
            ("POST", paid, {**bearer(secret), "Content-Type": "application/json"}, '{"a":' * 5000),
            400,
            "JSON-objekt",
            "must be a JSON object",
        ),
        (
            ("POST", paid, bearer(secret), {"paid_on": 20261207, "voucher": 7}),
            422,
            "Betalingen er ikke registreret",
            "The payment was not recorded",
        ),
        (
            ("POST", paid, {**bearer(secret), "Idempotency-Key": "k" * 201}, body()),
            400,
            "Idempotency-Key skal være 1 til 200 tegn",
            "Idempotency-Key must be 1 to 200 characters",
        ),
        (("PUT", paid, bearer(secret), body()), 405, "Metoden kan ikke bruges", "Method Not"),
        (("GET", "/api/v1/ingen-sti", bearer(secret)), 404, "Findes ikke", "Not Found"),
    ]


def _send(client, request, language):
    method, url, headers, *data = request
    headers = {**headers, "Accept-Language": language}
    if not data:
        return client.open(url, method=method, headers=headers)
    if isinstance(data[0], str):
        return client.open(url, method=method, headers=headers, data=data[0])
    return client.open(url, method=method, headers=headers, json=data[0])


def test_the_apis_own_messages_in_danish_and_english(app, client, world, case):  # noqa: F811
    _token, secret = issue(world.finance, scope="payments")
    for request, status, danish, english in _shape_problems(app, case, secret):
        for language, words in (("da", danish), ("en", english)):
            response = _send(client, request, language)
            assert response.status_code == status, (request, response.json)
            assert response.mimetype == "application/problem+json"
            assert response.headers["Content-Language"] == language
            said = json.dumps(response.json, ensure_ascii=False)
            assert words in said, (language, request, said)
    assert payments() == []


def test_the_field_messages_in_both_languages(app, client, world, case):  # noqa: F811
    _token, secret = issue(world.finance, scope="payments")
    with app.test_request_context():
        url = url_for("api.mark_paid", case_id=case.id)
    wrong = {"amount": 12, "paid_on": "20261207", "voucher": "", "extra": 1}
    expected = {
        "da": {
            "amount": "Et positivt beløb i kroner",
            "paid_on": "En dato, ÅÅÅÅ-MM-DD.",
            "voucher": "Bilagsnummeret, 1 til 60 tegn.",
            "extra": "Ukendt felt.",
        },
        "en": {
            "amount": "A positive amount in kroner",
            "paid_on": "A date, YYYY-MM-DD.",
            "voucher": "The voucher number, 1 to 60 characters.",
            "extra": "Unknown field.",
        },
    }
    for language, messages in expected.items():
        response = client.post(
            url, json=wrong, headers={**bearer(secret), "Accept-Language": language}
        )
        assert response.status_code == 422
        for field, words in messages.items():
            assert words in response.json["errors"][field][0], (language, response.json)
    # Without a header: the owner's language.
    world.finance.locale = "en"
    db.session.commit()
    response = client.post(url, json=wrong, headers=bearer(secret))
    assert response.json["errors"]["extra"] == ["Unknown field."]
    assert response.json["title"] == "Unprocessable Content"
    assert payments() == []


def test_a_token_without_the_scope_is_told_so_in_its_language(app, client, world, case):  # noqa: F811
    _token, secret = issue(world.finance, scope="read")
    with app.test_request_context():
        url = url_for("api.mark_paid", case_id=case.id)
    for language, words in (("da", "omfatter ikke 'payments'"), ("en", "not include 'payments'")):
        response = client.post(
            url, json=body(), headers={**bearer(secret), "Accept-Language": language}
        )
        assert response.status_code == 403
        assert words in response.json["detail"], response.json
    outsider_token, outsider = issue(world.outsider)
    with app.test_request_context():
        due = url_for("api.payments_due")
    for language, words in (("da", "Nøglens ejer må ikke"), ("en", "The token's owner may not")):
        response = client.get(due, headers={**bearer(outsider), "Accept-Language": language})
        assert response.status_code == 403
        assert words in response.json["detail"], response.json


def test_an_oversize_body_is_a_problem_in_the_callers_language(app, client, world, case):  # noqa: F811
    _token, secret = issue(world.finance, scope="payments")
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    with app.test_request_context():
        url = url_for("api.mark_paid", case_id=case.id)
    big = json.dumps({**body(), "voucher": "x" * (2 * 1024 * 1024)})
    for language, words in (("da", "højst fylde 1 MB"), ("en", "at most 1 MB")):
        response = client.post(
            url,
            data=big,
            headers={
                **bearer(secret),
                "Accept-Language": language,
                "Content-Type": "application/json",
            },
        )
        assert response.status_code == 413
        assert response.mimetype == "application/problem+json"
        assert words in response.json["detail"], response.json
    assert payments() == []


def test_a_voucher_with_a_control_character_is_refused_in_both_languages(app, client, world, case):  # noqa: E501, F811
    """A NUL byte PostgreSQL cannot store, a line break no export writes as it is."""
    _token, secret = issue(world.finance, scope="payments")
    with app.test_request_context():
        url = url_for("api.mark_paid", case_id=case.id)
    expected = {
        "da": "Bilagsnummeret må ikke indeholde styretegn eller linjeskift.",
        "en": "The voucher number cannot contain control characters or line breaks.",
    }
    for voucher in ("B\u0000-1", "B-1\nB-2", "B\u202e-1"):
        for language, words in expected.items():
            response = client.post(
                url,
                json=body(voucher=voucher),
                headers={**bearer(secret), "Accept-Language": language},
            )
            assert response.status_code == 422, response.json
            assert response.json["errors"]["voucher"] == [words], response.json
    assert payments() == []
