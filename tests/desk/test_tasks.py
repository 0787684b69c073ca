"""Each person lands on their own tasks: what waits for them by the routes (the transition
table and the permissions), how long it has waited, its deadline, sortable, counted in the
menu."""

from __future__ import annotations

import datetime as dt

import pytest

from grants.cases.models import Application
from grants.cases.states import State
from grants.core import clock
from grants.extensions import db
from grants.people.models import Role
from tests import html
from tests.factories import make_application, make_fund, make_user
from tests.publication.helpers import QueryCounter


@pytest.fixture
def cases(world):
    w = world
    other_employee = make_user(Role.EMPLOYEE, name="Karin Krog")
    other_fund = make_fund(code="anden-pulje", name="Anden pulje")
    cases = {
        "endorsement": make_application(
            w.employee, w.fund, state=State.AWAITING_ENDORSEMENT, title="Til lederen", amount=3000
        ),
        "screening": make_application(
            other_employee, other_fund, state=State.SCREENING, title="Til screening", amount=9000
        ),
        "information": make_application(
            w.employee, w.fund, state=State.AWAITING_INFORMATION, title="Mangler oplysninger"
        ),
        "board": make_application(
            other_employee,
            w.fund,
            state=State.AWAITING_DECISION,
            title="Over grænsen",
            amount=20000,
        ),
        "settled": make_application(w.employee, w.fund, state=State.SETTLED, title="Afsluttet"),
    }
    cases["screening"].state_since = clock.now() - dt.timedelta(days=12)
    db.session.commit()
    return cases


def rows(response) -> list[list[str]]:
    """The list's rows, without its heading (no table: none)."""
    if html.page(response).select_one("table") is None:
        return []
    return html.table_rows(response)[1:]


def has_title(response, title: str) -> bool:
    return any(title in row[1] for row in rows(response))


@pytest.mark.parametrize(
    "who, expected",
    [
        ("employee", {"Mangler oplysninger"}),
        ("manager", {"Til lederen"}),
        ("caseworker", {"Til screening"}),
        ("board_member", {"Over grænsen"}),
        ("finance", set()),
        ("admin", set()),
        ("outsider", set()),
    ],
)
def test_each_person_sees_what_waits_for_them_and_nothing_else(
    client, auth, world, cases, who, expected
):
    auth.login(getattr(world, who))
    landing = client.get("/")
    assert landing.status_code == 302 and landing.headers["Location"] == "/opgaver"
    response = client.get("/opgaver")
    assert response.status_code == 200
    shown = {title for c in cases.values() if has_title(response, (title := c.title))}
    assert shown == expected
    menu = html.text_of(response, "nav.nav")
    if expected:
        assert f"Mine opgaver ({len(expected)})" in menu
    else:
        assert "Mine opgaver" in menu and "Mine opgaver (" not in menu


def test_the_list_says_how_long_a_case_waited_and_its_deadline(client, auth, world, cases):
    auth.login(world.caseworker)
    response = client.get("/opgaver")
    (row,) = rows(response)
    assert row[0] == cases["screening"].case_number
    assert "12 dage" in row[4]
    assert "Afgørelse før afrejse" in row[5]
    # The next steps, by the route, in its order: those that wait for the caseworker.
    assert row[2] == (
        "Bed om flere oplysninger, Send til afgørelse, Bevil fuldt ud, Bevil delvist, Giv afslag"
    )
    auth.login(world.manager)
    (row,) = rows(client.get("/opgaver"))
    assert (row[1].split()[0], row[2]) == ("Til", "Anbefal, Anbefal ikke")


def test_sorting_by_a_column_without_script(client, auth, world, cases):
    auth.login(world.caseworker)
    # A second case waiting for the caseworker, bigger and newer.
    make_application(world.outsider, world.fund, state=State.SCREENING, title="Stor", amount=14000)
    db.session.commit()
    response = client.get("/opgaver?sort=amount&order=desc")
    assert [r[1].split()[0] for r in rows(response)] == ["Stor", "Til"]
    sorted_heading = html.page(response).select_one("th[aria-sort]")
    assert sorted_heading["aria-sort"] == "descending" and "Ansøgt" in html.text(sorted_heading)
    ascending = rows(client.get("/opgaver?sort=amount&order=asc"))
    assert [r[1].split()[0] for r in ascending] == ["Til", "Stor"]
    # The default: the longest waiting first. An unknown order is the default, not an error.
    assert client.get("/opgaver?sort=nonsense&order=up").status_code == 200


