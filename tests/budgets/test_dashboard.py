"""The budget dashboard, the entries behind each figure, and what a decider sees before
deciding."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from flask import render_template_string, url_for
from sqlalchemy import event

from grants.budgets.balances import balance, month_by_month
from grants.budgets.models import BudgetEntry, EntryKind
from grants.budgets.movements import record_payment, release, reserve
from grants.budgets.preview import decision_preview
from grants.budgets.views import FIGURES, _effect
from grants.core import clock
from grants.core.formatting import money
from grants.extensions import db
from tests.factories import make_application, make_fund, this_year
from tests.html import (
    field_error,
    field_errors,
    headings,
    links,
    notices,
    page,
    table_rows,
    text_of,
    texts,
)


def spend(world, fund=None, amount=8000, paid=3000, **overrides):
    application = make_application(
        world.employee, fund or world.fund, amount=amount, state="granted", **overrides
    )
    reserve(application, Decimal(amount), world.caseworker)
    if paid:
        record_payment(application, Decimal(paid), world.finance, clock.today(), "B-7")
    db.session.commit()
    return application


def in_year(days_from_new_year: int = 200) -> dict:
    departure = dt.date(this_year(), 1, 1) + dt.timedelta(days=days_from_new_year)
    return {"departure_date": departure, "return_date": departure + dt.timedelta(days=4)}


def test_the_dashboard_shows_each_funds_figures_and_the_queue(client, auth, world):
    spend(world, **in_year())
    make_application(world.employee, world.fund, amount=5000, state="screening", **in_year(210))
    make_application(world.employee, world.fund, amount=7000, state="draft", **in_year(220))
    db.session.commit()
    auth.login(world.finance)
    response = client.get("/budgetter")
    assert response.status_code == 200
    figures = balance(world.fund.id, this_year())
    [header, row] = table_rows(response, ".budget-table")[:2]
    shown = dict(zip(header, row, strict=True))
    assert shown["Pulje"] == "Studierejsefonden"
    for column, value in (
        ("Budget", figures.budget),
        ("Disponeret", figures.committed),
        ("Forbrug", figures.spent),
        ("Til rådighed", figures.available),
    ):
        assert shown[column] == money(value), column
    assert shown["Ansøgt, ikke afgjort"] == "5.000,00 kr. 1 ansøgning"  # the draft is not waiting
    base = f"/budgetter/studierejsefonden/{this_year()}?figure="
    addresses = links(response)
    for figure in (
        "budget",
        "carried_in",
        "carried_out",
        "lapsed",
        "committed",
        "spent",
        "available",
        "waiting",
    ):
        assert base + figure in addresses
    assert links(response, "Luk et budgetår")
    assert links(response, "Eksportér posteringer og bevillinger (CSV og Excel)")


@pytest.mark.parametrize("role", ["finance", "admin", "caseworker", "board_member"])
def test_the_readers_of_budgets(client, auth, world, role):
    auth.login(getattr(world, role))
    assert client.get("/budgetter").status_code == 200
    assert client.get(f"/budgetter/studierejsefonden/{this_year()}").status_code == 200


@pytest.mark.parametrize("role", ["employee", "manager", "outsider"])
def test_others_may_not_see_the_budgets(client, auth, world, role):
    auth.login(getattr(world, role))
    assert client.get("/budgetter").status_code == 403
    assert client.get(f"/budgetter/studierejsefonden/{this_year()}?figure=spent").status_code == 403


def test_the_closing_and_export_links_are_for_finance_and_admins_only(client, auth, world):
    auth.login(world.caseworker)
    response = client.get("/budgetter")
    assert table_rows(response, ".budget-table")  # the page is there, the links are not
    assert not any(
        "Luk et budgetår" in label or "Eksportér" in label for label in texts(response, "a")
    )


def test_a_year_that_is_not_a_year_is_a_clear_message(client, auth, world):
    auth.login(world.finance)
    for bad in ("abc", "1800", ""):
        response = client.get(f"/budgetter?year={bad}")
        assert response.status_code == 400
        assert field_error(response, "year") == "Vælg en af mulighederne."


def test_another_year_can_be_chosen(client, auth, world):
    auth.login(world.finance)
    response = client.get(f"/budgetter?year={this_year() + 1}")
    assert response.status_code == 200
    assert f"Budgetår {this_year() + 1}" in headings(response)


def test_the_dashboard_asks_the_same_number_of_queries_for_two_funds_or_ten(
    app, client, auth, world
):
    auth.login(world.finance)

    def queries() -> int:
        statements = []

        def note(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            assert client.get(f"/budgetter?year={this_year()}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        return len(statements)

    make_fund()
    db.session.commit()
    queries()  # the first page reads the routes' steps the app keeps for the menu's count
    few = queries()
    for _ in range(8):
        spend(world, fund=make_fund(), **in_year())
    assert queries() == few


def test_the_charts_data_is_json_read_by_a_static_script(client, auth, world):
    spend(world, **in_year())
    auth.login(world.finance)
    html = client.get("/budgetter").get_data(as_text=True)
    blocks = dict(
        re.findall(r'<script type="application/json" id="([\w-]+)">(.*?)</script>', html, re.S)
    )
    year = json.loads(blocks["budget-year-chart-data"])
    assert len(year["labels"]) == 12
    series = {s["key"]: s["data"] for s in year["series"]}
    months = month_by_month([world.fund.id], this_year())
    assert series["budget"][-1] == float(months[-1].budget) == 100_000
    assert series["spent"][-1] == 3000 and series["committed"][-1] == 5000
    funds = json.loads(blocks["budget-funds-chart-data"])
    assert funds["labels"] == ["Studierejsefonden"]
    # Under the hashed names of the static build when there is one (grants.core.static_files).
    scripts = [tag["src"] for tag in page(html).select("script[src]")]
    assert (
        url_for("static", filename="vendor/chart.js/chart.umd.min.js", _external=False) in scripts
    )
    assert url_for("static", filename="budgets.js", _external=False) in scripts
    # The numbers are in a table too.
    assert "Tallene i diagrammet" in texts(html, "details summary")


def test_the_month_by_month_figures_are_cumulative(world, monkeypatch):
    year = this_year()  # read before the clock is moved: this_year() asks the clock
    monkeypatch.setattr(clock, "today", lambda: dt.date(year, 12, 1))
    application = spend(world, paid=0, **in_year())
    record_payment(application, Decimal(2000), world.finance, dt.date(this_year(), 3, 10), "B-1")
    record_payment(application, Decimal(1000), world.finance, dt.date(this_year(), 5, 2), "B-2")
    db.session.flush()
    months = month_by_month([world.fund.id], this_year())
    assert [m.spent for m in months[1:5]] == [
        Decimal(0),
        Decimal(2000),
        Decimal(2000),
        Decimal(3000),
    ]
    assert months[-1].spent == balance(world.fund.id, this_year()).spent
    assert months[-1].granted == balance(world.fund.id, this_year()).granted == Decimal(8000)


# -- drill-down ---------------------------------------------------------------------------


def test_the_entries_behind_each_figure_add_up_to_it(world):
    application = spend(world, **in_year())
    release(application, Decimal(1000), world.caseworker, "Mindreforbrug")
    # A second grant paid in full and then settled lower (the settlement's refund claim,
    # grants.reports.settlement): 2,000 kr. await their refund.
    settled = spend(world, amount=6000, paid=6000, **in_year(201))
    db.session.add(
        BudgetEntry(
            fund_id=world.fund.id,
            year=this_year(),
            kind=EntryKind.RELEASE,
            amount=Decimal(-2000),
            application_id=settled.id,
            note="Tilbagebetalingskrav ved afregning",
        )
    )
    db.session.flush()
    figures = balance(world.fund.id, this_year())
    assert (figures.committed, figures.awaiting_refund) == (Decimal(4000), Decimal(2000))
    entries = db.session.scalars(
        db.select(BudgetEntry).where(
            BudgetEntry.fund_id == world.fund.id, BudgetEntry.year == this_year()
        )
    ).all()
    over = {settled.id}
    for name in FIGURES:
        total = sum(
            e.amount * sign for e in entries if (sign := _effect(name, e, over)) is not None
        )
        assert total == getattr(figures, name), name


def test_the_drill_down_page_lists_the_entries_and_their_total(client, auth, world):
    spend(world, **in_year())
    auth.login(world.board_member)
    response = client.get(f"/budgetter/studierejsefonden/{this_year()}?figure=committed")
    assert response.status_code == 200
    assert "Posteringerne bag “Disponeret”" in headings(response)
    [header, *entries, total] = table_rows(response, "table:has(td[data-title=Bilag])")
    assert total == ["I alt: Disponeret", "5.000,00 kr."]
    effect = header.index("Virkning på tallet")
    voucher = header.index("Bilag")
    # the payment lowers what is committed
    assert [(row[voucher], row[effect]) for row in entries if row[voucher]] == [
        ("B-7", "-3.000,00 kr.")
    ]

    only = client.get(f"/budgetter/studierejsefonden/{this_year()}?kind=payment")
    [header, *entries] = table_rows(only, "table:has(td[data-title=Bilag])")
    kinds = {row[header.index("Type")] for row in entries}
    assert [row[header.index("Bilag")] for row in entries] == ["B-7"]
    assert "Disponeret ved bevilling" not in kinds


def test_the_drill_down_to_waiting_lists_the_applications(client, auth, world):
    make_application(
        world.employee, world.fund, amount=5000, state="screening", title="Til Oslo", **in_year()
    )
    db.session.commit()
    auth.login(world.caseworker)
    response = client.get(f"/budgetter/studierejsefonden/{this_year()}?figure=waiting")
    [header, row, total] = table_rows(response, "table:has(td[data-title=Titel])")
    assert (row[header.index("Titel")], row[header.index("Ansøgt")]) == ("Til Oslo", "5.000,00 kr.")


def test_a_figure_that_does_not_exist_is_a_clear_message(client, auth, world):
    auth.login(world.finance)
    for query in ("figure=everything", "kind=gift"):
        response = client.get(f"/budgetter/studierejsefonden/{this_year()}?{query}")
        assert response.status_code == 400
        assert "Vælg en af mulighederne." in field_errors(response).values()
    assert client.get(f"/budgetter/nosuchfund/{this_year()}").status_code == 404


# -- what a decider sees --------------------------------------------------------------------


def test_the_decision_preview_shows_now_after_and_the_queue(world):
    spend(world, amount=60_000, paid=0, **in_year())
    application = make_application(
        world.employee, world.fund, amount=30_000, state="awaiting_decision", **in_year(230)
    )
    for amount, state in ((10_000, "screening"), (4_000, "awaiting_endorsement")):
        make_application(world.employee, world.fund, amount=amount, state=state, **in_year(240))
    make_application(world.employee, world.fund, amount=9_000, state="refused", **in_year(240))
    make_application(  # another year's queue
        world.employee, world.fund, amount=9_000, state="screening", **in_year(400)
    )
    db.session.commit()
    preview = decision_preview(application)
    assert (preview.year, preview.available_now, preview.amount, preview.available_after) == (
        this_year(),
        Decimal("40000.00"),
        Decimal("30000.00"),
        Decimal("10000.00"),
    )
    assert (preview.waiting_count, preview.waiting_amount) == (2, Decimal("14000.00"))
    assert preview.fits and preview.available_after_queue == Decimal("-4000.00")

    html = render_template_string('{% include "budgets/_decision_effect.html" %}', preview=preview)
    assert text_of(html, ".decision-effect caption").startswith("Det gør afgørelsen ved")
    assert table_rows(html, ".decision-effect") == [
        ["Til rådighed nu", "40.000,00 kr."],
        ["Ansøgt i denne sag", "30.000,00 kr."],
        ["Til rådighed efter fuld bevilling", "10.000,00 kr."],
        ["Venter i køen: 2 andre ansøgninger til samme år", "14.000,00 kr."],
        ["Til rådighed, hvis også køen bevilges fuldt", "-4.000,00 kr."],
    ]
    assert page(html).select(".decision-effect th[scope=row]")
    assert notices(html, "info") == [
        "Der er penge til denne bevilling, men ikke til at bevilge alle ansøgningerne i køen fuldt."
    ]


def test_the_preview_of_a_case_not_itself_waiting_counts_every_waiting_case(world):
    """The case itself is subtracted from the queue only when the queue holds it."""
    draft = make_application(
        world.employee, world.fund, amount=30_000, state="draft", **in_year(230)
    )
    other_fund = make_application(
        world.employee, make_fund(code="anden"), amount=1_000, state="screening", **in_year(230)
    )
    for amount in (10_000, 4_000):
        make_application(world.employee, world.fund, amount=amount, state="screening", **in_year())
    db.session.commit()
    preview = decision_preview(draft)
    assert (preview.waiting_count, preview.waiting_amount) == (2, Decimal("14000.00"))
    preview = decision_preview(other_fund)
    assert (preview.waiting_count, preview.waiting_amount) == (0, Decimal("0.00"))


def test_the_decision_preview_warns_when_a_full_grant_does_not_fit(world):
    application = make_application(
        world.employee, world.fund, amount=150_000, state="awaiting_decision", **in_year()
    )
    preview = decision_preview(application)
    assert not preview.fits
    html = render_template_string('{% include "budgets/_decision_effect.html" %}', preview=preview)
    assert notices(html, "warning") == ["Der er ikke penge nok til en fuld bevilling."]


def test_a_trip_whose_budget_year_is_not_open_yet_says_so_not_that_money_is_short(world):
    """Applied for up to three years ahead: the year after next has no allocation yet (it
    opens on 1 January of the year before). The decider is told the year is not open, not
    that the fund has 0 kr. left (a refusal for want of money would be on a false premise);
    a grant is refused with the same words, and nothing is booked."""
    from grants.budgets.movements import InsufficientFunds

    later = this_year() + 2
    application = make_application(
        world.employee,
        world.fund,
        amount=2_500,
        state="awaiting_decision",
        departure_date=dt.date(later, 5, 1),
        return_date=dt.date(later, 5, 4),
    )
    db.session.commit()
    preview = decision_preview(application)
    assert preview.opens_in == later - 1
    html = render_template_string('{% include "budgets/_decision_effect.html" %}', preview=preview)
    expected = (
        f"Budgetåret {later} er ikke åbnet endnu: puljen får sin bevilling for {later} "
        f"1. januar {later - 1}. Sagen kan først bevilges derefter."
    )
    assert notices(html, "info") == [expected]
    assert notices(html, "warning") == []
    with pytest.raises(InsufficientFunds) as refused:
        reserve(application, Decimal(2_500), world.caseworker)
    assert f"Budgetåret {later} er ikke åbnet endnu" in refused.value.message
    assert balance(world.fund.id, later).granted == Decimal(0)


def test_no_preview_without_a_year_of_travel(world):
    application = make_application(
        world.employee, world.fund, state="draft", departure_date=None, return_date=None
    )
    assert decision_preview(application) is None
    assert (
        render_template_string(
            '{% include "budgets/_decision_effect.html" %}', preview=None
        ).strip()
        == ""
    )


def test_entry_kinds_all_count_somewhere():
    counted = set().union(*(signs.keys() for signs in FIGURES.values()))
    assert counted == set(EntryKind)


def test_a_fund_whose_year_is_closed_says_so_on_its_row_and_no_other(client, auth, world):
    """The closings are asked with the funds (one statement): the badge is on the closed
    fund's row of that year only, not on another fund's or another year's."""
    from grants.budgets.models import ClosingOutcome, YearClosing

    other = make_fund(code="anden-pulje", name="Anden pulje")
    db.session.add(
        YearClosing(
            fund_id=world.fund.id,
            year=this_year(),
            outcome=ClosingOutcome.LAPSED,
            closed_by_id=world.finance.id,
        )
    )
    db.session.commit()
    auth.login(world.finance)

    def badges(year: int) -> dict[str, bool]:
        html = page(client.get(f"/budgetter?year={year}"))
        table = html.select_one("table.budget-table")
        return {
            row.th.a.get_text(strip=True): row.th.select_one(".badge") is not None
            for row in table.tbody.find_all("tr")
        }

    shown = badges(this_year())
    assert shown[world.fund.name] is True
    assert shown[other.name] is False
    assert not any(badges(this_year() + 1).values())
    html = page(client.get(f"/budgetter?year={this_year()}"))
    assert "Lukket" in html.select_one("table.budget-table tbody").get_text()


