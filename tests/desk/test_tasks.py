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


def ask(application, caseworker, due: dt.date | None, body: str = "Send programmet."):
    """A request for information on ``application``, to be answered by ``due``."""
    from grants.messages.models import REQUEST, CaseMessage

    message = CaseMessage(
        application_id=application.id,
        author_id=caseworker.id,
        kind=REQUEST,
        body=body,
        due_date=due,
    )
    db.session.add(message)
    db.session.flush()
    return message


@pytest.mark.parametrize("who", ["employee", "caseworker"])
def test_the_earliest_deadline_first_for_every_person(client, auth, world, who):
    """Sorted by deadline: the one the list shows. The staff's: a report's due date while
    it is due, else the departure while the case is undecided. The applicant's own: the
    answer to a request for information, else the report's while it is due. A case without
    one last, either way round. A caseworker's list is read along the index of the deadline
    on PostgreSQL, anyone else's sorted."""
    person = getattr(world, who)
    applicant = world.employee if who == "employee" else world.outsider
    waiting = State.AWAITING_INFORMATION if who == "employee" else State.SCREENING
    for title, days in {"Om tyve": 20, "Om fem": 5, "Om ti": 10}.items():
        case = make_application(
            applicant, world.fund, state=waiting, title=title, departure_date=clock.today()
            + dt.timedelta(days=days * 3), return_date=clock.today() + dt.timedelta(days=99),
        )  # fmt: skip
        if who == "employee":  # the applicant's deadline: the answer asked for
            ask(case, world.caseworker, clock.today() + dt.timedelta(days=days))
        else:  # the caseworker's: the decision before the departure
            case.departure_date = clock.today() + dt.timedelta(days=days)
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


def short_day(day: dt.date) -> str:
    """A date as the list shows it, in Danish."""
    from grants.core.formatting import short_date

    return short_date(day, "da")


def deadline_cell(response, title: str) -> str:
    """The deadline cell of the task list's row of the case ``title``."""
    (row,) = [row for row in rows(response) if title in row[1]]
    return row[5]


def test_a_late_answer_to_a_request_is_marked_overdue_in_the_caseworkers_list(client, auth, world):
    """A case that waits for the caseworker with a request for information open (a message
    with a deadline: the request is no step of the route in this state): the cell says when
    the applicant's answer is due under the case's own deadline, and says "overdue" in words
    once the day has passed; an answered request is no longer shown."""
    today = clock.today()
    departure = today + dt.timedelta(days=40)
    late = make_application(world.outsider, world.fund, state=State.AWAITING_DECISION,
                            title="Sent svar", departure_date=departure)  # fmt: skip
    due = make_application(world.outsider, world.fund, state=State.AWAITING_DECISION,
                           title="Svar undervejs", departure_date=departure)  # fmt: skip
    answered = make_application(world.outsider, world.fund, state=State.AWAITING_DECISION,
                                title="Besvaret", departure_date=departure)  # fmt: skip
    ask(late, world.caseworker, today - dt.timedelta(days=1))
    ask(due, world.caseworker, today + dt.timedelta(days=3))
    ask(answered, world.caseworker, today - dt.timedelta(days=2))
    from grants.messages.models import CaseMessage

    db.session.add(
        CaseMessage(application_id=answered.id, author_id=world.outsider.id,
                    from_applicant=True, body="Her er programmet.")
    )  # fmt: skip
    db.session.commit()
    auth.login(world.caseworker)
    response = client.get("/opgaver")
    day = short_day
    cell = deadline_cell(response, "Sent svar")
    assert cell == (
        f"Afgørelse før afrejse {day(departure)} "
        f"Ansøgerens svar senest {day(today - dt.timedelta(days=1))} Overskredet"
    )
    # In words, as a status tag: not by its colour alone.
    assert "Overskredet" in html.badges(response)
    assert deadline_cell(response, "Svar undervejs") == (
        f"Afgørelse før afrejse {day(departure)} "
        f"Ansøgerens svar senest {day(today + dt.timedelta(days=3))}"
    )
    assert deadline_cell(response, "Besvaret") == f"Afgørelse før afrejse {day(departure)}"

    client.post("/sprog", data={"locale": "en"})
    cell = deadline_cell(client.get("/opgaver"), "Sent svar")
    assert "Applicant's reply by" in cell and cell.endswith("Overdue")


def test_a_passed_deadline_is_marked_overdue_whoever_keeps_it(client, auth, world):
    """The same mark on every deadline the list shows: a decision not made before a
    departure that has passed, a report past its due date."""
    today = clock.today()
    make_application(world.outsider, world.fund, state=State.SCREENING, title="Rejst",
                     departure_date=today - dt.timedelta(days=2),
                     return_date=today + dt.timedelta(days=2))  # fmt: skip
    make_application(world.outsider, world.fund, state=State.SCREENING, title="Senere",
                     departure_date=today + dt.timedelta(days=2))  # fmt: skip
    report = make_application(world.employee, world.fund, state=State.GRANTED, title="Rapport",
                              outcome="granted", return_date=today - dt.timedelta(days=9))  # fmt: skip
    report.report_due = today - dt.timedelta(days=1)
    db.session.commit()
    auth.login(world.caseworker)
    response = client.get("/opgaver")
    assert deadline_cell(response, "Rejst").endswith("Overskredet")
    assert "Overskredet" not in deadline_cell(response, "Senere")
    auth.login(world.employee)
    response = client.get("/opgaver")
    assert deadline_cell(response, "Rapport") == (
        f"Rapport senest {short_day(report.report_due)} Overskredet"
    )


