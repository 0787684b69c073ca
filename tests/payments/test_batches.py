"""Payment batches for the finance system (issue 23 point 2): a batch holds what is due and
not yet sent, its posting files read back field by field, the confirmation marks paid once,
bad confirmation lines refuse the whole file, only finance officers make batches."""

from __future__ import annotations

import csv
import io

import pytest
from flask import url_for
from sqlalchemy import func, select

from grants.budgets.models import BudgetEntry, EntryKind
from grants.core import clock
from grants.extensions import db
from grants.payments import batches
from grants.payments.models import PAID, SENT, PaymentBatch, PaymentBatchLine
from tests.factories import make_fund
from tests.html import errors, flashes, has_error
from tests.html import page as html_page
from tests.payments.test_payments import granted


def payment_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(BudgetEntry).where(BudgetEntry.kind == EntryKind.PAYMENT)
    )


def urls(app, **values):
    with app.test_request_context():
        return {
            "make": url_for("payments.export_batch"),
            "list": url_for("payments.batch_list"),
            "confirm": url_for("payments.batch_confirmation"),
            **{
                layout: url_for("payments.batch_file", layout=layout, **values)
                for layout in ("csv", "xlsx", "prisme")
                if values
            },
        }


def make_batch(client, app) -> PaymentBatch:
    response = client.post(urls(app)["make"])
    assert response.status_code == 302
    return db.session.scalar(select(PaymentBatch).order_by(PaymentBatch.id.desc()))


def test_a_batch_and_its_files_read_back(app, client, auth, world, two_cases):
    association, person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    assert batch.number == f"{clock.today().year}-0001"
    assert [line.status for line in batch.lines] == [SENT, SENT]
    files = urls(app, batch_id=batch.id)
    body = client.get(files["csv"]).get_data().decode("utf-8-sig")
    rows = {row["case_number"]: row for row in csv.DictReader(io.StringIO(body))}
    assert rows[association.case_number]["recipient_kind"] == "CVR"
    assert rows[association.case_number]["recipient"] == "29189420"
    assert rows[person.case_number]["recipient_kind"] == "SAG"
    assert rows[person.case_number]["recipient"] == person.case_number
    assert {row["account_string"] for row in rows.values()} == {"5.25.10.01.04.5"}
    assert {row["amount"] for row in rows.values()} == {"8000.00", "3000.00"}
    assert client.get(files["xlsx"]).status_code == 200
    text = client.get(files["prisme"]).get_data(as_text=True)
    lines = [batches.parse_prisme_line(line) for line in text.split("\r\n") if line]
    assert [line["snitfladetype"] for line in lines] == ["G68", "G69", "G68", "G69"]
    assert [line["linieloebenr"] for line in lines] == [1, 2, 3, 4]
    for line in lines:
        assert line["registreringssted"] == "000"
        assert line["organisationsenhed"] == "0000"
    g68 = [line for line in lines if line["snitfladetype"] == "G68"]
    g69 = [line for line in lines if line["snitfladetype"] == "G69"]
    assert {line["ydelsesmodtager"] for line in g68} == {
        "CVR:29189420",
        f"REF:{person.case_number}",
    }
    assert all(line["transaktionstype"] == "01" and line["flyd_fast"] == "1" for line in g68)
    assert all(line["posteringstype"] == "NOR" and line["linieformat"] == "FLYD" for line in g69)
    assert {line["111"] for line in g69} == {"5.25.10.01.04.5"}
    assert sorted(line["112"] for line in g69) == ["3000,00", "8000,00"]
    # No bank account number and no CPR number anywhere.
    assert "cpr" not in text.lower() and "regnr" not in text.lower()


def test_a_second_batch_holds_only_what_is_new(app, client, auth, world, two_cases):
    auth.login(world.finance)
    first = make_batch(client, app)
    again = client.post(urls(app)["make"], follow_redirects=True)
    assert "Der er ingen nye udbetalinger at sende." in flashes(again)
    assert db.session.scalar(select(func.count()).select_from(PaymentBatch)) == 1
    new = granted(world, amount=500)
    db.session.commit()
    second = make_batch(client, app)
    assert second.number.endswith("-0002")
    assert [line.application_id for line in second.lines] == [new.id]
    assert first.id != second.id


