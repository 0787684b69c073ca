"""Staff find any case they may see, by any of its words, and never one they may not."""

from __future__ import annotations

import datetime as dt

import pytest

from grants.cases.models import Application
from grants.cases.states import State
from grants.core import access, clock
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


def found_ids(response) -> list[int]:
    """The cases found, by the links of the list's rows, in the list's order."""
    return [
        int(str(anchor["href"]).rsplit("/", 1)[1])
        for anchor in html.page(response).select("table.case-table a[href]")
    ]


def every_page(client, query: dict) -> list[list[int]]:
    """The cases of each page of the search, page after page."""
    pages, number = [], 1
    while True:
        response = client.get("/soeg", query_string={**query, "page": number})
        assert response.status_code == 200
        pages.append(found_ids(response))
        if f"page={number + 1}" not in " ".join(html.links(response)):
            return pages
        number += 1


def expected_pages(user, matches, per_page: int) -> list[list[int]]:
    """What the search should show: the cases ``user`` may see (the rule ``case.view``)
    that ``matches``, newest first (the drafts, unsent, before all), a page at a time."""
    cases = [
        application
        for application in db.session.scalars(db.select(Application))
        if matches(application) and access.may(user, "case.view", application)
    ]
    cases.sort(
        key=lambda a: (a.submitted_at is None, a.submitted_at or dt.datetime.min, a.id),
        reverse=True,
    )
    ids = [application.id for application in cases]
    return [ids[i : i + per_page] for i in range(0, len(ids), per_page)] or [[]]


