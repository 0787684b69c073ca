"""Builders for the report tests: a decided case (through the decide operation, so it has a
reservation on the ledger and a decision letter), payments, and the report form's data."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from pypdf import PdfReader

from grants.applications.operations import decide
from grants.budgets.movements import record_payment
from grants.core import clock
from grants.extensions import db
from tests.factories import make_application

# The smallest files check_upload accepts as what they say they are.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def granted_case(world, amount: int | str = 8000, *, applicant=None, fund=None, **overrides):
    """A study trip granted in full by the caseworker (reservation and decision letter)."""
    application = make_application(
        applicant or world.employee,
        fund or world.fund,
        state="awaiting_decision",
        amount=amount,
        **overrides,
    )
    decide(application, world.caseworker, "grant", None, "")
    db.session.commit()
    return application


def pay(application, amount, actor) -> None:
    record_payment(application, Decimal(amount), actor, clock.today(), voucher="B-1")
    db.session.commit()


def report_data(application, **overrides) -> dict:
    """A complete report for a study trip, as the form posts it: the trip as granted."""
    data = {
        "what_was_done": "Besøgte tre ungdomsskoler og deltog i konferencen.",
        "what_was_learned": "Finske klubber arbejder i små grupper med faste voksne.",
        "how_it_will_be_used": "Vi afprøver små grupper i to klubber i foråret.",
        "actual_departure": application.departure_date.isoformat(),
        "actual_return": application.return_date.isoformat(),
        "participant_names": "Mette Madsen, pædagog",
        "participant_count": "1",
        "transport": "2500",
        "transport_note": "Fly",
        "accommodation": "3000",
        "accommodation_note": "",
        "fees": "",
        "fees_note": "",
        "meals": "",
        "meals_note": "",
        "other": "",
        "other_note": "",
        "intent": "submit",
    }
    data.update(overrides)
    return data


def with_files(data: dict, *files: tuple[bytes, str]) -> dict:
    return {**data, "receipts": [(io.BytesIO(content), name) for content, name in files]}


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def field_errors(page: str) -> list[str]:
    return [
        " ".join(m.split())
        for m in re.findall(r'class="form-error-message"[^>]*>(.*?)</span>\s*$', page, re.S | re.M)
    ]


def file_report(application, actor, costs: dict, *, submit: bool = True, **fields):
    """A report written straight through the model and submitted by ``actor``."""
    from grants.cases.models import BudgetCategory
    from grants.core.files import check_upload
    from grants.reports.models import AccountLine, TripReport
    from grants.reports.report import add_receipt, submit_report

    values = dict(
        what_was_done="Vi gjorde det, vi skrev.",
        what_was_learned="Vi lærte meget.",
        how_it_will_be_used="Vi deler det med kollegerne.",
        actual_departure=application.departure_date,
        actual_return=application.return_date,
    )
    values.update(fields)
    report = TripReport(application_id=application.id, **values)
    for position, (category, amount) in enumerate(costs.items()):
        report.account_lines.append(
            AccountLine(
                position=position, category=BudgetCategory(category), amount=Decimal(amount)
            )
        )
    db.session.add(report)
    add_receipt(application, check_upload("kvittering.pdf", PDF, "receipts"), actor)
    db.session.flush()
    if submit:
        submit_report(application, actor)
    db.session.commit()
    return report


def youth_application(world, youth, **overrides):
    """12 young people and 2 leaders, 5 nights in Prague 10, awaiting its decision, with the
    subsidy the rules give (7.000 kr.) computed and applied for."""
    from grants.applications.operations import compute_subsidy
    from grants.cases.models import BudgetCategory

    values = dict(
        state="awaiting_decision",
        title="Orkestertur til Prag",
        destination_city="",
        destination_country="",
        organisation=youth["organisation"],
        partner_city_id=youth["prague"].id,
        participants_young=12,
        participants_leaders=2,
        participants_disabled=0,
        travellers="",
        direct_contact="To fælles prøver og en fælles koncert.",
        budget={BudgetCategory.TRANSPORT: 24000, BudgetCategory.MEALS: 6000},
        submitted_at=clock.now(),
        departure_date=clock.today() + dt.timedelta(days=40),
        return_date=clock.today() + dt.timedelta(days=45),  # 5 nights
    )
    values.update(overrides)
    application = make_application(youth["frida"], youth["fund"], **values)
    compute_subsidy(application)
    application.amount_applied = application.computed_amount
    return application


def granted_youth_case(world, youth, *, amount=None, dispensation_reason: str = ""):
    """12 young people and 2 leaders, 5 nights in Prague 10: the rules give 7.000 kr.
    Granted as computed, or ``amount`` with a dispensation."""
    application = youth_application(world, youth)
    decide(
        application,
        world.caseworker,
        "grant",
        Decimal(amount) if amount is not None else None,
        "",
        dispensation_reason,
    )
    db.session.commit()
    return application
