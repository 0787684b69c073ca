"""A payment or refund in the journal is worded for the reader, not for the finance officer
who recorded it (issue 15, point 4): an English-speaking officer records, the Danish applicant
reads Danish with Danish amounts and dates, an English one English; the voucher number, the
officer's input, comes back escaped."""

from __future__ import annotations

import datetime as dt

from grants.core import clock
from grants.extensions import db
from tests.payments.test_payments import cases, granted  # noqa: F401 - the fixture

VOUCHER = "<b>B-7</b>"


def _case_page(client, auth, user, application) -> str:
    auth.login(user)
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
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


def test_a_refund_is_worded_for_the_reader(client, auth, world, cases):  # noqa: F811
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
