"""The finance system's confirmation of a batch, when a finance officer marked some of its
lines paid by hand first: those lines are reported as recorded already and the rest of the
file is applied; a line marked paid with another amount (by hand, before the payment form
refused part of a sent line) refuses the file, named. And the
day a payment or a refund was made: not before the grant was decided, nor a confirmed line
before its batch was made, nor in the future; refused next to the field, in either
language, and nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import url_for
from sqlalchemy import func, select

from grants.api import tokens
from grants.budgets.models import BudgetEntry, EntryKind
from grants.core import clock
from grants.core.formatting import long_date
from grants.extensions import db
from grants.payments.models import PAID, SENT, PaymentBatch, PaymentBatchLine
from tests.html import errors, field_error, flashes, has_error
from tests.payments.test_batches import confirmation, urls


def local_day(moment: dt.datetime) -> dt.date:
    """A stored moment's day in Copenhagen (SQLite gives it back naive, in UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(clock.LOCAL).date()


def payments() -> list[tuple[int, str, str]]:
    """(case, amount, voucher) of every PAYMENT entry."""
    return [
        (entry.application_id, f"{entry.amount:.2f}", entry.voucher)
        for entry in db.session.scalars(
            select(BudgetEntry)
            .where(BudgetEntry.kind == EntryKind.PAYMENT)
            .order_by(BudgetEntry.id)
        )
    ]


def statuses(batch: PaymentBatch) -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(line.status, line.voucher) for line in db.session.get(PaymentBatch, batch.id).lines]


def by_hand(client, application, amount: str, voucher: str, day: dt.date | None = None):
    return client.post(
        f"/udbetalinger/{application.id}/udbetal",
        data={"amount": amount, "paid_on": (day or clock.today()).isoformat(), "voucher": voucher},
    )


def line_of(batch: PaymentBatch, application) -> PaymentBatchLine:
    return next(line for line in batch.lines if line.application_id == application.id)


def paid_in_part_by_hand(world, line: PaymentBatchLine, amount: str, voucher: str) -> None:
    """A line marked paid by a hand payment of part of it, as the payment form did before it
    refused that (tests/payments/test_sent_lines.py): such lines are in the databases."""
    from decimal import Decimal

    from grants.budgets.movements import record_payment

    record_payment(line.application, Decimal(amount), world.finance, clock.today(), voucher)
    line.status, line.voucher = PAID, voucher
    db.session.commit()


# -- a line marked paid by hand before the confirmation came --------------------------------


def test_a_line_paid_by_hand_is_reported_and_the_rest_applied(app, client, finance_batch):
    batch, day = finance_batch.batch, finance_batch.day
    association, person = finance_batch.association, finance_batch.person
    first, second = line_of(batch, association), line_of(batch, person)
    assert by_hand(client, association, "8.000,00", "H-1").status_code == 302
    rows = [
        f"{batch.number};{first.position};V-1;{day}",
        f"{batch.number};{second.position};V-2;{day}",
    ]
    response = client.post(urls(app)["confirm"], data=confirmation(rows), follow_redirects=True)
    assert response.status_code == 200
    assert "1 udbetaling er registreret som betalt." in flashes(response, "success")
    assert flashes(response, "info") == [
        "Allerede registreret som betalt med samme beløb, så de er ikke registreret igen: "
        f"bunke {batch.number} linje {first.position} (sag {association.case_number})."
    ]
    # The hand payment stands, with its voucher; the other line is paid by the file.
    assert payments() == [(association.id, "8000.00", "H-1"), (person.id, "3000.00", "V-2")]
    db.session.expire_all()
    lines = {
        line.application_id: (line.status, line.voucher)
        for line in db.session.get(PaymentBatch, batch.id).lines
    }
    assert lines == {association.id: (PAID, "H-1"), person.id: (PAID, "V-2")}


def test_the_same_file_again_changes_nothing_and_says_so(app, client, finance_batch):
    batch, day = finance_batch.batch, finance_batch.day
    rows = [f"{batch.number};1;V-1;{day}", f"{batch.number};2;V-2;{day}"]
    assert client.post(urls(app)["confirm"], data=confirmation(rows)).status_code == 302
    again = client.post(urls(app)["confirm"], data=confirmation(rows))
    assert again.status_code == 422
    assert has_error(again, "Alle linjer i filen er allerede betalt og registreret."), errors(again)
    assert len(payments()) == 2


def test_a_line_paid_by_hand_with_another_amount_refuses_the_file(
    app, client, world, finance_batch
):
    """A line of 8.000 kr. marked paid by 5.000 kr. recorded by hand (before the form
    refused that): the finance system's word that the line was paid does not agree with the
    case, so nothing of the file is recorded, and the message names the line and both
    amounts."""
    batch, day = finance_batch.batch, finance_batch.day
    association, person = finance_batch.association, finance_batch.person
    first, second = line_of(batch, association), line_of(batch, person)
    paid_in_part_by_hand(world, first, "5000.00", "H-1")
    before = payments()
    rows = [
        f"{batch.number};{first.position};V-1;{day}",
        f"{batch.number};{second.position};V-2;{day}",
    ]
    response = client.post(urls(app)["confirm"], data=confirmation(rows))
    assert response.status_code == 422
    message = field_error(response, "file")
    assert (
        f"bunke {batch.number} linje {first.position} (sag {association.case_number}) er "
        "allerede registreret som betalt med 5.000,00 kr. (bilag H-1), men linjen er på "
        "8.000,00 kr."
    ) in message, message
    assert payments() == before
    assert statuses(batch)[second.position - 1] == (SENT, "")


