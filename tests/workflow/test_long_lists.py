"""The caseworker's queue and the applicant's own list stay a page long whatever the number of
cases: the queue says "more than" above the count cap, and both link to the next page."""

from __future__ import annotations

from grants.core import pagination
from grants.extensions import db
from tests.factories import make_application
from tests.html import links, page_text, table_records, texts


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
