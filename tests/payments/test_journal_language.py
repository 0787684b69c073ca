"""A payment or refund in the journal is worded for the reader, not for the finance officer
who recorded it (issue 15, point 4): an English-speaking officer records, the Danish applicant
reads Danish with Danish amounts and dates, an English one English; the voucher number, the
officer's input, comes back escaped."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

from grants.core import clock
from grants.extensions import db
from grants.payments.operations import pay
from grants.workflow.models import JournalEntry
from tests.journal_reading import case_page, in_english
from tests.payments.test_payments import granted

VOUCHER = "<b>B-7</b>"


def _case_page(client, auth, user, application) -> str:
    auth.login(user)
    html = client.get(f"/ansoegninger/{application.id}").get_data(as_text=True)
    auth.logout()
    return html.replace("\u00a0", " ")


def _as_english_officer(client, auth, world, url: str, data: dict) -> None:
    world.finance.locale = "en"
    db.session.commit()
    auth.login(world.finance)
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    auth.logout()


def _read_in_both_languages(client, auth, world, application) -> tuple[str, str]:
    danish = _case_page(client, auth, world.employee, application)
    world.employee.locale = "en"
    db.session.commit()
    english = _case_page(client, auth, world.employee, application)
    return danish, english


def test_a_payment_is_worded_for_the_reader(client, auth, world):
    application = granted(world, amount=7500)
    application.decided_at = clock.now() - dt.timedelta(days=3)  # paid after the decision
    db.session.commit()
    day = clock.today() - dt.timedelta(days=1)
    _as_english_officer(
        client,
        auth,
        world,
        f"/udbetalinger/{application.id}/udbetal",
        {"amount": "7500", "paid_on": day.isoformat(), "voucher": VOUCHER},
    )
    danish, english = _read_in_both_languages(client, auth, world, application)
    assert "Udbetalt 7.500,00 kr. den" in danish and "Paid 7,500.00" not in danish
    assert "Paid 7,500.00 kr. on" in english and "Udbetalt" not in english
    for html in (danish, english):
        assert "&lt;b&gt;B-7&lt;/b&gt;" in html and VOUCHER not in html


def test_a_refund_is_worded_for_the_reader(client, auth, world, cases):
    application = cases["refund"]
    _as_english_officer(
        client,
        auth,
        world,
        f"/udbetalinger/{application.id}/tilbagebetaling",
        {"amount": "1500", "refunded_on": clock.today().isoformat(), "voucher": VOUCHER},
    )
    danish, english = _read_in_both_languages(client, auth, world, application)
    assert "Tilbagebetaling på 1.500,00 kr. modtaget den" in danish
    assert "1,500.00" not in danish
    assert "1,500.00 kr." in english and "Tilbagebetaling på" not in english
    assert "&lt;b&gt;B-7&lt;/b&gt;" in english and VOUCHER not in english


def _case_file_journal(client, auth, reader, application) -> list[dict]:
    auth.login(reader)
    response = client.get(f"/ansoegninger/{application.id}/sagsmappe.zip")
    assert response.status_code == 200
    auth.logout()
    text = zipfile.ZipFile(io.BytesIO(response.data)).read("journal.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_case_file_words_a_payment_in_danish_with_its_facts(client, auth, world):
    application = granted(world, amount=7500)
    with in_english():
        pay(application, Decimal("7500"), world.finance, clock.today(), "B-9")
    db.session.commit()

    # The case file is the municipality's record, in Danish whoever exports it.
    wording = "Udbetalt 7.500,00 kr. den"
    for locale in ("da", "en"):
        world.caseworker.locale = locale
        db.session.commit()
        [row] = [
            r
            for r in _case_file_journal(client, auth, world.caseworker, application)
            if r["handling"] == "payment_recorded"
        ]
        assert row["detaljer"].startswith(wording) and "B-9" in row["detaljer"]
        assert row["kommentar"] == ""
        facts = json.loads(row["detaljer_data"])
        assert facts["amount"] == "7500.00" and facts["voucher"] == "B-9"


def test_an_entry_written_as_text_before_keeps_its_text(client, auth, world):
    application = granted(world, amount=7500)
    db.session.add(
        JournalEntry(
            application_id=application.id,
            actor_id=world.finance.id,
            action="payment_recorded",
            to_state=application.state,
            comment="Paid 7,500.00 kr. on 1 March 2026 (voucher B-1).",
        )
    )
    db.session.commit()
    html = case_page(client, auth, world.employee, application)
    assert "Paid 7,500.00 kr. on 1 March 2026 (voucher B-1)." in html
