"""The caseworker's queue and the applicant's own list stay a page long whatever the number of
cases: the queue says "more than" above the count cap, and both link to the next page."""

from __future__ import annotations

import datetime as dt

from grants.core import pagination
from grants.extensions import db
from tests.factories import make_application, make_fund
from tests.html import links, page, page_text, table_records, texts


def test_the_queue_counts_up_to_the_cap_and_says_more_than_above_it(
    app, client, auth, world, monkeypatch
):
    app.config["WORK_QUEUE_PAGE_SIZE"] = 2
    for n in range(5):
        make_application(world.employee, world.fund, state="screening", title=f"Sag {n}")
    db.session.commit()
    auth.login(world.caseworker)

    html = client.get("/arbejdskoe")
    assert "5 sager venter på dig." in page_text(html)
    shown = texts(html, "main a")
    assert sum(f"Sag {n}" in shown for n in range(5)) == 2
    assert "/arbejdskoe?page=2" in links(html)

    # Counted up to COUNT_PAGES pages past the page's start: here 2 + 1 page of 2.
    monkeypatch.setattr(pagination, "COUNT_PAGES", 1)
    html = client.get("/arbejdskoe?page=2")
    assert "Mere end 4 sager venter på dig." in page_text(html)
    assert "/arbejdskoe?page=3" in links(html)


def test_my_applications_come_a_page_at_a_time(app, client, auth, world):
    app.config["MY_APPLICATIONS_PAGE_SIZE"] = 3
    for n in range(4):
        make_application(world.employee, world.fund, title=f"Min ansøgning {n}")
    make_application(world.caseworker, world.fund, title="En andens ansøgning")
    db.session.commit()
    auth.login(world.employee)

    first = client.get("/ansoegninger/mine")
    second = client.get("/ansoegninger/mine?page=2")
    assert "Viser 1-3 af 4." in page_text(first) and "Viser 4-4 af 4." in page_text(second)
    listed = [
        [row["Titel"] for row in table_records(page, ".case-table")] for page in (first, second)
    ]
    titles = [f"Min ansøgning {n}" for n in range(4)]
    assert sum(title in listed[0] for title in titles) == 3
    assert sum(title in listed[1] for title in titles) == 1
    assert "En andens ansøgning" not in listed[0] + listed[1]


def test_the_queue_filtered_by_fund_and_a_letter_pages_the_oldest_first(app, client, auth, world):
    """The filtered queue reads the open cases from the oldest (the index of the open cases):
    the settled and refused cases before them, and the cases of another fund or without the
    letter between them, are stepped over; each page shows the next waiting cases."""
    app.config["WORK_QUEUE_PAGE_SIZE"] = 2
    other_fund = make_fund(code="ungdom", name="Ungdomspuljen", board=[])
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    waiting = []
    for n in range(30):
        sent = start + dt.timedelta(days=n // 2)  # two at a time: the id decides
        state = ("settled", "refused", "screening", "screening", "granted")[n % 5]
        fund = other_fund if n % 4 == 3 else world.fund
        title = f"Sag {n}" if n % 3 else f"Tur {n}"  # no "g" in "Tur" (nor in Mette Madsen)
        case = make_application(world.employee, fund, state=state, title=title, submitted_at=sent)
        if state == "screening" and fund is world.fund and "g" in title:
            waiting.append(case.id)
    # One never sent (made directly in its state): last, as the queue orders.
    unsent = make_application(world.employee, world.fund, state="screening", title="Sag sidst")
    waiting.append(unsent.id)
    db.session.commit()
    auth.login(world.caseworker)
    shown = []
    for number in range(1, 10):
        response = client.get(
            "/arbejdskoe", query_string={"fund": world.fund.code, "q": "g", "page": number}
        )
        shown += [
            int(str(a["href"]).rsplit("/", 1)[1]) for a in page(response).select("table a[href]")
        ]
        if f"page={number + 1}" not in " ".join(links(response)):
            break
    assert len(waiting) >= 4
    assert shown == waiting


def test_the_queue_page_gives_the_menu_its_count(app, client, auth, world, monkeypatch):
    """The unfiltered queue counts the same cases as the menu: the menu says its total and
    the layout does not count them again; a filtered page, or a count stopped below the
    menu's own cap, leaves the menu to count for itself."""
    from flask import g
    from sqlalchemy import event

    app.config["WORK_QUEUE_PAGE_SIZE"] = 2
    for n in range(5):
        make_application(world.employee, world.fund, state="screening", title=f"Sag {n}")
    db.session.commit()
    auth.login(world.caseworker)
    client.get("/arbejdskoe")  # warm: the steps the app keeps

    counts: list[str] = []

    def note(conn, cursor, statement, *args):
        if "count(" in statement.lower() and "municipality" in statement:
            counts.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert "Mine opgaver (5)" in menu_of(client.get("/arbejdskoe"))
        assert counts == []
        # The test's application context outlives a request (a server's does not): the
        # count the page gave its menu is dropped as a new request would start without it.
        g.pop("waiting_counted")
        filtered = client.get("/arbejdskoe", query_string={"q": "Sag 1"})
        assert "Mine opgaver (5)" in menu_of(filtered)
        assert len(counts) == 1
        # Counted up to one page past the start (2 of 5): the menu counts for itself.
        monkeypatch.setattr(pagination, "COUNT_PAGES", 1)
        g.pop("waiting_counted", None)
        assert "Mine opgaver (5)" in menu_of(client.get("/arbejdskoe"))
        assert len(counts) == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def menu_of(response) -> str:
    return " ".join(texts(response, "nav.nav"))
