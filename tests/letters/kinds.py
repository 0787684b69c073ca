"""Every kind of letter the app sends, made the way the app makes it, in a language: full,
more than applied, partial and refused decisions, a youth grant with its calculation and a
dispensation, and settlements that pay out, claim a refund or close even, with the report
that comes with them. Used by the wording tests."""

from __future__ import annotations

import io
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from grants.applications.operations import decide
from grants.extensions import db
from grants.letters.models import Letter
from grants.reports.settlement import settle
from tests.factories import make_application
from tests.reports.helpers import file_report, granted_youth_case, pay

REFUSAL_REASONS = "Rejsen ligger uden for puljens formål."
PARTIAL_REASONS = "Kursusgebyret dækkes ikke."


def pdf_text(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def letters_of(application, kind: str | None = None) -> list[Letter]:
    query = select(Letter).where(Letter.application_id == application.id)
    if kind:
        query = query.where(Letter.kind == kind)
    return list(db.session.scalars(query.order_by(Letter.id)))


def decision_case(world, action: str, amount=None, *, applicant=None, applied=7500, **overrides):
    application = make_application(
        applicant or world.employee,
        world.fund,
        state="awaiting_decision",
        amount=applied,
        **overrides,
    )
    reasons = {"grant": "", "grant_part": PARTIAL_REASONS, "refuse": REFUSAL_REASONS}[action]
    decide(
        application,
        world.caseworker,
        action,
        Decimal(amount) if amount is not None else None,
        reasons,
    )
    db.session.commit()
    return application


def settled_case(world, move_clock, *, paid: int, costs: dict, applicant=None):
    application = decision_case(world, "grant", applicant=applicant, applied=7500)
    if paid:
        pay(application, paid, world.finance)
    move_clock(application.return_date)
    file_report(application, applicant or world.employee, costs)
    settle(application, world.caseworker)
    db.session.commit()
    return application


def every_letter(world, youth, move_clock, language: str) -> dict[str, Letter]:
    """One letter of every kind, to a recipient who reads ``language``."""
    world.employee.locale = language
    youth["frida"].locale = language
    db.session.commit()
    made = {}
    made["granted"] = decision_case(world, "grant")
    made["granted_more"] = decision_case(world, "grant", 8000, applied=7500)
    made["partly"] = decision_case(world, "grant_part", 6000, applied=7500)
    made["refused"] = decision_case(world, "refuse")
    made["youth"] = granted_youth_case(world, youth)
    made["youth_dispensation"] = granted_youth_case(
        world, youth, amount=7500, dispensation_reason="Et særligt program for unge med handicap."
    )
    letters = {name: letters_of(case, "decision")[0] for name, case in made.items()}
    refund = settled_case(world, move_clock, paid=7500, costs={"transport": "5000.50"})
    payout = settled_case(world, move_clock, paid=0, costs={"transport": "6000"})
    even = settled_case(world, move_clock, paid=7500, costs={"transport": "9000"})
    for name, case in (("refund", refund), ("payout", payout), ("even", even)):
        letters[f"settlement_{name}"] = letters_of(case, "settlement")[0]
    letters["report"] = letters_of(refund, "report")[0]
    return letters