@pytest.mark.parametrize("who", ["employee", "caseworker"])
def test_the_longest_waiting_first_for_every_person(client, auth, world, who):
    """A caseworker's list is read along the index of the order, anyone else's is sorted
    (``tasks.sorted_apart``): the same order either way, a case without a moment last."""
    person = getattr(world, who)
    applicant = world.employee if who == "employee" else world.outsider
    state = State.AWAITING_INFORMATION if who == "employee" else State.SCREENING
    waited = {"Ti dage": 10, "Ingen dato": None, "Tre dage": 3, "Tyve dage": 20}
    for title, days in waited.items():
        case = make_application(applicant, world.fund, state=state, title=title)
        case.state_since = None if days is None else clock.now() - dt.timedelta(days=days)
    db.session.commit()
    db.session.execute(
        Application.__table__.update()
        .where(Application.title == "Ingen dato")
        .values(state_since=None)
    )
    db.session.commit()
    auth.login(person)
    titles = [" ".join(r[1].split()[:2]) for r in rows(client.get("/opgaver"))]
    assert titles == ["Tyve dage", "Ti dage", "Tre dage", "Ingen dato"]


@pytest.mark.parametrize("who", ["employee", "caseworker"])
def test_the_earliest_deadline_first_for_every_person(client, auth, world, who):
    """Sorted by deadline: a report's due date while it is due, else the departure while the
    case is undecided; a case without one last, either way round. A caseworker's list is
    read along the index of the deadline on PostgreSQL, anyone else's sorted."""
    person = getattr(world, who)
    applicant = world.employee if who == "employee" else world.outsider
    waiting = State.AWAITING_INFORMATION if who == "employee" else State.SCREENING
    for title, days in {"Om tyve": 20, "Om fem": 5, "Om ti": 10}.items():
        make_application(
            applicant, world.fund, state=waiting, title=title, departure_date=clock.today()
            + dt.timedelta(days=days), return_date=clock.today() + dt.timedelta(days=days + 3),
        )  # fmt: skip
    if who == "employee":  # a report due in a week: the employee's own step
        report = make_application(applicant, world.fund, state=State.GRANTED, title="Om syv")
        report.report_due = clock.today() + dt.timedelta(days=7)
        report.return_date = clock.today() - dt.timedelta(days=1)
        report.outcome = "granted"
        undated = make_application(applicant, world.fund, state=waiting, title="Uden dato")
    else:
        undated = make_application(applicant, world.fund, state=waiting, title="Uden dato")
    undated.departure_date = None
    db.session.commit()
    auth.login(person)

    def titles(query: str) -> list[str]:
        return [" ".join(r[1].split()[:2]) for r in rows(client.get(f"/opgaver?{query}"))]

    first = ["Om fem", "Om syv", "Om ti", "Om tyve"] if who == "employee" else [
        "Om fem", "Om ti", "Om tyve"]  # fmt: skip
    assert titles("sort=deadline&order=asc") == [*first, "Uden dato"]
    assert titles("sort=deadline&order=desc") == [*reversed(first), "Uden dato"]


def test_a_caseworkers_tasks_by_deadline_are_read_along_its_index(world, cases):
    """PostgreSQL: the first page of a caseworker's tasks sorted by deadline comes from the
    index on the deadline's expression (migration c3e5a7b9d1f4), not from sorting every
    task. The index serves only the very expression the list sends, so this fails if the
    two drift apart."""
    from sqlalchemy import text

    from grants.desk import tasks

    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("an index on the deadline's expression is PostgreSQL's (SQLite sorts)")
    rows_query, _count = tasks.task_query(world.caseworker, tasks.Filters(sort="deadline"))
    dialect = db.session.get_bind().dialect
    # As sent: the states written into the statement, never parameters (an index on an
    # expression serves only the same expression, constants and all, in every plan).
    sent = str(rows_query.compile(dialect=dialect, compile_kwargs={"render_postcompile": True}))
    assert "IN ('granted', 'partly_granted', 'report_returned')" in sent
    sql = rows_query.limit(21).compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    db.session.execute(text("SET LOCAL enable_sort = off"))
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN (COSTS OFF) {sql}")))
    db.session.rollback()
    assert "ix_application_deadline_id" in plan, plan
    # The page's own order is the index's: no sort of the rows above the limit.
    assert "Sort" not in plan.split("Limit", 1)[1].split("->", 2)[1], plan


def test_a_managers_filters_offer_only_their_employees_funds_and_states(client, auth, world, cases):
    auth.login(world.manager)
    response = client.get("/opgaver")
    assert html.options(response, "fund") == {
        "": "Alle puljer",
        "studierejsefonden": "Studierejsefonden",
    }
    assert list(html.options(response, "state")) == ["", State.AWAITING_ENDORSEMENT]
    auth.login(world.caseworker)
    assert "anden-pulje" in html.options(client.get("/opgaver"), "fund")