def test_a_line_twice_in_the_file_is_named(app, client, finance_batch):
    batch, day = finance_batch.batch, finance_batch.day
    rows = [f"{batch.number};1;V-1;{day}", f"{batch.number};1;V-9;{day}"]
    response = client.post(urls(app)["confirm"], data=confirmation(rows))
    assert response.status_code == 422
    assert has_error(response, f"Linje 3: bunke {batch.number} linje 1 står også tidligere"), (
        errors(response)
    )
    assert payments() == []


@pytest.mark.parametrize("finance_locale", ["en"])
def test_the_report_of_lines_paid_by_hand_in_english(app, client, finance_batch):
    batch, day = finance_batch.batch, finance_batch.day
    association, person = finance_batch.association, finance_batch.person
    first, second = line_of(batch, association), line_of(batch, person)
    assert by_hand(client, association, "8000.00", "H-1").status_code == 302
    rows = [
        f"{batch.number};{first.position};V-1;{day}",
        f"{batch.number};{second.position};V-2;{day}",
    ]
    response = client.post(urls(app)["confirm"], data=confirmation(rows), follow_redirects=True)
    assert flashes(response, "info") == [
        "Recorded as paid already with the same amount, so not recorded again: "
        f"batch {batch.number} line {first.position} (case {association.case_number})."
    ]


@pytest.mark.parametrize("finance_locale", ["en"])
def test_a_conflicting_line_in_english(app, client, world, finance_batch):
    batch, association = finance_batch.batch, finance_batch.association
    first = line_of(batch, association)
    paid_in_part_by_hand(world, first, "5000.00", "H-1")
    rows = [f"{batch.number};{first.position};V-1;{finance_batch.day}"]
    response = client.post(urls(app)["confirm"], data=confirmation(rows))
    assert response.status_code == 422
    assert has_error(response, "is recorded as paid already with 5,000.00 kr."), errors(response)


# -- the day of a payment or a refund ---------------------------------------------------------


def decided_day(application) -> dt.date:
    return local_day(application.decided_at)


@pytest.mark.parametrize("day", ["1900-01-01", "before the decision"])
def test_a_payment_before_the_decision_is_refused_next_to_the_field(
    client,
    auth,
    world,
    cases,
    day,
):
    application = cases["unpaid"]
    decided = decided_day(application)
    if day == "before the decision":
        day = (decided - dt.timedelta(days=1)).isoformat()
    before = payments()
    auth.login(world.finance)
    response = client.post(
        f"/udbetalinger/{application.id}/udbetal",
        data={"amount": "8000", "paid_on": day, "voucher": "B-1"},
    )
    assert response.status_code == 422
    assert field_error(response, "paid_on") == (
        f"Udbetalingen kan ikke være sket før afgørelsen den {long_date(decided, 'da')}."
    )
    assert payments() == before
    # On the day of the decision it is recorded.
    response = client.post(
        f"/udbetalinger/{application.id}/udbetal",
        data={"amount": "8000", "paid_on": decided.isoformat(), "voucher": "B-1"},
    )
    assert response.status_code == 302
    assert payments() == before + [(application.id, "8000.00", "B-1")]


def test_a_refund_before_the_payment_is_refused_in_english(client, auth, world, cases):
    application = cases["refund"]
    world.finance.locale = "en"
    db.session.commit()
    auth.login(world.finance)
    count = db.session.scalar(select(func.count()).select_from(BudgetEntry))
    response = client.post(
        f"/udbetalinger/{application.id}/tilbagebetaling",
        data={"amount": "1500", "refunded_on": "1900-01-01", "voucher": "R-1"},
    )
    assert response.status_code == 422
    paid = db.session.scalar(
        select(func.min(BudgetEntry.booked_on)).where(
            BudgetEntry.application_id == application.id, BudgetEntry.kind == EntryKind.PAYMENT
        )
    )
    assert field_error(response, "refunded_on") == (
        f"The refund cannot have come in before the payment of {long_date(paid, 'en')}."
    )
    assert db.session.scalar(select(func.count()).select_from(BudgetEntry)) == count


def test_a_confirmed_line_paid_before_its_batch_refuses_the_file(app, client, finance_batch):
    batch, day = finance_batch.batch, finance_batch.day
    made = local_day(batch.created_at)
    for bad in ("1900-01-01", (made - dt.timedelta(days=1)).isoformat()):
        rows = [f"{batch.number};1;V-1;{day}", f"{batch.number};2;V-2;{bad}"]
        response = client.post(urls(app)["confirm"], data=confirmation(rows))
        assert response.status_code == 422
        assert has_error(
            response,
            f"Linje 3: datoen kan ikke ligge før bunken blev dannet den {long_date(made, 'da')}.",
        ), errors(response)
    assert payments() == []
    assert {status for status, _voucher in statuses(batch)} == {SENT}


def test_the_api_refuses_a_payment_before_the_decision(app, client, world, cases):
    application = cases["unpaid"]
    _token, secret = tokens.issue(
        "Prisme", "payments", clock.today() + dt.timedelta(days=5), world.finance
    )
    db.session.commit()
    with app.test_request_context():
        url = url_for("api.mark_paid", case_id=application.id)
    body = {"amount": "8000.00", "paid_on": "1900-01-01", "voucher": "P-1"}
    response = client.post(url, json=body, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 422
    assert "paid_on" in response.get_json()["errors"]
    assert payments_of(application) == []


def payments_of(application) -> list:
    return [entry for entry in payments() if entry[0] == application.id]