def test_a_batch_made_meanwhile_is_not_sent_again(app, client, auth, world, two_cases, monkeypatch):
    """A double click on "make a batch", or two finance officers at once: the second request
    read the payments due before the first's batch was committed, then waited for the
    funds' locks. Read again under the locks, the payments are in the first batch already,
    and the finance system never gets them twice."""
    due_before, waiting_before = batches.open_items(), batches.waiting_application_ids()
    auth.login(world.finance)
    first = make_batch(client, app)
    assert len(first.lines) == 2

    def as_read_before(name, value):
        real, calls = getattr(batches, name), []

        def read():
            calls.append(1)
            return value if len(calls) == 1 else real()

        monkeypatch.setattr(batches, name, read)

    as_read_before("open_items", due_before)
    as_read_before("waiting_application_ids", waiting_before)
    again = client.post(urls(app)["make"], follow_redirects=True)
    assert "Der er ingen nye udbetalinger at sende." in flashes(again)
    assert db.session.scalar(select(func.count()).select_from(PaymentBatch)) == 1
    assert db.session.scalar(select(func.count()).select_from(PaymentBatchLine)) == 2


def confirmation(lines: list[str]) -> dict:
    text = "batch;line;voucher;paid_on\n" + "\n".join(lines) + "\n"
    return {"file": (io.BytesIO(text.encode()), "kvittering.csv")}


def test_the_confirmation_marks_paid_exactly_once(app, client, auth, world, two_cases):
    auth.login(world.finance)
    batch = make_batch(client, app)
    day = clock.today().isoformat()
    rows = [f"{batch.number};1;V-1;{day}", f"{batch.number};2;V-2;{day}"]
    response = client.post(urls(app)["confirm"], data=confirmation(rows))
    assert response.status_code == 302
    db.session.expire_all()
    assert [line.status for line in db.session.get(PaymentBatch, batch.id).lines] == [PAID, PAID]
    assert payment_count() == 2
    again = client.post(urls(app)["confirm"], data=confirmation(rows))
    assert again.status_code == 422
    assert has_error(again, "allerede betalt"), errors(again)
    assert payment_count() == 2


def test_a_confirmation_takes_its_funds_locks_in_id_order(app, client, auth, world, monkeypatch):
    """A file of two funds, the later fund's line first: the funds are locked in id order
    before any line is paid, as a year's closing locks them, so the two at once queue
    instead of deadlocking."""
    from grants.budgets import lock
    from grants.payments import operations

    later = make_fund(code="anden-pulje", name="Anden pulje")
    assert later.id > world.fund.id
    world.fund.account_string, later.account_string = "5.25.10.01.04.5", "5.25.10.01.04.6"
    cases = {later.id: granted(world, fund=later, amount=3000), world.fund.id: granted(world)}
    db.session.commit()
    auth.login(world.finance)
    batch = make_batch(client, app)
    position = {line.application.fund_id: line.position for line in batch.lines}
    day = clock.today().isoformat()
    rows = [f"{batch.number};{position[fund_id]};V-{fund_id};{day}" for fund_id in cases]
    locked: list[int] = []
    take = lock.lock_fund

    def noted(fund):
        locked.append(fund.id)
        take(fund)

    monkeypatch.setattr(lock, "lock_fund", noted)
    monkeypatch.setattr(operations, "lock_fund", noted)
    response = client.post(urls(app)["confirm"], data=confirmation(rows))
    assert response.status_code == 302
    assert locked[:2] == [world.fund.id, later.id]
    assert payment_count() == 2


@pytest.mark.parametrize(
    "row, message",
    [
        ("{n};9;V-1;{d}", "ukendt bunke eller linje"),
        ("1999-0001;1;V-1;{d}", "ukendt bunke eller linje"),
        ("{n};1;;{d}", "bilagsnummeret"),
        ("{n};1;V-1;i går", "ÅÅÅÅ-MM-DD"),
        ("{n};1;V-1;2999-01-01", "fremtiden"),
    ],
)
def test_a_bad_line_refuses_the_whole_file(app, client, auth, world, two_cases, row, message):
    auth.login(world.finance)
    batch = make_batch(client, app)
    day = clock.today().isoformat()
    good = f"{batch.number};2;V-2;{day}"
    bad = row.format(n=batch.number, d=day)
    response = client.post(urls(app)["confirm"], data=confirmation([good, bad]))
    assert response.status_code == 422
    assert has_error(response, message), errors(response)
    assert payment_count() == 0
    db.session.expire_all()
    statuses = db.session.scalars(select(PaymentBatchLine.status)).all()
    assert set(statuses) == {SENT}