def test_a_filter_value_not_offered_is_said_next_to_the_field(client, auth, world, cases):
    auth.login(world.manager)
    response = client.get("/opgaver?fund=anden-pulje")
    assert response.status_code == 400
    assert html.field_error(response, "fund")
    # Nothing is hidden by the refused filter: the list is the whole list.
    assert has_title(response, "Til lederen")


def test_the_page_and_its_menu_count_take_few_queries(client, auth, world, cases):
    auth.login(world.caseworker)
    client.get("/opgaver")  # warm: the steps the app keeps
    with QueryCounter() as counter:
        assert client.get("/opgaver").status_code == 200
    assert counter.count <= 9


def test_the_menu_count_is_one_query_on_other_pages(client, auth, world, cases):
    auth.login(world.caseworker)
    client.get("/ansoegninger/mine")
    with QueryCounter() as with_count:
        client.get("/ansoegninger/mine")
    assert with_count.count <= 7


def test_the_finance_officer_is_told_how_many_grants_wait_for_payment(client, auth, world):
    from decimal import Decimal

    granted = make_application(world.employee, world.fund, state=State.GRANTED)
    granted.granted_amount = Decimal(8000)
    make_application(world.employee, world.fund, state=State.REFUSED)
    db.session.commit()
    auth.login(world.finance)
    text = html.text_of(client.get("/opgaver"))
    assert "1 bevilling venter på at blive udbetalt." in text
    auth.login(world.caseworker)
    assert "udbetalt" not in html.text_of(client.get("/opgaver"))


def menu_of(client, path: str = "/ansoegninger/mine") -> str:
    return html.text_of(client.get(path), "nav.nav")


def test_the_kept_menu_count_follows_new_cases_and_a_role_taken_away(client, auth, world, cases):
    """The menu's count statement is kept with the person's condition (grants.desk.tasks
    ``menu_count``): it still counts a case that arrives after it was made, never another
    person's cases, and stops counting when the role that gave the cases is taken away."""
    from sqlalchemy import delete

    from grants.people.models import UserRole

    auth.login(world.caseworker)
    assert "Mine opgaver (1)" in menu_of(client)
    assert "Mine opgaver (1)" in menu_of(client)  # the kept statement, used again
    make_application(world.employee, world.fund, state=State.SCREENING, title="Ny")
    db.session.commit()
    assert "Mine opgaver (2)" in menu_of(client)
    auth.logout()
    auth.login(world.manager)  # another person: their own count, not the caseworker's
    assert "Mine opgaver (1)" in menu_of(client)
    auth.logout()
    db.session.execute(
        delete(UserRole).where(
            UserRole.user_id == world.caseworker.id, UserRole.role == Role.CASEWORKER
        )
    )
    db.session.commit()
    db.session.expire_all()
    auth.login(world.caseworker)
    assert "Mine opgaver (" not in menu_of(client)


def test_every_text_of_a_row_is_escaped(client, auth, world):
    """The rows are written in Python (grants.desk.task_table): a title, a name and a fund's
    name that look like markup are shown as text."""
    person = make_user(Role.EMPLOYEE, name="<b>Ansøger</b> & co")
    fund = make_fund(code="markup-pulje", name="<i>Pulje</i>")
    make_application(person, fund, state=State.SCREENING, title='<script>"x"</script>')
    db.session.commit()
    auth.login(world.caseworker)
    page = client.get("/opgaver").get_data(as_text=True)
    assert "<script>" not in page and "<b>Ansøger" not in page and "<i>Pulje" not in page
    assert "&lt;script&gt;&#34;x&#34;&lt;/script&gt;" in page
    assert "&lt;b&gt;Ansøger&lt;/b&gt; &amp; co" in page and "&lt;i&gt;Pulje&lt;/i&gt;" in page


def test_the_kept_statements_take_each_requests_filter_page_and_cases(client, auth, world, cases):
    """The list's statements are kept across requests with the filter's values, the page and
    the count as parameters: each request shows its own filter's cases, as they are now."""
    auth.login(world.caseworker)

    def titles(address: str) -> list[str]:
        return [r[1].split()[0] for r in rows(client.get(address))]

    assert titles("/opgaver?fund=anden-pulje") == ["Til"]
    make_application(world.outsider, world.fund, state=State.SCREENING, title="Ny sag")
    db.session.commit()
    assert titles(f"/opgaver?fund={world.fund.code}") == ["Ny"]
    assert titles("/opgaver?fund=anden-pulje") == ["Til"]
    assert titles("/opgaver?state=screening&sort=amount&order=desc") == ["Til", "Ny"]
    assert titles("/opgaver?state=screening&sort=amount&order=asc") == ["Ny", "Til"]
    assert len(titles("/opgaver")) == 2 and titles("/opgaver?page=2") == []
