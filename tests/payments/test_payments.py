"""Payments for the finance officer: the grants ready for payment and the refund claims,
the CSV for the finance system, and marking paid or received, each a ledger entry with its
date and voucher number. Bad input is refused next to the field and changes nothing; only a
finance officer records money."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from grants.budgets.balances import balance
from grants.budgets.models import BudgetEntry, EntryKind
from grants.budgets.movements import record_payment, release, reserve
from grants.cases.models import Outcome
from grants.core import clock
from grants.extensions import db
from grants.reports.models import TripReport
from grants.workflow.models import JournalEntry
from tests.factories import make_application, make_fund, make_organisation, this_year
from tests.html import field_error, page_text, table_after
from tests.publication.helpers import QueryCounter


def travel() -> dt.date:
    return dt.date(this_year() + 1, 3, 1)


def granted(world, fund=None, amount=8000, state="granted", **overrides):
    fund = fund or world.fund
    overrides.setdefault("departure_date", travel())
    overrides.setdefault("return_date", travel() + dt.timedelta(days=4))
    # Decided a month ago: money moves on a grant from the day it was decided.
    overrides.setdefault("decided_at", clock.now() - dt.timedelta(days=30))
    application = make_application(
        world.employee,
        fund,
        amount=amount,
        state=state,
        outcome=Outcome.GRANTED,
        granted_amount=Decimal(amount),
        **overrides,
    )
    reserve(application, Decimal(amount), world.caseworker)
    return application


def payment_entries(application=None) -> list[BudgetEntry]:
    query = select(BudgetEntry).where(BudgetEntry.kind.in_([EntryKind.PAYMENT, EntryKind.REFUND]))
    if application is not None:
        query = query.where(BudgetEntry.application_id == application.id)
    return list(db.session.scalars(query))


def entry_count() -> int:
    return db.session.scalar(select(func.count()).select_from(BudgetEntry))


def csv_rows(response) -> list[dict]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def cases(world):
    """A grant not yet paid, one paid in part, one paid in full, a refusal, a settled case
    whose final amount is above what was paid, and one with a refund claim."""
    unpaid = granted(world, amount=8000, title="Ikke udbetalt")
    association = make_organisation(world.employee, name="Ballerup Ungdomsorkester", cvr="12345678")
    youth = make_fund(code="ungdom", name="Ungdomsrejser", years=(this_year(), this_year() + 1))
    partly = granted(world, youth, amount=5000, organisation_id=association.id)
    record_payment(partly, Decimal("2000"), world.finance, clock.today(), "B-1")
    paid = granted(world, amount=3000, title="Fuldt udbetalt")
    record_payment(paid, Decimal("3000"), world.finance, clock.today(), "B-2")
    refused = make_application(world.employee, world.fund, state="refused", outcome=Outcome.REFUSED)
    settled_more = granted(
        world,
        amount=6000,
        state="settled",
        departure_date=dt.date(this_year(), 2, 1),
        return_date=dt.date(this_year(), 2, 4),
    )
    record_payment(settled_more, Decimal("4000"), world.finance, clock.today(), "B-3")
    db.session.add(
        TripReport(
            application_id=settled_more.id, final_amount=Decimal("5000"), approved_at=clock.now()
        )
    )
    release(settled_more, Decimal("1000"), world.caseworker, "Mindreforbrug")
    refund = granted(
        world,
        amount=7000,
        state="settled",
        departure_date=dt.date(this_year(), 2, 1),
        return_date=dt.date(this_year(), 2, 4),
    )
    record_payment(refund, Decimal("7000"), world.finance, clock.today(), "B-4")
    db.session.add(
        TripReport(
            application_id=refund.id,
            final_amount=Decimal("5500"),
            refund_amount=Decimal("1500"),
            refund_due=dt.date(this_year(), 12, 31),
            approved_at=clock.now(),
        )
    )
    # The settlement brings the grant down to the final amount, below what was paid
    # (grants.reports.settlement._move_money); the refund is recorded when it comes in.
    db.session.add(
        BudgetEntry(
            fund_id=world.fund.id,
            year=this_year(),
            kind=EntryKind.RELEASE,
            amount=Decimal("-1500"),
            application_id=refund.id,
        )
    )
    db.session.commit()
    return {
        "unpaid": unpaid,
        "partly": partly,
        "paid": paid,
        "refused": refused,
        "settled_more": settled_more,
        "refund": refund,
        "youth": youth,
    }


def test_the_list_shows_what_is_due_and_the_refund_claims(client, auth, world, cases):
    auth.login(world.finance)
    response = client.get("/udbetalinger")
    assert response.status_code == 200
    payments = " ".join(" | ".join(row) for row in table_after(response, "Klar til udbetaling"))
    refunds = " ".join(" | ".join(row) for row in table_after(response, "Krav om tilbagebetaling"))
    for key in ("unpaid", "partly", "settled_more"):
        assert cases[key].case_number in payments
    for key in ("paid", "refused", "refund"):
        assert cases[key].case_number not in payments
    assert "8.000,00 kr." in payments
    assert "3.000,00 kr." in payments  # 5.000 granted - 2.000 paid
    assert "1.000,00 kr." in payments  # settled: final 5.000 - 4.000 paid
    assert cases["refund"].case_number in refunds
    assert "1.500,00 kr." in refunds
    assert "12345678" in payments  # the association's CVR number

    only_youth = client.get("/udbetalinger?fund=ungdom")
    listed = [row[0] for row in table_after(only_youth, "Klar til udbetaling")[1:]]
    assert cases["partly"].case_number in listed
    assert cases["unpaid"].case_number not in listed
    assert client.get("/udbetalinger?fund=nope").status_code == 400


def test_the_list_is_one_query_whatever_the_number_of_cases(client, auth, world):
    auth.login(world.finance)
    granted(world, amount=1000)
    db.session.commit()
    client.get("/udbetalinger")
    with QueryCounter() as one:
        client.get("/udbetalinger")
    for _ in range(4):
        granted(world, amount=1000)
    db.session.commit()
    client.get("/udbetalinger")
    with QueryCounter() as five:
        client.get("/udbetalinger")
    assert five.count == one.count


def test_the_csv_for_the_finance_system(client, auth, world, cases):
    auth.login(world.finance)
    response = client.get("/udbetalinger/eksport/payments.csv")
    assert response.status_code == 200
    # One charset (it was "text/csv; charset=utf-8; charset=utf-8").
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert list(rows[0]) == [
        "case_number",
        "recipient_name",
        "cvr",
        "fund_code",
        "fund_name",
        "amount",
        "due_date",
    ]
    by_case = {row["case_number"]: row for row in rows}
    assert set(by_case) == {cases[k].case_number for k in ("unpaid", "partly", "settled_more")}
    unpaid = by_case[cases["unpaid"].case_number]
    assert (unpaid["recipient_name"], unpaid["cvr"]) == ("Mette Madsen", "")
    assert (unpaid["amount"], unpaid["due_date"]) == ("8000.00", travel().isoformat())
    partly = by_case[cases["partly"].case_number]
    assert (partly["recipient_name"], partly["cvr"]) == ("Ballerup Ungdomsorkester", "12345678")
    assert (partly["fund_code"], partly["amount"]) == ("ungdom", "3000.00")
    assert by_case[cases["settled_more"].case_number]["due_date"] == clock.today().isoformat()

    refunds = csv_rows(client.get("/udbetalinger/eksport/refunds.csv"))
    assert [(r["case_number"], r["amount"], r["due_date"]) for r in refunds] == [
        (cases["refund"].case_number, "1500.00", f"{this_year()}-12-31")
    ]
    auth.login(world.admin)  # administrators may look
    assert client.get("/udbetalinger/eksport/payments.csv").status_code == 200


def test_mark_paid_is_a_ledger_entry_with_voucher_and_date(client, auth, world, cases):
    application = cases["unpaid"]
    application.decided_at = clock.now() - dt.timedelta(days=3)  # paid the day after
    db.session.commit()
    before = balance(world.fund.id, travel().year).spent
    auth.login(world.finance)
    form = client.get(f"/udbetalinger/{application.id}/udbetal")
    assert form.status_code == 200
    assert "8.000,00" in page_text(form)  # the amount field, filled in
    paid_on = clock.today() - dt.timedelta(days=1)
    response = client.post(
        f"/udbetalinger/{application.id}/udbetal",
        data={"amount": "8.000,00", "paid_on": paid_on.isoformat(), "voucher": " B-2026-117 "},
    )
    assert response.status_code == 302
    [entry] = payment_entries(application)
    assert (entry.kind, entry.amount, entry.voucher) == (
        EntryKind.PAYMENT,
        Decimal("8000.00"),
        "B-2026-117",
    )
    assert entry.booked_on == paid_on
    assert entry.created_by_id == world.finance.id
    assert balance(world.fund.id, travel().year).spent == before + Decimal("8000")
    journal = db.session.scalars(
        select(JournalEntry).where(JournalEntry.application_id == application.id)
    ).all()
    assert journal[-1].action == "payment_recorded"
    assert journal[-1].details["voucher"] == "B-2026-117"
    listing = client.get("/udbetalinger").get_data(as_text=True).replace("\u00a0", " ")
    assert "Udbetalingen på 8.000,00 kr. til sag" in page_text(listing)  # the flash message
    due = listing.split("Klar til udbetaling</h2>")[1].split("Krav om")[0]
    assert application.case_number not in due


def test_a_received_refund_is_a_ledger_entry(client, auth, world, cases):
    application = cases["refund"]
    before = balance(world.fund.id, this_year())
    auth.login(world.finance)
    response = client.post(
        f"/udbetalinger/{application.id}/tilbagebetaling",
        data={"amount": "1500", "refunded_on": clock.today().isoformat(), "voucher": "R-9"},
    )
    assert response.status_code == 302
    refunds = [e for e in payment_entries(application) if e.kind == EntryKind.REFUND]
    assert [(e.amount, e.voucher) for e in refunds] == [(Decimal("-1500.00"), "R-9")]
    after = balance(world.fund.id, this_year())
    assert after.spent == before.spent - Decimal("1500")
    # The grant was brought down to the final amount at settlement; nothing more moves.
    assert after.granted == before.granted
    # Committed never counted the money awaiting its refund (issue 17 point 6): the refund
    # ends the wait and makes the money available again.
    assert after.committed == before.committed
    assert (before.awaiting_refund, after.awaiting_refund) == (Decimal("1500"), Decimal("0"))
    assert after.available == before.available + Decimal("1500")
    listing = client.get("/udbetalinger").get_data(as_text=True)
    assert "Der er ingen udestående krav" in page_text(listing)


def on_day(data: dict) -> dict:
    """The form's data with "today" and "tomorrow" as the app's clock has them now: the
    parameters below are made when the tests are collected, the dates when one runs."""
    days = {"today": clock.today(), "tomorrow": clock.today() + dt.timedelta(days=1)}
    return {key: days[value].isoformat() if value in days else value for key, value in data.items()}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "8000", "paid_on": "today", "voucher": ""}, "voucher", "Skriv bilagsnummeret."),
        (
            {"amount": "8000", "paid_on": "today", "voucher": "B" * 61},
            "voucher",
            "højst være 60 tegn",
        ),
        ({"amount": "8000", "paid_on": "tomorrow", "voucher": "B-1"}, "paid_on", "fremtiden"),
        ({"amount": "8000", "paid_on": "", "voucher": "B-1"}, "paid_on", "Skriv datoen."),
        ({"amount": "8000", "paid_on": "31-02-2026", "voucher": "B-1"}, "paid_on", "gyldig dato"),
        (
            {"amount": "8.000,01", "paid_on": "today", "voucher": "B-1"},
            "amount",
            "højst udbetales 8.000,00 kr.",
        ),
        (
            {"amount": "otte tusind", "paid_on": "today", "voucher": "B-1"},
            "amount",
            "Skriv et beløb i kroner",
        ),
        ({"amount": "0", "paid_on": "today", "voucher": "B-1"}, "amount", "større end 0 kr."),
        ({"amount": "", "paid_on": "today", "voucher": "B-1"}, "amount", "Skriv et beløb."),
    ],
)
def test_bad_input_is_refused_next_to_the_field(client, auth, world, cases, data, field, message):
    application = cases["unpaid"]
    count = entry_count()
    auth.login(world.finance)
    response = client.post(f"/udbetalinger/{application.id}/udbetal", data=on_day(data))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = html.split(f'id="{field}-error"', 1)[1].split("</span>", 2)
    assert message in "".join(error[:2])
    assert entry_count() == count
    assert payment_entries(application) == []


@pytest.mark.parametrize(
    ("locale", "message"),
    [("da", "Beløbet kan ikke være negativt."), ("en", "The amount cannot be negative.")],
)
@pytest.mark.parametrize(
    ("case", "path", "day"),
    [("unpaid", "udbetal", "paid_on"), ("refund", "tilbagebetaling", "refunded_on")],
)
def test_a_negative_amount_is_refused_once(
    client, auth, world, cases, locale, message, case, path, day
):
    """Said once, not also "must be greater than 0 kr." after it."""
    world.finance.locale = locale
    db.session.commit()
    auth.login(world.finance)
    count = entry_count()
    response = client.post(
        f"/udbetalinger/{cases[case].id}/{path}",
        data={"amount": "-10", day: clock.today().isoformat(), "voucher": "B-9"},
    )
    assert response.status_code == 422
    assert field_error(response, "amount") == message
    assert entry_count() == count


def test_paying_more_than_is_left_after_a_partial_payment_is_refused(client, auth, world, cases):
    auth.login(world.finance)
    count = entry_count()
    response = client.post(
        f"/udbetalinger/{cases['partly'].id}/udbetal",
        data={"amount": "3.000,50", "paid_on": clock.today().isoformat(), "voucher": "B-9"},
    )
    assert response.status_code == 422
    assert "højst udbetales 3.000,00 kr." in page_text(response)
    assert entry_count() == count
    # Nothing is due on a case paid in full, nor on a refusal.
    for key in ("paid", "refused"):
        response = client.post(
            f"/udbetalinger/{cases[key].id}/udbetal",
            data={"amount": "1", "paid_on": clock.today().isoformat(), "voucher": "B-9"},
        )
        assert response.status_code == 422
    assert entry_count() == count
    response = client.post(
        f"/udbetalinger/{cases['refund'].id}/tilbagebetaling",
        data={"amount": "1.500,01", "refunded_on": clock.today().isoformat(), "voucher": "R-1"},
    )
    assert response.status_code == 422
    assert entry_count() == count


def test_a_form_sent_twice_records_the_money_once(client, auth, world, cases):
    """A double click on a partial payment or refund: the same voucher on the same case is
    refused the second time, next to the voucher field, and nothing more is booked."""
    auth.login(world.finance)
    partly = cases["partly"]
    data = {"amount": "1.000,00", "paid_on": clock.today().isoformat(), "voucher": "B-77"}
    assert client.post(f"/udbetalinger/{partly.id}/udbetal", data=data).status_code == 302
    count = entry_count()
    again = client.post(f"/udbetalinger/{partly.id}/udbetal", data=data)
    assert again.status_code == 422
    error = again.get_data(as_text=True).split('id="voucher-error"', 1)[1].split("</span>", 2)
    assert "Bilag B-77 er allerede registreret som udbetaling på sagen." in "".join(error[:2])
    assert entry_count() == count
    # Another voucher is another payment.
    data["voucher"] = "B-78"
    assert client.post(f"/udbetalinger/{partly.id}/udbetal", data=data).status_code == 302
    assert entry_count() == count + 1

    refund = cases["refund"]
    data = {"amount": "500", "refunded_on": clock.today().isoformat(), "voucher": "R-5"}
    path = f"/udbetalinger/{refund.id}/tilbagebetaling"
    assert client.post(path, data=data).status_code == 302
    count = entry_count()
    again = client.post(path, data=data)
    assert again.status_code == 422
    assert "registreret som tilbagebetaling" in page_text(again)
    assert entry_count() == count


@pytest.mark.parametrize("who", ["caseworker", "employee", "board_member", "admin", "manager"])
def test_only_a_finance_officer_records_money(client, auth, world, cases, who):
    count = entry_count()
    auth.login(getattr(world, who))
    application = cases["unpaid"]
    data = {"amount": "8000", "paid_on": clock.today().isoformat(), "voucher": "B-1"}
    assert client.post(f"/udbetalinger/{application.id}/udbetal", data=data).status_code == 403
    refund = {"amount": "1500", "refunded_on": clock.today().isoformat(), "voucher": "R-1"}
    assert (
        client.post(f"/udbetalinger/{cases['refund'].id}/tilbagebetaling", data=refund).status_code
        == 403
    )
    assert client.get(f"/udbetalinger/{application.id}/udbetal").status_code == 403
    expected = 200 if who == "admin" else 403  # administrators may look
    assert client.get("/udbetalinger").status_code == expected
    assert client.get("/udbetalinger/eksport/payments.csv").status_code == expected
    assert entry_count() == count


def test_without_login_nothing_is_shown_or_changed(client, world, cases):
    count = entry_count()
    response = client.post(
        f"/udbetalinger/{cases['unpaid'].id}/udbetal",
        data={"amount": "8000", "paid_on": clock.today().isoformat(), "voucher": "B-1"},
    )
    assert response.status_code == 302 and "/log-ind" in response.headers["Location"]
    assert client.get("/udbetalinger").status_code == 302
    assert client.get("/udbetalinger/eksport/payments.csv").status_code == 302
    assert entry_count() == count


def test_an_unknown_case_is_not_found(client, auth, world):
    auth.login(world.finance)
    assert client.get("/udbetalinger/999999/udbetal").status_code == 404


def test_a_grant_given_up_or_cancelled_is_not_paid(client, auth, world):
    given_up = granted(world, amount=1000)
    cancelled = granted(world, amount=2000)
    given_up.state, cancelled.state = "withdrawn", "cancelled"
    db.session.commit()
    auth.login(world.finance)
    html = page_text(client.get("/udbetalinger"))
    assert given_up.case_number not in html and cancelled.case_number not in html
    response = client.post(
        f"/udbetalinger/{cancelled.id}/udbetal",
        data={"amount": "2000", "paid_on": clock.today().isoformat(), "voucher": "B-1"},
    )
    assert response.status_code == 422
    assert "Der er ikke noget at udbetale på sagen." in page_text(response)
    assert payment_entries() == []


def test_a_finance_officer_records_no_money_on_their_own_case(client, auth, world):
    """Nobody takes part in a case they have a personal interest in (forvaltningsloven § 3):
    a finance officer who applied, or who acts for the applying organisation, neither
    records the payment of the grant nor marks its refund received; another one does."""
    from grants.people.models import Role
    from tests.factories import make_user

    own = make_application(
        world.finance,
        world.fund,
        amount=8000,
        state="granted",
        outcome=Outcome.GRANTED,
        granted_amount=Decimal(8000),
        decided_at=clock.now(),
        departure_date=travel(),
        return_date=travel() + dt.timedelta(days=4),
    )
    reserve(own, Decimal(8000), world.caseworker)
    club = granted(world, organisation=make_organisation(world.employee, world.finance))
    db.session.commit()
    count = entry_count()
    auth.login(world.finance)
    data = {"amount": "8000", "paid_on": clock.today().isoformat(), "voucher": "B-1"}
    refund = {"amount": "1500", "refunded_on": clock.today().isoformat(), "voucher": "R-1"}
    for application in (own, club):
        assert client.get(f"/udbetalinger/{application.id}/udbetal").status_code == 403
        path = f"/udbetalinger/{application.id}/udbetal"
        assert client.post(path, data=data).status_code == 403
        path = f"/udbetalinger/{application.id}/tilbagebetaling"
        assert client.post(path, data=refund).status_code == 403
    assert entry_count() == count
    # The list shows the cases, without the button on the officer's own.
    listing = client.get("/udbetalinger")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert f"/udbetalinger/{own.id}/udbetal" not in html
    assert f"/udbetalinger/{club.id}/udbetal" not in html
    assert page_text(listing).count("Din egen sag") == 2

    colleague = make_user(Role.EMPLOYEE, Role.FINANCE, name="Finn Frandsen")
    db.session.commit()
    auth.login(colleague)
    response = client.post(f"/udbetalinger/{own.id}/udbetal", data=data)
    assert response.status_code == 302
    assert [e.amount for e in payment_entries(own)] == [Decimal("8000.00")]


def test_a_payment_dated_before_the_decision_is_refused(client, auth, world, move_clock):
    """Decided on 30 December 2026, paid in January: the finance officer types last year's
    date out of habit ("2.1.2026"). Money paid before the grant was decided is refused next
    to the date, and nothing is booked; the day of the decision itself is fine."""
    move_clock(dt.date(2026, 12, 30))
    application = granted(
        world, amount=3000, departure_date=dt.date(2027, 1, 5), decided_at=clock.now()
    )
    db.session.commit()
    move_clock(dt.date(2027, 1, 2))
    count = entry_count()
    auth.login(world.finance)
    path = f"/udbetalinger/{application.id}/udbetal"
    response = client.post(
        path, data={"amount": "3.000,00", "paid_on": "2026-01-02", "voucher": "B-1"}
    )
    assert response.status_code == 422
    error = response.get_data(as_text=True).split('id="paid_on-error"', 1)[1].split("</span>", 2)
    assert "før afgørelsen den 30. december 2026" in "".join(error[:2])
    assert entry_count() == count
    response = client.post(
        path, data={"amount": "3.000,00", "paid_on": "2026-12-30", "voucher": "B-1"}
    )
    assert response.status_code == 302
    [entry] = payment_entries(application)
    assert entry.booked_on == dt.date(2026, 12, 30)


def test_a_refund_dated_before_the_payment_is_refused(client, auth, world, move_clock):
    move_clock(dt.date(2026, 11, 2))
    application = granted(world, amount=7000, state="settled")
    move_clock(dt.date(2026, 11, 20))
    record_payment(application, Decimal("7000"), world.finance, dt.date(2026, 11, 20), "B-4")
    db.session.add(
        TripReport(
            application_id=application.id,
            final_amount=Decimal("5500"),
            refund_amount=Decimal("1500"),
            refund_due=dt.date(2027, 1, 31),
            approved_at=clock.now(),
        )
    )
    # The settlement brought the grant down below what was paid, as in ``cases``.
    db.session.add(
        BudgetEntry(
            fund_id=world.fund.id,
            year=application.budget_year,
            kind=EntryKind.RELEASE,
            amount=Decimal("-1500"),
            application_id=application.id,
        )
    )
    db.session.commit()
    move_clock(dt.date(2027, 1, 4))
    count = entry_count()
    auth.login(world.finance)
    path = f"/udbetalinger/{application.id}/tilbagebetaling"
    response = client.post(
        path, data={"amount": "1500", "refunded_on": "2026-01-04", "voucher": "R-1"}
    )
    assert response.status_code == 422
    error = (
        response.get_data(as_text=True).split('id="refunded_on-error"', 1)[1].split("</span>", 2)
    )
    assert "før udbetalingen den 20. november 2026" in "".join(error[:2])
    assert entry_count() == count
    response = client.post(
        path, data={"amount": "1500", "refunded_on": "2027-01-04", "voucher": "R-1"}
    )
    assert response.status_code == 302
