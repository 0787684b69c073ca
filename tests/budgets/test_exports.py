"""Exports for the finance department: they open with the csv module and openpyxl, hold
numbers as numbers and dates as dates, and add up to the dashboard's figures."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from grants.budgets.balances import balance
from grants.budgets.movements import record_payment, record_refund, release, reserve
from grants.core import clock
from grants.extensions import db
from tests.factories import make_application, make_fund, this_year
from tests.html import field_errors, page


@pytest.fixture
def ledger(world):
    """Two grants on the study travel fund, paid in part, and one on another fund."""
    departure = dt.date(this_year(), 1, 1) + dt.timedelta(days=200)
    dates = {"departure_date": departure, "return_date": departure + dt.timedelta(days=4)}
    first = make_application(world.employee, world.fund, amount=8000, state="granted", **dates)
    second = make_application(
        world.employee,
        world.fund,
        amount=12000,
        state="granted",
        title='=HYPERLINK("http://evil.example")',
        **dates,
    )
    for application in (first, second):
        application.decided_at = clock.now()
        reserve(application, application.amount_applied, world.caseworker)
    record_payment(first, Decimal("8000"), world.finance, clock.today(), "B-1")
    record_refund(first, Decimal("500.50"), world.finance, clock.today(), "B-2")
    release(first, Decimal("500.50"), world.caseworker, "Mindreforbrug")
    other = make_fund(code="ungdom", name="Ungdomsrejser")
    third = make_application(world.employee, other, amount=3000, state="granted", **dates)
    third.decided_at = clock.now()
    reserve(third, Decimal(3000), world.caseworker)
    db.session.commit()
    return world


def csv_rows(response) -> list[dict]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def sheet_rows(response) -> tuple[list[str], list[tuple]]:
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), rows[1:]


def test_the_entries_as_csv_add_up_to_the_dashboard(client, auth, ledger):
    auth.login(ledger.finance)
    response = client.get(
        f"/budgetter/eksport/entries.csv?fund=studierejsefonden&year={this_year()}"
    )
    assert response.status_code == 200
    # One charset (it was "text/csv; charset=utf-8; charset=utf-8").
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert list(rows[0]) == [
        "entry_id",
        "booked_on",
        "recorded_at",
        "fund_code",
        "fund_name",
        "budget_year",
        "kind",
        "kind_label",
        "amount",
        "case_number",
        "voucher",
        "note",
        "recorded_by",
    ]
    figures = balance(ledger.fund.id, this_year())

    def total(*kinds):
        return sum(Decimal(row["amount"]) for row in rows if row["kind"] in kinds)

    assert total("allocation", "carry_over_in", "carry_over_out") == figures.budget
    assert total("reservation", "adjustment", "release") == figures.granted
    assert total("payment", "refund") == figures.spent
    assert {row["fund_code"] for row in rows} == {"studierejsefonden"}
    refund = next(row for row in rows if row["kind"] == "refund")
    assert (refund["amount"], refund["voucher"]) == ("-500.50", "B-2")
    assert dt.date.fromisoformat(refund["booked_on"]) == clock.today()
    assert dt.datetime.fromisoformat(refund["recorded_at"]).tzinfo is not None


def test_the_entries_as_xlsx_hold_numbers_and_dates(client, auth, ledger):
    auth.login(ledger.admin)
    response = client.get(f"/budgetter/eksport/entries.xlsx?year={this_year()}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    header, rows = sheet_rows(response)
    assert header[:3] == ["Løbenr.", "Bogført", "Registreret"]
    amount, booked, fund = (
        header.index("Beløb (kr.)"),
        header.index("Bogført"),
        header.index("Puljekode"),
    )
    assert all(isinstance(row[amount], int | float) for row in rows)
    assert all(isinstance(row[booked], dt.datetime) for row in rows)
    study = [row for row in rows if row[fund] == "studierejsefonden"]
    figures = balance(ledger.fund.id, this_year())
    kind = header.index("Typekode")
    granted = sum(Decimal(str(r[amount])) for r in study if r[kind] in ("reservation", "release"))
    assert granted == figures.granted
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.cell(row=2, column=amount + 1).number_format == "#,##0.00"
    assert sheet.cell(row=2, column=booked + 1).number_format == "dd-mm-yyyy"
    assert sheet.freeze_panes == "A2"


def test_the_grants_add_up_to_the_dashboard(client, auth, ledger):
    auth.login(ledger.finance)
    query = f"fund=studierejsefonden&year={this_year()}"
    rows = csv_rows(client.get(f"/budgetter/eksport/grants.csv?{query}"))
    figures = balance(ledger.fund.id, this_year())
    assert len(rows) == 2
    assert sum(Decimal(r["granted"]) for r in rows) == figures.granted == Decimal("19499.50")
    assert sum(Decimal(r["spent"]) for r in rows) == figures.spent == Decimal("7499.50")
    assert sum(Decimal(r["committed"]) for r in rows) == figures.committed

    header, sheet = sheet_rows(client.get(f"/budgetter/eksport/grants.xlsx?{query}"))
    granted = header.index("Bevilget (kr.)")
    assert sum(Decimal(str(row[granted])) for row in sheet) == figures.granted
    assert isinstance(sheet[0][header.index("Afrejse")], dt.datetime)


def test_text_that_looks_like_a_formula_stays_text(client, auth, ledger):
    auth.login(ledger.finance)
    rows = csv_rows(client.get("/budgetter/eksport/grants.csv"))
    assert '\'=HYPERLINK("http://evil.example")' in {r["title"] for r in rows}
    response = client.get("/budgetter/eksport/grants.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    titles = [cell for cell in sheet["F"][1:]]
    evil = next(cell for cell in titles if str(cell.value).startswith("=HYPERLINK"))
    assert evil.data_type == "s"


def test_the_period_filters_by_booking_and_decision_day(client, auth, ledger):
    auth.login(ledger.finance)
    today = clock.today()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    later = f"date_from={tomorrow}&year={this_year()}"
    assert csv_rows(client.get(f"/budgetter/eksport/entries.csv?{later}")) == []
    assert csv_rows(client.get(f"/budgetter/eksport/grants.csv?date_from={tomorrow}")) == []
    same_day = f"date_from={today.isoformat()}&date_to={today.isoformat()}"
    assert len(csv_rows(client.get(f"/budgetter/eksport/grants.csv?{same_day}"))) == 3
    ungdom = csv_rows(client.get(f"/budgetter/eksport/entries.csv?{same_day}&fund=ungdom"))
    assert [(row["kind"], row["amount"]) for row in ungdom] == [("reservation", "3000.00")]
    # The year's allocations count from 1 January.
    first = f"date_from={this_year()}-01-01&date_to={this_year()}-01-01&fund=ungdom"
    january = csv_rows(client.get(f"/budgetter/eksport/entries.csv?{first}"))
    assert [(r["kind"], r["budget_year"]) for r in january if r["kind"] == "allocation"] == [
        ("allocation", str(this_year()))
    ]


def test_the_export_page_offers_the_four_files(client, auth, ledger):
    auth.login(ledger.finance)
    html = page(client.get("/budgetter/eksport"))
    actions = [button.get("formaction") for button in html.select("button[formaction]")]
    for path in ("entries.xlsx", "entries.csv", "grants.xlsx", "grants.csv"):
        assert f"/budgetter/eksport/{path}" in actions


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2026-05-01&date_to=2026-04-01", "Slutdatoen kan ikke ligge før startdatoen."),
        ("date_from=1.5.2026", "Skriv en gyldig dato."),
        ("year=abc", "Skriv et helt tal."),
        ("year=1700", "Skriv et år mellem 2000 og 2100."),
        ("fund=nosuchfund", "Vælg en af mulighederne."),
    ],
)
def test_bad_filters_are_a_clear_message(client, auth, ledger, query, message):
    auth.login(ledger.finance)
    response = client.get(f"/budgetter/eksport/entries.csv?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert any(message in shown for shown in field_errors(response).values())


@pytest.mark.parametrize("role", ["caseworker", "board_member", "employee"])
def test_only_finance_and_admins_may_export(client, auth, ledger, role):
    auth.login(getattr(ledger, role))
    for path in (
        "/budgetter/eksport",
        "/budgetter/eksport/entries.csv",
        "/budgetter/eksport/grants.xlsx",
    ):
        assert client.get(path).status_code == 403


def test_a_title_with_control_characters_does_not_break_the_xlsx(client, auth, ledger):
    """Issue 16 point 3: one granted case whose title holds ESC and BEL (stored before the
    forms refused them, or by an import; PostgreSQL cannot store a NUL at all) made the XLSX export a 500 for everyone. The
    characters are left out of the workbook; the CSV keeps the text as stored."""
    case = make_application(
        ledger.employee,
        ledger.fund,
        amount=1000,
        state="granted",
        title="Tur\x1b[31m\x07 til Oslo",
    )
    case.decided_at = clock.now()
    reserve(case, Decimal(1000), ledger.caseworker)
    db.session.commit()
    auth.login(ledger.finance)
    for dataset in ("grants", "entries"):
        response = client.get(f"/budgetter/eksport/{dataset}.xlsx")
        assert response.status_code == 200, dataset
        header, rows = sheet_rows(response)
        if dataset == "grants":
            assert "Tur[31m til Oslo" in {cell for row in rows for cell in row}
