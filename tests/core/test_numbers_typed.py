"""A number typed into a form or a URL is read only from the digits 0-9: "²" passes
``str.isdigit`` but is no number, and ``int`` refused it with a server error on the bulk
pages, the finance officer's plan and the API (found by trying them with "²" and "³")."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from grants.api import tokens
from grants.core import clock
from grants.core.input import parse_id, whole_number
from grants.extensions import db
from tests.dbstate import SIGNING_IN, table_fingerprint

NOT_NUMBERS = ["²", "³", "¹²", "٢٠٢٧", "２０２７", "1²", "", " ", "-1", "1.5", "1e3", "0x1A"]


@given(st.text(max_size=20))
def test_a_whole_number_is_ascii_digits_or_nothing(text):
    number = whole_number(text)
    stripped = text.strip()
    if stripped.isascii() and stripped.isdigit() and len(stripped) <= 12:
        assert number == int(stripped)
    else:
        assert number is None


def test_the_known_lookalikes_are_not_numbers():
    assert [whole_number(text) for text in NOT_NUMBERS] == [None] * len(NOT_NUMBERS)
    assert [parse_id(text) for text in NOT_NUMBERS] == [None] * len(NOT_NUMBERS)
    assert (whole_number(" 2027 "), parse_id("17"), parse_id("0")) == (2027, 17, None)


def test_the_bulk_pages_refuse_a_superscript_case(world, client, auth):
    auth.login(world.caseworker)
    before = table_fingerprint(skip=SIGNING_IN)
    for page, value in (("/rapporter/godkend-flere", "²"), ("/paamindelser/send-flere", "³")):
        response = client.post(page, data={"cases": [value]})
        assert response.status_code == 422, page
        assert "Vælg mindst én sag." in response.get_data(as_text=True)
    assert table_fingerprint(skip=SIGNING_IN) == before


def test_the_allocation_plan_refuses_a_superscript_year(world, client, auth):
    auth.login(world.finance)
    page = client.get("/budgetter/bevillinger?year=²")
    assert page.status_code == 400
    assert "Kun bevillingen for" in page.get_data(as_text=True)  # as for any year not planned


def test_the_api_refuses_a_superscript_page_and_year(world, client):
    _token, secret = tokens.issue(
        "reader", "read", clock.today() + dt.timedelta(days=30), world.finance
    )
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    for url in ("/api/v1/cases?page=²", "/api/v1/balances?year=²٠٢٧", "/api/v1/trips?page=³"):
        response = client.get(url, headers=headers)
        assert response.status_code == 400, url
        assert response.mimetype == "application/problem+json"
