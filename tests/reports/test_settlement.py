"""Settlement: the final amount, the release of what is not used, the refund of what was
paid beyond it, and a ledger that balances afterwards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from grants.budgets.balances import balance
from grants.budgets.movements import record_refund, release
from grants.core import clock
from grants.core.errors import DomainError
from grants.core.formatting import long_date
from grants.extensions import db
from grants.letters.models import Letter
from grants.reports.settlement import REFUND_DAYS, ledger_of, settle
from tests.reports.helpers import file_report, granted_case, pay, pdf_text


def _year(application) -> int:
    return application.departure_date.year


def test_an_underspend_releases_exactly_the_difference(world, move_clock):
    application = granted_case(world, 8000)
    move_clock(application.return_date)
    year = _year(application)
    before = balance(world.fund.id, year)
    assert before.granted == Decimal("8000.00")
    file_report(application, world.employee, {"transport": "2500", "accommodation": "3000"})

    settlement = settle(application, world.caseworker)
    db.session.commit()

    assert settlement.final == Decimal("5500.00")
    assert settlement.released == Decimal("2500.00")
    assert settlement.refund == 0 and settlement.to_pay == Decimal("5500.00")
    after = balance(world.fund.id, year)
    assert before.granted - after.granted == Decimal("2500.00")
    assert after.available - before.available == Decimal("2500.00")
    assert after.spent == 0
    assert ledger_of(application) == (Decimal("5500.00"), Decimal("0.00"))
    report = application.report
    assert application.state == "settled"
    assert (report.final_amount, report.refund_amount, report.refund_due) == (
        Decimal("5500.00"),
        Decimal("0.00"),
        None,
    )


def test_costs_above_the_grant_keep_the_grant_and_other_funding_counts(world, move_clock):
    full = granted_case(world, 8000)
    shared = granted_case(world, 6000, other_funding=Decimal("1000"))
    move_clock(full.return_date)
    file_report(full, world.employee, {"transport": "6000", "accommodation": "6000"})
    assert settle(full, world.caseworker).final == Decimal("8000.00")

    file_report(shared, world.employee, {"transport": "6500"})
    settlement = settle(shared, world.caseworker)
    assert settlement.final == Decimal("5500.00")  # 6.500 costs - 1.000 other funding
    assert settlement.released == Decimal("500.00")


def test_an_advance_larger_than_the_final_amount_is_claimed_back(world, move_clock):
    application = granted_case(world, 8000)
    pay(application, 8000, world.finance)
    move_clock(application.return_date)
    file_report(application, world.employee, {"transport": "2500", "accommodation": "3000"})

    settlement = settle(application, world.caseworker)
    db.session.commit()

    report = application.report
    assert settlement.refund == Decimal("2500.00")
    assert report.refund_amount == Decimal("2500.00")
    assert report.refund_due == clock.today() + dt.timedelta(days=REFUND_DAYS)
    figures = balance(world.fund.id, _year(application))
    assert figures.granted == Decimal("5500.00")  # the grant is the final amount
    assert figures.spent == Decimal("8000.00")  # paid, not yet refunded
    # The refund comes in: spent falls to the final amount; nothing more to release.
    record_refund(application, Decimal("2500"), world.finance, clock.today(), voucher="R-1")
    db.session.commit()
    figures = balance(world.fund.id, _year(application))
    assert (figures.granted, figures.spent) == (Decimal("5500.00"), Decimal("5500.00"))
    with pytest.raises(DomainError):
        release(application, Decimal("1"), world.finance, "")


def test_a_part_paid_in_advance_releases_the_unpaid_part_and_claims_the_rest(world, move_clock):
    application = granted_case(world, 8000)
    pay(application, 6000, world.finance)
    move_clock(application.return_date)
    file_report(application, world.employee, {"transport": "5000"})
    settlement = settle(application, world.caseworker)
    db.session.commit()
    assert (settlement.final, settlement.refund, settlement.released) == (
        Decimal("5000.00"),
        Decimal("1000.00"),
        Decimal("3000.00"),
    )
    assert ledger_of(application) == (Decimal("5000.00"), Decimal("6000.00"))


def test_the_ledger_balances_after_several_settlements(world, move_clock):
    cases = [granted_case(world, 8000) for _ in range(3)]
    pay(cases[0], 8000, world.finance)
    pay(cases[1], 3000, world.finance)
    move_clock(cases[0].return_date)
    costs = [{"transport": "4000"}, {"transport": "9000"}, {"meals": "1234.50"}]
    finals = []
    for application, lines in zip(cases, costs, strict=True):
        file_report(application, world.employee, lines)
        finals.append(settle(application, world.caseworker).final)
    db.session.commit()
    record_refund(cases[0], Decimal("4000"), world.finance, clock.today())
    db.session.commit()

    figures = balance(world.fund.id, _year(cases[0]))
    assert finals == [Decimal("4000.00"), Decimal("8000.00"), Decimal("1234.50")]
    assert figures.granted == sum(finals)
    assert figures.spent == Decimal("8000") + Decimal("3000") - Decimal("4000")
    assert figures.available == figures.budget - sum(finals)


def test_the_settlement_letter_states_the_figures_in_danish(world, move_clock):
    application = granted_case(world, 8000)
    pay(application, 8000, world.finance)
    move_clock(application.return_date)
    file_report(application, world.employee, {"transport": "2500", "accommodation": "3000"})
    settle(application, world.caseworker)
    db.session.commit()

    letters = {
        letter.kind: letter
        for letter in db.session.scalars(
            select(Letter).where(Letter.application_id == application.id)
        )
    }
    assert set(letters) == {"decision", "settlement", "report"}
    text = pdf_text(letters["settlement"].pdf)
    due = clock.today() + dt.timedelta(days=REFUND_DAYS)
    for part in (
        "Afregning af tilskud",
        application.case_number,
        "Mette Madsen",
        "8.000,00 kr.",  # granted, and paid
        "5.500,00 kr.",  # actual costs and the final amount
        "2.500,00 kr.",  # transport, and the amount to repay
        "3.000,00 kr.",
        long_date(due, "da"),
        "Klagevejledning",
        "Folketingets Ombudsmand",
        "Aktindsigt",
    ):
        assert part in text, part
    report_text = pdf_text(letters["report"].pdf)
    assert "Finske" not in report_text and "Vi lærte meget." in report_text
    assert "Mette Madsen" not in report_text  # the fund does not publish names

    # A settled case cannot be settled again, and the letter is never remade.
    with pytest.raises(DomainError):
        settle(application, world.caseworker)


@pytest.mark.parametrize(
    "locale, owed, paid_back",
    [
        (
            "da",
            "Du skal betale 2.500,00 kr. tilbage senest {date}",
            "Sagen er afsluttet. Der sker ikke mere.",
        ),
        (
            "en",
            "You must pay 2,500.00 kr. back by {date}",
            "The case is closed. Nothing more will happen.",
        ),
    ],
)
def test_the_applicant_is_told_a_refund_is_owed_until_it_comes_in(
    world, move_clock, client, auth, locale, owed, paid_back
):
    """Settled with 2.500 kr. paid beyond the final amount: the case page does not say that
    nothing more will happen while the money is owed, nor "to be paid back" once it is in."""
    from tests import html

    application = granted_case(world, 8000)
    pay(application, 8000, world.finance)
    move_clock(application.return_date)
    file_report(application, world.employee, {"transport": "2500", "accommodation": "3000"})
    settle(application, world.caseworker)
    world.employee.locale = locale
    db.session.commit()
    due = long_date(application.report.refund_due, locale=locale)
    auth.login(world.employee)
    url = f"/ansoegninger/{application.id}"

    tracker = html.text_of(client.get(url), "section.status-tracker")
    assert owed.format(date=due) in tracker
    assert paid_back not in tracker

    record_refund(application, Decimal("2500"), world.finance, clock.today(), voucher="R-1")
    db.session.commit()
    page = client.get(url)
    assert paid_back in html.text_of(page, "section.status-tracker")
    facts = html.definitions(page, "section[aria-labelledby=report-heading] dl")
    assert "Skal betales tilbage" not in facts and "To be paid back" not in facts
    assert facts.get("Betalt tilbage", facts.get("Paid back")) == (
        "2.500,00 kr." if locale == "da" else "2,500.00 kr."
    )