@pytest.fixture
def larsens(world):
    """A common name: three applicants named Larsen with cases in every kind of state,
    drafts among them (which only their own applicant sees), some sent at the same time,
    some never (as cases made directly in a state are); between them cases of others."""
    people = [make_user(Role.EMPLOYEE, name=f"Anne Larsen {n}") for n in range(3)]
    people.append(world.employee)  # Mette Madsen: her manager sees her cases
    states = [State.SCREENING, State.DRAFT, State.GRANTED, State.SETTLED, State.AWAITING_DECISION]
    sent = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    cases = []
    for n in range(24):
        state = states[n % len(states)]
        applicant = people[n % len(people)]
        cases.append(
            make_application(
                applicant,
                world.fund,
                state=state,
                title=f"Larsen-samarbejde {n}" if applicant is world.employee else f"Tur {n}",
                amount=4000 + 1000 * (n % 4),
                submitted_at=None
                if state == State.DRAFT or n % 7 == 0
                else sent + dt.timedelta(days=n // 3),
            )
        )
    # Drafts one sees as their applicant: one's own, one's organisation's.
    friends = make_organisation(world.manager, name="Larsens Venner")
    for applicant in (world.caseworker, world.manager, world.board_member):
        cases.append(make_application(applicant, world.fund, state=State.DRAFT, title="Larsen"))
    cases.append(
        make_application(world.outsider, world.fund, state=State.DRAFT, organisation=friends)
    )
    db.session.commit()
    return cases


def larsen(application: Application) -> bool:
    organisation = application.organisation.name if application.organisation else ""
    return any(
        "Larsen" in text for text in (application.applicant.name, application.title, organisation)
    )


@pytest.mark.parametrize("window_pages", [1, 2, searching.WINDOW_PAGES])
@pytest.mark.parametrize("who", ["caseworker", "manager", "board_member", "finance"])
def test_a_common_name_shows_every_case_one_may_see_newest_first_a_page_at_a_time(
    app, client, auth, world, larsens, monkeypatch, window_pages, who
):
    """More cases match than a page holds and some may not be seen: each page still shows
    the next ones the person may see, in order. ``window_pages`` 1 makes the search gather
    the cases from the indexes (PostgreSQL) where the newest it reads hold too few."""
    app.config["WORK_QUEUE_PAGE_SIZE"] = 4
    monkeypatch.setattr(searching, "WINDOW_PAGES", window_pages)
    user = getattr(world, who)
    auth.login(user)
    expected = expected_pages(user, larsen, 4)
    assert len(expected) >= 2
    assert every_page(client, {"q": "Larsen"}) == expected


def test_a_rare_name_finds_its_one_case(client, auth, world, larsens):
    rare = make_user(Role.EMPLOYEE, name="Bodil Ebbesen")
    case = make_application(rare, world.fund, state=State.SCREENING, title="Tur til Oslo")
    db.session.commit()
    auth.login(world.caseworker)
    assert every_page(client, {"q": "Ebbesen"}) == [[case.id]]
    if db.session.get_bind().dialect.name == "postgresql":  # SQLite matches substrings only
        assert every_page(client, {"q": "Ebbesn"}) == [[case.id]]  # a letter off


@pytest.mark.parametrize("window_pages", [1, searching.WINDOW_PAGES])
def test_a_title_with_the_fund_and_amount_filters(
    app, client, auth, world, larsens, monkeypatch, window_pages
):
    app.config["WORK_QUEUE_PAGE_SIZE"] = 2
    monkeypatch.setattr(searching, "WINDOW_PAGES", window_pages)
    other_fund = make_fund(code="ungdom", name="Ungdomspuljen", board=[])
    make_application(world.employee, other_fund, state=State.SCREENING, title="Larsen-samarbejde X")
    db.session.commit()
    auth.login(world.caseworker)
    query = {"q": "samarbejde", "fund": world.fund.code, "amount_from": "6000"}

    def matches(application: Application) -> bool:
        return (
            "samarbejde" in (application.title or "")
            and application.fund_id == world.fund.id
            and application.amount_applied >= 6000
        )

    expected = expected_pages(world.caseworker, matches, 2)
    assert sum(len(page) for page in expected) >= 3
    assert every_page(client, query) == expected


def test_without_a_text_the_filters_alone_page_the_same(app, client, auth, world, larsens):
    app.config["WORK_QUEUE_PAGE_SIZE"] = 5
    auth.login(world.caseworker)
    expected = expected_pages(
        world.caseworker, lambda a: a.fund_id == world.fund.id and a.amount_applied <= 5000, 5
    )
    assert every_page(client, {"fund": world.fund.code, "amount_to": "5000"}) == expected


@pytest.mark.parametrize(
    "query, matches",
    [
        ({"q": "Larsen"}, larsen),
        (
            {"q": "samarbejde", "amount_from": "6000"},
            lambda a: "samarbejde" in (a.title or "") and a.amount_applied >= 6000,
        ),
    ],
)
def test_asked_again_and_again_the_search_finds_the_right_cases(
    app, client, auth, world, larsens, query, matches
):
    """PostgreSQL runs the search on its generic plan from the first run
    (``core.models.generic_plan``; psycopg prepares the statement on its sixth): every run,
    prepared or not, shows the right pages."""
    app.config["WORK_QUEUE_PAGE_SIZE"] = 4
    auth.login(world.caseworker)
    expected = expected_pages(world.caseworker, matches, 4)
    assert len(expected) >= 2
    for _again in range(7):
        assert every_page(client, query) == expected
    if db.session.get_bind().dialect.name == "postgresql":  # and only on the generic plan
        custom, generic = db.session.execute(
            db.text(
                "SELECT sum(custom_plans), sum(generic_plans) FROM pg_prepared_statements "
                "WHERE statement LIKE '%walked%'"
            )
        ).one()
        assert (custom, generic >= 6) == (0, True)


def test_a_case_found_two_ways_is_shown_once(app, client, auth, world):
    """A case of the manager's own association that waits for the manager's endorsement is
    among the cases of their side (their organisations') and among those they handle: found
    by both parts of the search, it is one row."""
    app.config["WORK_QUEUE_PAGE_SIZE"] = 2
    club = make_organisation(world.manager, name="Ledernes Klub")
    cases = [
        make_application(
            world.employee,
            world.fund,
            manager=world.manager,
            state=State.AWAITING_ENDORSEMENT,
            organisation=club,
            title=f"Oslo {n}",
            submitted_at=clock.now() - dt.timedelta(days=n),
        )
        for n in range(3)
    ]
    db.session.commit()
    auth.login(world.manager)
    shown = [case for page in every_page(client, {"q": "Oslo"}) for case in page]
    assert sorted(shown) == sorted(case.id for case in cases)


@pytest.mark.parametrize(
    "text, expected",
    [("50%", {"percent"}), ("a_b", {"underscore"}), ("\\", {"backslash"}), ("%", {"percent"})],
)
def test_the_wildcards_of_like_are_searched_for_as_typed(client, auth, world, text, expected):
    """%, _ and the backslash are characters a person types, never LIKE's wildcards or its
    escape (PostgreSQL takes the backslash as LIKE's escape without being told)."""
    titles = {
        "percent": "Rabat 50% i Oslo",
        "fifty": "Tur 507 til Oslo",  # an unescaped 50% would find 507
        "underscore": "Projekt a_b",
        "axb": "Projekt axb",
        "backslash": "Mappe x\\y",
    }
    made = {
        name: make_application(world.employee, world.fund, state=State.SCREENING, title=title)
        for name, title in titles.items()
    }
    db.session.commit()
    auth.login(world.caseworker)
    shown = {case for page in every_page(client, {"q": text}) for case in page}
    assert shown == {made[name].id for name in expected}


def test_a_generic_plan_is_asked_for_the_statements_inside_only(app):
    from sqlalchemy import text

    from grants.core.models import generic_plan

    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plan cache")

    def mode():
        return db.session.scalar(text("SHOW plan_cache_mode"))

    before = mode()
    with generic_plan():
        inside = mode()
    assert (before, inside, mode()) == ("auto", "force_generic_plan", "auto")
    # The setting in force before is put back, whatever it was, and blocks nest.
    db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    with generic_plan():
        with generic_plan():
            pass
        assert mode() == "force_generic_plan"
    assert mode() == "force_custom_plan"
    db.session.rollback()
    with pytest.raises(ZeroDivisionError), generic_plan():
        1 / 0  # noqa: B018 - an error inside: the transaction's end takes the setting back
    db.session.rollback()
    assert mode() == "auto"
