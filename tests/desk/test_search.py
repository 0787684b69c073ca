"""Staff find any case they may see, by any of its words, and never one they may not."""

from __future__ import annotations

import pytest

from grants.cases.models import Application
from grants.cases.states import State
from grants.core import access
from grants.desk import search as searching
from grants.extensions import db
from grants.people.models import Role
from tests import html
from tests.factories import make_application, make_fund, make_organisation, make_user


@pytest.fixture
def cases(world):
    w = world
    orchestra = make_organisation(w.outsider, name="Ballerup Ungdomsorkester", cvr="29189765")
    other_fund = make_fund(code="ungdom", name="Ungdomspuljen", board=[])
    cases = {
        "berlin": make_application(
            w.employee,
            w.fund,
            state=State.GRANTED,
            title="Konference i Berlin",
            destination_city="Berlin",
            purpose="Vi vil lære om orkestrets arbejde med unge musikere.",
            amount=6500,
        ),
        "draft": make_application(w.employee, w.fund, state=State.DRAFT, title="Kladde Berlin"),
        "orchestra": make_application(
            w.outsider,
            other_fund,
            state=State.SETTLED,
            title="Orkestertur til Prag",
            destination_city="Prag",
            organisation=orchestra,
            amount=12000,
            direct_contact="To fælles koncerter med de unge fra Prag 10.",
        ),
    }
    db.session.commit()
    return cases


def found(response) -> list[str]:
    """The case numbers found (no table: none)."""
    if html.page(response).select_one("table") is None:
        return []
    return [row[0] for row in html.table_rows(response)[1:]]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Madsen", {"berlin"}),  # the applicant's name
        ("Berlin", {"berlin"}),  # title and destination; never another's draft
        ("Ungdomsorkester", {"orchestra"}),  # the organisation
        ("Ungdomsork", {"orchestra"}),  # a partial word
        ("29189765", {"orchestra"}),  # the CVR number
        ("musikere", {"berlin"}),  # the application's text
        ("Prag", {"orchestra"}),
        ("koncert", {"orchestra"}),  # the youth subsidy's text: the direct contact
    ],
)
def test_a_caseworker_finds_a_case_by_any_of_its_words(client, auth, world, cases, query, expected):
    auth.login(world.caseworker)
    response = client.get("/soeg", query_string={"q": query})
    assert response.status_code == 200
    assert set(found(response)) == {cases[name].case_number for name in expected}


def test_filters_by_fund_state_year_and_amount(client, auth, world, cases):
    auth.login(world.caseworker)
    year = cases["berlin"].case_number[:4]
    every = client.get("/soeg", query_string={"year": year})
    assert set(found(every)) == {cases["berlin"].case_number, cases["orchestra"].case_number}
    granted = client.get("/soeg", query_string={"state": State.GRANTED})
    assert found(granted) == [cases["berlin"].case_number]
    fund = client.get("/soeg", query_string={"fund": "ungdom"})
    assert found(fund) == [cases["orchestra"].case_number]
    amount = client.get("/soeg", query_string={"amount_from": "10.000,00"})
    assert found(amount) == [cases["orchestra"].case_number]


def test_a_case_number_goes_straight_to_the_case(client, auth, world, cases):
    auth.login(world.caseworker)
    number = cases["berlin"].case_number
    response = client.get("/soeg", query_string={"q": f" {number} "})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ansoegninger/{cases['berlin'].id}"


def test_a_case_number_of_a_case_one_may_not_see_finds_nothing(client, auth, world, cases):
    auth.login(world.manager)  # Mette's manager: her cases, not the orchestra's
    response = client.get("/soeg", query_string={"q": cases["orchestra"].case_number})
    assert response.status_code == 200 and found(response) == []
    assert found(client.get("/soeg", query_string={"q": "Prag"})) == []
    assert found(client.get("/soeg", query_string={"q": "Berlin"})) == [cases["berlin"].case_number]


def test_an_ambiguous_amount_is_said_next_to_the_field(client, auth, world, cases):
    auth.login(world.caseworker)
    response = client.get("/soeg", query_string={"amount_from": "6.500"})
    assert response.status_code == 400
    assert "6.500" in html.field_error(response, "amount_from")
    assert found(response) == []
    backwards = client.get("/soeg", query_string={"amount_from": "5000", "amount_to": "100"})
    assert backwards.status_code == 400 and html.field_error(backwards, "amount_to")
    year = client.get("/soeg", query_string={"year": "tyve"})
    assert year.status_code == 400 and html.field_error(year, "year")


def test_people_without_a_staff_role_may_not_search(client, auth, world, cases):
    auth.login(world.employee)
    assert client.get("/soeg", query_string={"q": "Berlin"}).status_code == 403
    assert "Søg" not in html.texts(client.get("/opgaver"), "nav.nav a")


def test_the_results_come_a_page_at_a_time(app, client, auth, world, cases):
    app.config["WORK_QUEUE_PAGE_SIZE"] = 2
    for n in range(3):
        make_application(world.employee, world.fund, state=State.SCREENING, title=f"Side {n}")
    db.session.commit()
    auth.login(world.caseworker)
    first = client.get("/soeg", query_string={"q": "Side"})
    assert len(found(first)) == 2 and "/soeg?page=2&q=Side" in html.links(first)
    assert len(found(client.get("/soeg", query_string={"q": "Side", "page": 2}))) == 1


@pytest.mark.parametrize(
    "who", ["employee", "manager", "caseworker", "board_member", "finance", "admin", "outsider"]
)
def test_the_search_never_shows_a_case_its_rule_hides(app, world, cases, who):
    """The SQL condition and the rule ``case.view`` agree, case by case, for each person."""
    stranger = make_user(Role.EMPLOYEE, Role.MANAGER)
    make_application(stranger, world.fund, state=State.SCREENING, title="Fremmed")
    db.session.commit()
    user = getattr(world, who)
    with app.test_request_context():
        visible = set(
            db.session.scalars(db.select(Application.id).where(searching.visible_to(user)))
        )
        for application in db.session.scalars(db.select(Application)):
            assert (application.id in visible) == access.may(user, "case.view", application), (
                who,
                application.title,
            )
