from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from grants.cases.models import Application, BudgetCategory, CategoryAmount
from grants.core import clock
from grants.core.auditing import NOT_AUDITED, Audited
from grants.core.models import Timestamp
from grants.core.money import ZERO, Money
from grants.extensions import Model, db


class TripReport(Timestamp, Model):
    """The report and accounts of one granted case. Where it stands is the case's state
    (report_submitted, report_returned, settled: see the routes); this holds what was said."""

    __tablename__ = "trip_report"
    # Its submission and approval are steps, journaled on the case.
    __audit__ = NOT_AUDITED
    __table_args__ = (
        # The openness pages list published trips newest first, a page at a time: read in
        # this index's order instead of sorting every published trip.
        Index("ix_trip_report_trip_start", "trip_start", "application_id"),
        # The public pages' validator reads the latest change (publication.queries).
        Index("ix_trip_report_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)

    what_was_done: Mapped[str] = mapped_column(Text, default="")
    what_was_learned: Mapped[str] = mapped_column(Text, default="")
    how_it_will_be_used: Mapped[str] = mapped_column(Text, default="")

    # What actually happened, where it differs from the application.
    actual_departure: Mapped[dt.date | None] = mapped_column(Date)
    actual_return: Mapped[dt.date | None] = mapped_column(Date)
    # The day the trip began: as reported, else as applied for. Kept by the flush listener
    # below, so that the public list can be read in index order (see ix_trip_report_trip_start).
    trip_start: Mapped[dt.date | None] = mapped_column(Date)
    # Who travelled, by name, for the trips published with names (staff and politicians).
    # Never filled in for children and young people: counts only.
    participant_names: Mapped[str] = mapped_column(Text, default="")
    participant_count: Mapped[int | None]
    # Youth subsidies: the actual participants, counted as in the application.
    actual_young: Mapped[int | None]
    actual_leaders: Mapped[int | None]
    actual_disabled: Mapped[int | None]
    actual_birth_years: Mapped[list | None] = mapped_column(JSON)
    actual_host_group_size: Mapped[int | None]
    # The subsidy worked out again from the actual figures, under the rule-set version of
    # the decision (the same shape as Application.calculation).
    recalculation: Mapped[dict | None] = mapped_column(JSON)

    # active_history: the processing times count from and to these (ProcessingDays below).
    submitted_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), active_history=True
    )
    approved_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), active_history=True
    )
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    # Settlement: the final amount of the grant, and any amount to pay back, by when.
    final_amount: Mapped[Decimal | None] = mapped_column(Money)
    refund_amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    refund_due: Mapped[dt.date | None] = mapped_column(Date)

    application = relationship("Application", backref=db.backref("report", uselist=False))
    approved_by = relationship("User")
    account_lines: Mapped[list[AccountLine]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="AccountLine.position"
    )

    @property
    def actual_total(self) -> Decimal:
        return sum((line.amount for line in self.account_lines), ZERO)

    def actual(self, category: BudgetCategory) -> Decimal:
        return sum((ln.amount for ln in self.account_lines if ln.category == category), ZERO)


@event.listens_for(Session, "before_flush")
def _keep_trip_start(session, flush_context, instances) -> None:
    reports = [obj for obj in (*session.new, *session.dirty) if isinstance(obj, TripReport)]
    with session.no_autoflush:
        for report in reports:
            application = report.application
            if application is None and report.application_id is not None:
                application = session.get(Application, report.application_id)
            planned = application.departure_date if application is not None else None
            start = report.actual_departure or planned
            if report.trip_start != start:
                report.trip_start = start