def test_the_applicants_own_deadline_not_the_authoritys(client, auth, world):
    """On the applicant's own list the deadline is theirs: the answer a request asks for by
    its date (overdue once it has passed), the report's after the trip; never the deadline
    of the decision, which is the municipality's to keep."""
    today = clock.today()
    departure = today + dt.timedelta(days=30)
    asked = make_application(world.employee, world.fund, state=State.AWAITING_INFORMATION,
                             title="Spurgt", departure_date=departure)  # fmt: skip
    late = make_application(world.employee, world.fund, state=State.AWAITING_INFORMATION,
                            title="Forsinket", departure_date=departure)  # fmt: skip
    make_application(world.employee, world.fund, state=State.AWAITING_INFORMATION,
                     title="Uden frist", departure_date=departure)  # fmt: skip
    report = make_application(world.employee, world.fund, state=State.GRANTED, title="Rejst",
                              outcome="granted", return_date=today - dt.timedelta(days=1))  # fmt: skip
    report.report_due = today + dt.timedelta(days=30)
    ask(asked, world.caseworker, today + dt.timedelta(days=6))
    ask(late, world.caseworker, today - dt.timedelta(days=1))
    db.session.commit()
    auth.login(world.employee)
    response = client.get("/opgaver")
    day = short_day
    assert deadline_cell(response, "Spurgt") == f"Svar senest {day(today + dt.timedelta(days=6))}"
    assert deadline_cell(response, "Forsinket") == (
        f"Svar senest {day(today - dt.timedelta(days=1))} Overskredet"
    )
    assert deadline_cell(response, "Uden frist") == "–"
    assert deadline_cell(response, "Rejst") == f"Rapport senest {day(report.report_due)}"
    assert "Afgørelse før afrejse" not in html.text_of(response, "table")

    client.post("/sprog", data={"locale": "en"})
    response = client.get("/opgaver")
    assert deadline_cell(response, "Spurgt").startswith("Reply by ")
    assert deadline_cell(response, "Forsinket").endswith("Overdue")


def test_the_deadlines_of_requests_take_no_query_of_their_own(client, auth, world):
    """The request's deadline is read with the rows: a page of many cases with requests
    takes the same statements as a page of one."""
    auth.login(world.caseworker)
    first = make_application(world.outsider, world.fund, state=State.AWAITING_DECISION)
    ask(first, world.caseworker, clock.today() - dt.timedelta(days=1))
    db.session.commit()
    client.get("/opgaver")  # warm: the steps the app keeps
    with QueryCounter() as one:
        assert client.get("/opgaver").status_code == 200
    for n in range(6):
        case = make_application(world.outsider, world.fund, state=State.AWAITING_DECISION)
        ask(case, world.caseworker, clock.today() + dt.timedelta(days=n))
    db.session.commit()
    with QueryCounter() as many:
        response = client.get("/opgaver")
    assert len(rows(response)) == 7
    assert many.count == one.count <= 9


def state_cell(response, title: str) -> str:
    """The state cell of the case list's row of the case ``title`` (the work queue's, the
    search's: case_table)."""
    (row,) = [row for row in html.table_rows(response)[1:] if title in row[1]]
    return row[6]


def test_the_work_queue_and_the_search_mark_a_late_answer_too(client, auth, world):
    """The work queue lists the same cases as the task list, the search any case (a case
    that waits for the applicant's answer too): under the state, when the applicant's
    answer is due, and "overdue" in words once the day has passed."""
    today = clock.today()
    waiting = make_application(world.outsider, world.fund, state=State.AWAITING_DECISION,
                               title="Venter på afgørelse")  # fmt: skip
    asked = make_application(world.outsider, world.fund, state=State.AWAITING_INFORMATION,
                             title="Venter på svar")  # fmt: skip
    make_application(world.outsider, world.fund, state=State.AWAITING_DECISION,
                     title="Uden anmodning")  # fmt: skip
    ask(waiting, world.caseworker, today - dt.timedelta(days=4))
    ask(asked, world.caseworker, today - dt.timedelta(days=1))
    db.session.commit()
    late = f"Ansøgerens svar senest {short_day(today - dt.timedelta(days=4))} Overskredet"
    auth.login(world.caseworker)
    queue = client.get("/arbejdskoe")
    assert state_cell(queue, "Venter på afgørelse") == f"Afventer afgørelse {late}"
    assert state_cell(queue, "Uden anmodning") == "Afventer afgørelse"
    assert "Overskredet" in html.badges(queue)
    found = client.get("/soeg", query_string={"q": "Venter"})
    assert state_cell(found, "Venter på svar") == (
        "Afventer supplerende oplysninger Ansøgerens svar senest "
        f"{short_day(today - dt.timedelta(days=1))} Overskredet"
    )
    assert state_cell(found, "Venter på afgørelse").endswith(late)
    client.post("/sprog", data={"locale": "en"})
    assert state_cell(client.get("/arbejdskoe"), "Venter på afgørelse").endswith("Overdue")