def test_the_year_charts_month_rows_escape_what_they_show(app):
    """The month table's rows are written in Python (grants.budgets.overview.month_rows):
    the month's name and the column names escaped, the amounts in the request's language."""
    from grants.budgets.balances import MonthFigures
    from grants.budgets.overview import month_rows

    months = [MonthFigures(1, Decimal("1000.5"), Decimal("300"), Decimal("200"))]
    with app.test_request_context():
        html = str(month_rows(months, ["<b>jan</b>"], "Bud<get>", "&", "'", '"'))
    assert "<b>" not in html and "&lt;b&gt;jan&lt;/b&gt;" in html
    assert 'data-title="Bud&lt;get&gt;"' in html and 'data-title="&amp;"' in html
    assert 'data-title="&#39;"' in html and 'data-title="&#34;"' in html
    assert ">1.000,50 kr.<" in html and ">100,00 kr.<" in html and ">700,50 kr.<" in html


def test_the_page_is_the_same_with_the_funds_as_one_list_parameter(
    client, auth, world, monkeypatch
):
    """The balances, the months and the times are asked with a parameter for each fund (a
    statement kept for each number of funds), or, beyond ``KEPT_UP_TO`` funds, with one
    expanding parameter: both give the same page."""
    from grants.budgets import balances
    from grants.reports import processing

    other = make_fund(code="anden-pulje", name="Anden pulje")
    spend(world, **in_year())
    spend(world, fund=other, amount=6000, paid=0, **in_year(230))
    make_application(world.employee, other, amount=5000, state="screening", **in_year(210))
    db.session.commit()
    auth.login(world.finance)
    pages = []
    for up_to in (64, 1, 0):
        monkeypatch.setattr(balances, "KEPT_UP_TO", up_to)
        monkeypatch.setattr(processing, "KEPT_UP_TO", up_to)
        response = client.get("/budgetter")
        assert response.status_code == 200
        pages.append(
            re.sub(
                r'value="[^"]*" name="csrf_token"|name="csrf_token"[^>]*',
                "",
                response.get_data(as_text=True),
            )
        )
    assert pages[0] == pages[1] == pages[2]
    assert "6.000,00 kr." in pages[0] and "Anden pulje" in pages[0]


@pytest.mark.parametrize(
    "code", ["studierejser", "Fond_2.0~x-y", "æble pulje", "a/b", "0fund0code0"]
)
def test_a_funds_address_is_url_fors(app, code):
    """The funds' addresses are made from one ``url_for`` with the code put in its place;
    a code that would be quoted goes through ``url_for`` itself."""
    from grants.budgets.views import _fund_year_urls

    with app.test_request_context():
        assert _fund_year_urls(2026)(code) == url_for(
            "budgets.fund_year", fund_code=code, year=2026
        )