class ProcessingDays(Model):
    """How many cases took so many days, per measure, fund and year: the processing times
    (sagsbehandlingstid) of the budgets dashboard and its export, counted as they happen.

    ``decision``: from the application's submission to its decision, in the year of the
    decision; ``settlement``: from the trip report's submission to its approval, in the year
    of the approval; the fund is the case's. ``days`` are calendar days in the
    municipality's time zone: between the local dates of the two moments, so a case
    submitted and decided the same day took 0 days, whatever the hours.

    The dashboard works the median and the 90th percentile out of a few hundred rows here
    (grants.core.stats.Spread.of_counts), instead of every case of the year. Kept in the same
    flush as every change of an application or a report (grants.reports.processing); derived,
    never the truth: ``flask budgets rebuild-totals`` makes it again from the cases, and a
    property test checks the two agree after any sequence of changes."""

    __tablename__ = "processing_days"
    # Derived from the applications and the reports.
    __audit__ = NOT_AUDITED
    __table_args__ = (UniqueConstraint("year", "fund_id", "measure", "days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    measure: Mapped[str] = mapped_column(String(20))  # "decision" or "settlement"
    days: Mapped[int]
    cases: Mapped[int] = mapped_column(default=0)


class AccountLine(CategoryAmount, Model):
    """One line of the trip's accounts: the actual cost in a category (receipts are
    attachments on the case with purpose "receipt")."""

    __tablename__ = "account_line"
    # Part of the trip report.
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("trip_report.id", ondelete="CASCADE"), index=True
    )

    report: Mapped[TripReport] = relationship(back_populates="account_lines")


class ReminderLog(Model):
    """A reminder sent about a case's report deadline. One row per case and kind, so the
    reminder command sends nothing twice however often it runs."""

    __tablename__ = "reminder_log"
    # A reminder sent is journaled on the case.
    __audit__ = NOT_AUDITED
    __table_args__ = (UniqueConstraint("application_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # "before_due", "overdue"
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    # The run that sent it (None: sent before runs were logged), and to whom.
    run_id: Mapped[int | None] = mapped_column(ForeignKey("reminder_run.id"), index=True)
    recipients: Mapped[str] = mapped_column(Text, default="", server_default="")

    application: Mapped[Application] = relationship()


# Who a reminder goes to.
APPLICANT_SIDE = "applicant_side"  # the applicant and everyone who acts for the organisation
APPLICANT_ONLY = "applicant"


class ReminderSetting(Model):
    """Which reminder is sent, when and to whom: one row per kind, set by the secretariat on
    the reminders' page. A kind without a row is sent as it always was (``DEFAULTS``)."""

    __tablename__ = "reminder_setting"
    __audit__ = Audited(setting_added=True, setting_changed=True)

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    active: Mapped[bool] = mapped_column(default=True)
    # before_due: days before the deadline (None: each fund's own ``remind_days_before``);
    # overdue: days after the deadline.
    days: Mapped[int | None]
    recipients: Mapped[str] = mapped_column(String(40), default=APPLICANT_SIDE)


class ReminderRun(Model):
    """One run of the reminders (the nightly command or job, the page's "run now", a bulk
    send): when, by whom, and what it sent (its ReminderLog rows)."""

    __tablename__ = "reminder_run"
    # A log of what the reminders did; each reminder is journaled on its case.
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    source: Mapped[str] = mapped_column(String(20))  # "command", "job", "page", "bulk"
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    sent: Mapped[int] = mapped_column(default=0)

    actor = relationship("User")
    reminders: Mapped[list[ReminderLog]] = relationship(order_by=ReminderLog.id)


# Not a table: the final figures of a grant, as settlement works them out and the settlement
# letter states them (grants.reports.settlement).
@dataclass(frozen=True)
class Settlement:
    """The final figures of a grant."""

    granted: Decimal  # the grant on the ledger before settlement
    actual_costs: Decimal
    final: Decimal
    paid: Decimal  # paid out so far, net of refunds
    recalculated: Decimal | None  # youth subsidies: the subsidy from the actual figures
    rule: str  # "subsidy", "dispensation", "costs" or "costs_cap": which part applied

    @property
    def released(self) -> Decimal:
        """Given back to the fund: the grant less the final amount."""
        return self.granted - self.final

    @property
    def refund(self) -> Decimal:
        """To be paid back: paid in advance beyond the final amount."""
        return max(self.paid - self.final, ZERO)

    @property
    def to_pay(self) -> Decimal:
        """Still to be paid out."""
        return max(self.final - self.paid, ZERO)
