"""A board member reads the budgets of the funds whose board they sit on: the entries and
the waiting applications behind a fund's figures name employees' and associations' cases,
which a politician on another fund's board or committee has no part in. Caseworkers,
finance and administrators read every fund, as before."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from grants.budgets.movements import reserve
from grants.core import clock
from grants.extensions import db
from grants.people.models import Role
from tests import html
from tests.dbstate import table_fingerprint
from tests.factories import make_application, make_fund, make_user, this_year


@pytest.fixture
def politician_and_cases(world):
    politician = make_user(Role.BOARD_MEMBER, name="Poul Politiker", locale="en")
    other = make_fund(code="udvalgets-pulje", name="Udvalgets pulje", board=[politician])
    waiting = make_application(
        world.employee, world.fund, state="screening", amount=5000, title="Hemmelig studietur"
    )
    granted = make_application(
        world.employee, world.fund, state="granted", amount=6000, title="Bevilget studietur"
    )
    reserve(granted, Decimal(6000), world.caseworker)
    own = make_application(
        world.outsider, other, state="screening", amount=3000, title="Udvalgets egen tur"
    )
    db.session.commit()
    _YEAR[0] = waiting.budget_year
    assert granted.budget_year == own.budget_year == waiting.budget_year
    return politician, other, waiting, granted, own


def _fund_page(client, fund, figure, year=None):
    """The fund's year (the cases' budget year: their trips are in it)."""
    year = year or _YEAR[0]
    return client.get(f"/budgetter/{fund.code}/{year}", query_string={"figure": figure})


_YEAR = [0]


@pytest.mark.parametrize("figure", ["waiting", "committed", "budget", ""])
def test_a_board_member_of_another_fund_is_refused_its_entries(
    client, auth, world, politician_and_cases, figure
):
    politician, other, _waiting, granted, _own = politician_and_cases
    auth.login(politician)
    before = table_fingerprint()
    response = _fund_page(client, world.fund, figure)
    assert response.status_code == 403
    text = html.page_text(response)
    assert "Hemmelig studietur" not in text and granted.case_number not in text
    assert table_fingerprint() == before
    # Their own fund's page is theirs, in their language.
    own_page = _fund_page(client, other, figure)
    assert own_page.status_code == 200
    if figure == "waiting":
        assert "Udvalgets egen tur" in html.page_text(own_page)


def test_the_dashboard_lists_only_the_board_members_own_funds(
    client, auth, world, politician_and_cases
):
    politician, other, *_ = politician_and_cases
    auth.login(politician)
    response = client.get("/budgetter")
    assert response.status_code == 200
    addresses = " ".join(html.links(response))
    assert f"/budgetter/{other.code}/" in addresses
    assert f"/budgetter/{world.fund.code}/" not in addresses
    assert world.fund.name not in html.page_text(response)
    # The month-by-month chart says whose funds it sums: not "every fund".
    text = html.page_text(response)
    assert "Your funds 20" in text and "All funds 20" not in text, text  # in English


def test_a_board_member_without_a_board_sees_an_empty_dashboard(client, auth, world):
    nobody = make_user(Role.BOARD_MEMBER, name="Bestyrelse Uden Pulje")
    db.session.commit()
    auth.login(nobody)
    response = client.get("/budgetter")
    assert response.status_code == 200
    assert world.fund.name not in html.page_text(response)
    assert _fund_page(client, world.fund, "waiting", this_year()).status_code == 403


@pytest.mark.parametrize("who", ["board_member", "caseworker", "finance", "admin"])
def test_the_funds_board_and_the_secretariat_read_its_entries(
    client, auth, world, politician_and_cases, who
):
    auth.login(getattr(world, who))
    response = _fund_page(client, world.fund, "waiting")
    assert response.status_code == 200
    assert "Hemmelig studietur" in html.page_text(response)
    granted = politician_and_cases[3]
    committed = _fund_page(client, world.fund, "committed")
    assert granted.case_number in html.page_text(committed)
    assert f"/budgetter/{world.fund.code}/" in " ".join(html.links(client.get("/budgetter")))


def test_the_exports_stay_the_finance_departments(client, auth, world, politician_and_cases):
    politician, *_ = politician_and_cases
    for who in (politician, world.board_member):
        auth.login(who)
        for address in (
            "/budgetter/eksport",
            "/budgetter/eksport/entries.csv",
            "/budgetter/eksport/grants.xlsx",
            "/budgetter/eksport/times.csv",
            "/budgetter/luk-aar",
            "/budgetter/bevillinger",
        ):
            assert client.get(address).status_code == 403, address


def test_the_apis_balances_are_the_funds_one_reads(app, client, world, politician_and_cases):
    from grants.api import tokens

    politician, other, *_ = politician_and_cases
    for owner, expected in (
        (politician, {other.code}),
        (world.board_member, {world.fund.code}),
        (world.finance, {world.fund.code, other.code}),
    ):
        _token, secret = tokens.issue(
            "Budgetoversigt", "read", clock.today() + dt.timedelta(days=30), owner
        )
        db.session.commit()
        response = client.get(
            f"/api/v1/balances?year={this_year()}", headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 200
        assert {item["fund"] for item in response.json["items"]} == expected, owner.name
