"""A letter that asks for money back says how to pay it: the municipality's account (reg.
and account number) or its payment method, the case number as the reference, and the
deadline, from the municipality's profile, in the recipient's language."""

from __future__ import annotations

import datetime as dt

import pytest

from grants.core import clock
from grants.core.errors import DomainError
from grants.core.formatting import long_date
from grants.core.models import Municipality
from grants.extensions import db
from grants.letters.models import Letter
from grants.reports.settlement import REFUND_DAYS, settle
from tests.letters.kinds import decision_case, letters_of, pdf_text, settled_case
from tests.reports.helpers import file_report, pay


def test_the_refund_letter_gives_the_account_reference_and_deadline(world, move_clock):
    application = settled_case(world, move_clock, paid=7500, costs={"transport": "5000"})

    (letter,) = letters_of(application, "settlement")
    text = pdf_text(letter.pdf)
    due = clock.today() + dt.timedelta(days=REFUND_DAYS)
    assert "Sådan betaler du tilbage" in text
    assert "Reg.nr. 2211" in text
    assert "Kontonr. 4455667788" in text
    assert f"Reference Sagsnr. {application.case_number}" in text
    assert f"Betalingsfrist {long_date(due, 'da')}" in text
    assert "Beløb 2.500,00 kr." in text
    # What the letter was made from is kept with it.
    assert letter.parameters["municipality"]["refund_account_number"] == "4455667788"


def test_the_refund_letter_in_english(world, move_clock):
    world.employee.locale = "en"
    db.session.commit()
    application = settled_case(world, move_clock, paid=7500, costs={"transport": "5000"})

    text = pdf_text(letters_of(application, "settlement")[0].pdf)
    due = clock.today() + dt.timedelta(days=REFUND_DAYS)
    assert "How to pay back" in text
    assert "Reg. no. 2211" in text
    assert "Account no. 4455667788" in text
    assert f"Reference Case no. {application.case_number}" in text
    assert f"Payment deadline {long_date(due, 'en')}" in text


def test_a_payment_method_alone_is_written_instead_of_an_account(world, move_clock):
    municipality = Municipality.current()
    municipality.refund_reg_number = municipality.refund_account_number = ""
    municipality.refund_payment_method = "Indbetalingskort +71 <12345678+87654321<"
    db.session.commit()
    application = settled_case(world, move_clock, paid=7500, costs={"transport": "5000"})

    text = pdf_text(letters_of(application, "settlement")[0].pdf)
    assert "Betalingsmåde Indbetalingskort +71 <12345678+87654321<" in text
    assert "Reg.nr." not in text and "Kontonr." not in text


def test_a_letter_without_a_refund_has_no_payment_details(world, move_clock):
    application = settled_case(world, move_clock, paid=0, costs={"transport": "5000"})

    text = pdf_text(letters_of(application, "settlement")[0].pdf)
    assert "Sådan betaler du tilbage" not in text and "4455667788" not in text


def test_no_refund_is_claimed_while_the_profile_says_not_where_to_pay(world, move_clock):
    municipality = Municipality.current()
    municipality.refund_reg_number = municipality.refund_account_number = ""
    municipality.refund_payment_method = "  "
    db.session.commit()
    application = decision_case(world, "grant", applied=7500)
    pay(application, 7500, world.finance)
    move_clock(application.return_date)
    file_report(application, world.employee, {"transport": "5000"})

    with pytest.raises(DomainError, match="konto eller betalingsmåde"):
        settle(application, world.caseworker)
    db.session.rollback()
    db.session.expire_all()
    assert application.state == "report_submitted"
    assert letters_of(application, "settlement") == []
    assert db.session.query(Letter).filter_by(kind="report").count() == 0