def test_a_file_without_the_columns_is_refused(app, client, auth, world, two_cases):
    auth.login(world.finance)
    make_batch(client, app)
    data = {"file": (io.BytesIO(b"foo;bar\n1;2\n"), "x.csv")}
    response = client.post(urls(app)["confirm"], data=data)
    assert response.status_code == 422
    assert has_error(response, "kolonnerne"), errors(response)
    assert payment_count() == 0


@pytest.mark.parametrize("who", ["caseworker", "admin", "outsider"])
def test_only_a_finance_officer_makes_or_confirms_a_batch(app, client, auth, world, two_cases, who):
    auth.login(getattr(world, who))
    assert client.post(urls(app)["make"]).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(PaymentBatch)) == 0
    data = confirmation([f"{clock.today().year}-0001;1;V-1;{clock.today().isoformat()}"])
    assert client.post(urls(app)["confirm"], data=data).status_code == 403
    assert payment_count() == 0


def test_the_batch_page_in_english(app, client, auth, world, two_cases):
    world.finance.locale = "en"
    db.session.commit()
    auth.login(world.finance)
    make_batch(client, app)
    page = client.get(urls(app)["list"], headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert html_page(page).html["lang"] == "en"


def api_mark_paid(client, app, finance, case, amount: str):
    """The finance system's API call that records the case's payment, with a token of the
    finance officer's (the officer logged out first)."""
    import datetime as dt

    from grants.api import tokens

    _token, secret = tokens.issue(
        "Prisme", "payments", clock.today() + dt.timedelta(days=5), finance
    )
    db.session.commit()
    with app.test_request_context():
        url = url_for("api.mark_paid", case_id=case.id)
    body = {"amount": amount, "paid_on": clock.today().isoformat(), "voucher": "P-1"}
    return client.post(url, json=body, headers={"Authorization": f"Bearer {secret}"})


def test_the_api_write_confirms_a_sent_line(app, client, auth, world, two_cases):
    association, _person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    auth.logout()
    response = api_mark_paid(client, app, world.finance, association, "8000.00")
    assert response.status_code == 201
    db.session.expire_all()
    line = next(
        line
        for line in db.session.get(PaymentBatch, batch.id).lines
        if line.application_id == association.id
    )
    assert (line.status, line.voucher) == (PAID, "P-1")


def test_a_bad_line_is_refused_in_english(app, client, auth, world, two_cases):
    world.finance.locale = "en"
    db.session.commit()
    auth.login(world.finance)
    make_batch(client, app)
    data = confirmation([f"1999-0001;1;V-1;{clock.today().isoformat()}"])
    response = client.post(urls(app)["confirm"], data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert has_error(response, "unknown batch or line"), errors(response)


def test_a_finance_officer_reads_in_no_file_that_pays_their_own_case(
    app, client, auth, world, two_cases
):
    """Nobody records money on a case they have a personal interest in (forvaltningsloven §
    3): not by hand, and not by reading in the finance system's file either. The officer who
    belongs to the applying association is refused, naming the line, and nothing is paid;
    another officer reads the same file in."""
    from grants.organisations.models import Membership
    from grants.people.models import Role
    from tests.factories import make_user

    association, _person = two_cases
    db.session.add(Membership(organisation_id=association.organisation_id, user=world.finance))
    db.session.commit()
    auth.login(world.finance)
    batch = make_batch(client, app)
    day = clock.today().isoformat()
    line = next(line for line in batch.lines if line.application_id == association.id)
    rows = [f"{batch.number};{n.position};V-{n.position};{day}" for n in batch.lines]
    response = client.post(urls(app)["confirm"], data=confirmation(rows))
    assert response.status_code == 422
    assert has_error(
        response, f"Linje {line.position + 1}: sag {association.case_number} er din egen"
    ), errors(response)
    db.session.expire_all()
    assert [n.status for n in db.session.get(PaymentBatch, batch.id).lines] == [SENT, SENT]
    assert payment_count() == 0

    colleague = make_user(Role.EMPLOYEE, Role.FINANCE, name="Finn Frandsen")
    db.session.commit()
    auth.login(colleague)
    again = client.post(urls(app)["confirm"], data=confirmation(rows))
    assert again.status_code == 302
    assert payment_count() == 2
