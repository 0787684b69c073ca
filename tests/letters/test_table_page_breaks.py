"""A table that crosses a page break in a letter (grants/letters/assets/letter.css): no row is
split over two pages (a label on one, its amounts on the other), and the table's total is
printed once, after its last row, not at the foot of every page the table is on (WeasyPrint
repeats a table's footer group on each page, so a reader saw a total under half a table).

Each kind of letter with a table is made for real, through the issuing functions, after
the text above its table has been made just long enough (found with the same letter's
preview) for the table to start on one page and end on the next."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from decimal import Decimal

from flask_babel import force_locale
from pypdf import PdfReader

from grants.core.formatting import money
from grants.extensions import db
from grants.letters import texts
from grants.letters.kinds import REPORT, SETTLEMENT
from grants.letters.operations import render
from grants.letters.render import create_pdf
from grants.reports.letters import _report_facts, _settlement_facts
from grants.reports.report import report_of
from grants.reports.settlement import settle, settlement_for
from tests.letters.kinds import letters_of
from tests.reports.helpers import file_report, granted_case, pay

FILLER = "Læs mere om puljen og dens regler på kommunens hjemmeside."
COSTS = {"transport": "2500", "accommodation": "1500", "fees": "500", "meals": "250"}


def pages_of(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def page_of(pages: list[str], text: str) -> int | None:
    return next((number for number, page in enumerate(pages) if text in page), None)


def crosses(pages: list[str], first_row: str, total_label: str) -> bool:
    """Whether the table starts on one page and its total is on a later one."""
    first = next((n for n, page in enumerate(pages) if first_row in page), None)
    total = max((n for n, page in enumerate(pages) if total_label in page), default=None)
    return first is not None and total is not None and total > first


def filler_that_crosses(preview: Callable[[int], bytes], first_row: str, total: str) -> int:
    """How many filler paragraphs above the table make it cross a page break in the
    letter's preview (rendered as the letter is, not sealed or stored)."""
    for count in range(0, 80, 2):
        if crosses(pages_of(preview(count)), first_row, total):
            return count
    raise AssertionError("no length of text above the table makes it cross a page")


def assert_whole_rows_and_one_total(pdf: bytes, rows: list[str], total: str, total_row: str):
    pages = pages_of(pdf)
    # The premise: the table is on two pages.
    assert crosses(pages, rows[0].split(" ")[0], total), pages
    for row in rows:
        # A row split over a page break is whole on no page.
        assert page_of(pages, row) is not None, (row, pages)
    text = " ".join(pages)
    assert len(re.findall(rf"(?<!\w){re.escape(total)}(?!\w)", text)) == 1, pages
    # ...and right after the last row.
    assert f"{rows[-1]} {total_row}" in text, pages


def _account_rows(letter, with_difference: bool) -> list[str]:
    with force_locale("da"):
        return [
            " ".join(
                [row["label"], money(Decimal(row["budgeted"])), money(Decimal(row["actual"]))]
                + ([money(Decimal(row["difference"]))] if with_difference else [])
            )
            for row in letter.parameters["accounts"]
        ]


def _fund_text(fund, outcome: str, count: int) -> None:
    body = "\n\n".join([texts.DEFAULT_TEXTS[outcome]] + [FILLER] * count)
    texts.add_text(fund, outcome, body)
    db.session.flush()


def _reported(world, move_clock):
    """A grant of 8.000 kr., paid, the trip over and its report with COSTS filed."""
    application = granted_case(world, 8000)
    pay(application, 8000, world.finance)
    move_clock(application.return_date)
    file_report(application, world.employee, COSTS)
    return application, report_of(application)


def test_the_settlement_letters_accounts_keep_their_rows_and_total_one(world, move_clock):
    application, report = _reported(world, move_clock)

    def preview(count: int) -> bytes:
        _fund_text(world.fund, "settlement", count)
        settlement = settlement_for(application, report)
        html = render(
            SETTLEMENT,
            application,
            lambda: _settlement_facts(application, report, settlement, world.caseworker),
        )[3]
        return create_pdf(html)

    _fund_text(world.fund, "settlement", filler_that_crosses(preview, "Transport", "I alt"))
    settle(application, world.caseworker)
    db.session.commit()

    letter = letters_of(application, SETTLEMENT)[0]
    assert_whole_rows_and_one_total(
        letter.pdf, _account_rows(letter, True), "I alt", "I alt 4.750,00 kr."
    )


def test_the_approved_reports_accounts_keep_their_rows_and_totals_once(world, move_clock):
    application, report = _reported(world, move_clock)
    told = report.what_was_done

    def preview(count: int) -> bytes:
        report.what_was_done = "\n".join([told] + [FILLER] * count)
        html = render(REPORT, application, lambda: _report_facts(application, report))[3]
        return create_pdf(html)

    preview(filler_that_crosses(preview, "Transport", "Udgifter i alt"))
    db.session.flush()
    settle(application, world.caseworker)
    db.session.commit()

    letter = letters_of(application, REPORT)[0]
    assert_whole_rows_and_one_total(
        letter.pdf,
        _account_rows(letter, False),
        "Udgifter i alt",
        "Udgifter i alt 4.750,00 kr. Endeligt tilskud 4.750,00 kr.",
    )
