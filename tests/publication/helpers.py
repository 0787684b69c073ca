"""Published trips for the tests: a settled case with its report, accounts and report
letter, built with tests/factories.py."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from sqlalchemy import event

from grants.cases.models import BudgetCategory, Outcome
from grants.core import clock
from grants.extensions import db
from grants.letters.models import Letter
from grants.reports.models import AccountLine, TripReport
from tests.factories import make_application

# The day the publication tests run on (tests/publication/conftest.py).
TODAY = dt.date(2026, 11, 25)

ACCOUNTS = {
    BudgetCategory.TRANSPORT: "3200.50",
    BudgetCategory.ACCOMMODATION: "4100",
    BudgetCategory.FEES: "1500",
    BudgetCategory.MEALS: "899.50",
    BudgetCategory.OTHER: "300",
}


def make_trip(
    applicant,
    fund,
    *,
    state: str = "settled",
    departure: dt.date | None = None,
    days: int = 5,
    names: str = "",
    count: int | None = 2,
    accounts: dict | None = None,
    letter: bool = True,
    **overrides,
):
    """A case on ``fund`` with its report and accounts (and the approved report's PDF)."""
    departure = departure or dt.date(clock.today().year, 3, 2)
    application = make_application(
        applicant,
        fund,
        state=state,
        departure_date=departure,
        return_date=departure + dt.timedelta(days=days - 1),
        outcome=Outcome.GRANTED,
        granted_amount=Decimal(10000),
        decided_at=clock.now(),
        **overrides,
    )
    report = TripReport(
        application_id=application.id,
        what_was_done="Besøg og konference.",
        participant_names=names,
        participant_count=count,
        submitted_at=clock.now(),
        approved_at=clock.now() if state == "settled" else None,
        final_amount=Decimal(10000) if state == "settled" else None,
    )
    for position, (category, amount) in enumerate((accounts or ACCOUNTS).items()):
        report.account_lines.append(
            AccountLine(position=position, category=category, amount=Decimal(amount))
        )
    db.session.add(report)
    if letter:
        pdf = b"%PDF-1.7\n% rapport " + str(application.id).encode() + b"\n%%EOF\n"
        db.session.add(
            Letter(
                application_id=application.id,
                kind="report",
                language="da",
                template="reports/report.html",
                parameters={},
                filename=f"rapport-{application.id}.pdf",
                pdf=pdf,
                sha256=hashlib.sha256(pdf).hexdigest(),
                size=len(pdf),
            )
        )
    db.session.flush()
    return application


def letter_of(application, kind: str = "report") -> Letter | None:
    return db.session.scalar(
        db.select(Letter).where(Letter.application_id == application.id, Letter.kind == kind)
    )


class QueryCounter:
    """Counts the SQL statements run inside ``with``."""

    def __init__(self):
        self.count = 0

    def _note(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._note)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._note)
