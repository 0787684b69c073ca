from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    event,
    extract,
    func,
    text,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core import clock
from grants.core.auditing import NOT_AUDITED
from grants.core.models import Timestamp, enum_type, greatest
from grants.core.money import ZERO, Money
from grants.extensions import Model


class BudgetCategory(enum.StrEnum):
    TRANSPORT = "transport"
    ACCOMMODATION = "accommodation"
    FEES = "fees"  # course or conference fees
    MEALS = "meals"  # meals (forplejning); until December 2026 also per diem
    PER_DIEM = "per_diem"  # per diem (diæter, dagpenge)
    OTHER = "other"


class Outcome(enum.StrEnum):
    GRANTED = "granted"  # in full
    PARTLY_GRANTED = "partly_granted"
    REFUSED = "refused"


def _youth_field(name: str, empty: object = None) -> property:
    """``Application.<name>``: the field of the case's youth subsidy (YouthSubsidy). A case
    without one reads ``empty``; giving it a value makes the row, and giving it nothing
    (None, ``empty``) makes none. Not a column of ``application``: queries join YouthSubsidy.
    """

    def read(application: Application) -> object:
        youth = application.youth_subsidy
        return empty if youth is None else getattr(youth, name)

    def write(application: Application, value: object) -> None:
        if application.youth_subsidy is None:
            if value is None or value == empty:
                return
            application.youth_subsidy = YouthSubsidy()
        setattr(application.youth_subsidy, name, value)

    return property(read, write)


class Application(Timestamp, Model):
    __tablename__ = "application"
    # Its steps reach the trail as journal entries (JournalEntry); its fields are the
    # applicant's own, filled in while it is a draft.
    __audit__ = NOT_AUDITED
    __table_args__ = (
        # The work queue's order: the first page is read in index order, not sorted.
        Index("ix_application_submitted_at_id", "submitted_at", "id"),
        # The task list's order: the longest waiting first (grants.desk.tasks).
        Index("ix_application_state_since_id", "state_since", "id"),
        # ... and the queue filtered by fund, in the same order.
        Index("ix_application_fund_submitted_id", "fund_id", "submitted_at", "id"),
        # The cases waiting for a caseworker's and for a board's step, by fund: what the
        # menu's and the task list's counts read for these roles (the rule's branches,
        # grants.workflow.engine.counted_ids), a few thousand of 100,000.
        Index(
            "ix_application_waits_for_caseworker",
            "fund_id",
            "waits_for_caseworker",
            postgresql_where=text("waits_for_caseworker IS NOT NULL"),
            sqlite_where=text("waits_for_caseworker IS NOT NULL"),
        ),
        Index(
            "ix_application_waits_for_board",
            "fund_id",
            "waits_for_board",
            postgresql_where=text("waits_for_board IS NOT NULL"),
            sqlite_where=text("waits_for_board IS NOT NULL"),
        ),
        # ... and by fund and state.
        Index("ix_application_fund_state_submitted", "fund_id", "state", "submitted_at", "id"),
        # The task page's filter choices: whether a fund has a case in a state on a route
        # where the person has a step, one probe each (grants.desk.tasks.choices).
        Index("ix_application_fund_state_route", "fund_id", "state", "route_id"),
        # The undecided cases of a fund (the budgets' list of the cases waiting for a
        # decision, the closing of a year): ``outcome IS NULL`` an index condition. No
        # partial index: PostgreSQL tries to prove its predicate from the waiting condition
        # of every statement of the work queue, its count and the menu's (2-3 ms each).
        Index("ix_application_fund_outcome_departure", "fund_id", "outcome", "departure_date"),
        # A fund's decisions of the last year, read from the index alone (the applicant's
        # expected time to a decision, grants.reports.timing); it also serves what looks
        # cases up by their fund alone (the foreign key).
        Index("ix_application_fund_decided", "fund_id", "decided_at", "submitted_at"),
        # The public pages' validator reads the latest change (publication.queries).
        Index("ix_application_updated_at", "updated_at"),
        # The cases in a state sent or not (the search's never sent cases that are no
        # longer drafts: grants.desk.search), in the order of the lists.
        Index("ix_application_state_submitted_id", "state", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # sagsnr.: given when the application is first submitted
    case_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    # active_history on the columns the budgets' "applied for, not decided" totals read
    # (grants.budgets.models.BudgetWaiting): a change always knows the old value.
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), active_history=True)
    # The route the case started on; it finishes on it even if the fund's route changes.
    route_id: Mapped[int] = mapped_column(ForeignKey("workflow_route.id"))
    state: Mapped[str] = mapped_column(String(40), index=True, active_history=True)
    # When the case came into its state (kept by ``_state_since`` below): how long it has
    # waited, on the task list.
    state_since: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # From which day the case waits for a step of each role, as its route expects one (the
    # transitions that notify) from its state, by their guards (a report's from the return
    # date), or earlier as packages above say (grants.messages: an unanswered request for
    # information, the applicant side's at once; an unread reply, the caseworkers'); None:
    # nothing waits for the role as the case stands. Derived, never the truth: kept by
    # grants.workflow.waits_for with every change of what it comes from, in the same flush.
    # The work queue, the menu and the task list find what waits for a person by these.
    waits_for_applicant: Mapped[dt.date | None] = mapped_column(Date)
    waits_for_manager: Mapped[dt.date | None] = mapped_column(Date)
    waits_for_caseworker: Mapped[dt.date | None] = mapped_column(Date)
    waits_for_board: Mapped[dt.date | None] = mapped_column(Date)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # For youth subsidies: the association, school or institution the application is from.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)

    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    destination_city: Mapped[str] = mapped_column(String(120), default="")
    destination_country: Mapped[str] = mapped_column(String(2), default="")
    departure_date: Mapped[dt.date | None] = mapped_column(Date, active_history=True)
    # The budget year the case was moved to when its year of travel was closed while it
    # waited for a decision (grants.budgets.closing.close_year); None: the year of travel.
    budget_year_moved_to: Mapped[int | None] = mapped_column(active_history=True)
    return_date: Mapped[dt.date | None] = mapped_column(Date)
    programme: Mapped[str] = mapped_column(Text, default="")
    travellers: Mapped[str] = mapped_column(Text, default="")
    traveller_count: Mapped[int] = mapped_column(default=1)
    other_funding: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    other_funding_source: Mapped[str] = mapped_column(Text, default="")
    amount_applied: Mapped[Decimal] = mapped_column(Money, default=ZERO, active_history=True)
    expected_benefit: Mapped[str] = mapped_column(Text, default="")
    knowledge_sharing: Mapped[str] = mapped_column(Text, default="")

    # The version of the fund's own questions the form was filled in with, and the answers
    # by question key (files: the attachment's id and name).
    form_version_id: Mapped[int | None] = mapped_column(ForeignKey("form_version.id"))
    # The key of the new-application form the case was made from: a form sent twice (a double
    # click, a page sent again) finds its case instead of making a second one.
    form_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    answers: Mapped[dict | None] = mapped_column(JSON)

    # active_history on the two moments the processing times count from and to
    # (grants.reports.models.ProcessingDays), as on the columns above.
    submitted_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), active_history=True
    )
    # The manager's endorsement (anbefaling): True, False, or not yet given.
    endorsed: Mapped[bool | None]
    endorsement_comment: Mapped[str] = mapped_column(Text, default="")
    # The applicant's reply to the caseworker's request for information, while it is being
    # written (saved with the form); on resubmission it goes into the journal and is cleared.
    reply_draft: Mapped[str] = mapped_column(Text, default="", server_default="")

    outcome: Mapped[Outcome | None] = mapped_column(enum_type(Outcome), active_history=True)
    granted_amount: Mapped[Decimal | None] = mapped_column(Money)
    decision_reasons: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), active_history=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    report_due: Mapped[dt.date | None] = mapped_column(Date)

    fund = relationship("Fund", lazy="joined")
    organisation = relationship("Organisation")
    route = relationship("Route")
    form_version = relationship("FormVersion")
    applicant = relationship("User", foreign_keys=[applicant_id], lazy="joined")
    manager = relationship("User", foreign_keys=[manager_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="BudgetLine.position"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Attachment.id"
    )
    journal = relationship("JournalEntry", order_by="JournalEntry.id", viewonly=True)
    letters = relationship("Letter", order_by="Letter.id", viewonly=True)
    complaints: Mapped[list[Complaint]] = relationship(
        back_populates="application", order_by="Complaint.id"
    )
    # The youth subsidy's own data, for the kinds whose form is "subsidy"; None for the
    # others. Loaded with the case (a join, not a statement of its own).
    youth_subsidy: Mapped[YouthSubsidy | None] = relationship(
        back_populates="application", lazy="joined", cascade="all, delete-orphan"
    )
    partner_city_id = _youth_field("partner_city_id")
    partner_city = _youth_field("partner_city")
    participants_young = _youth_field("participants_young")
    participants_leaders = _youth_field("participants_leaders")
    participants_disabled = _youth_field("participants_disabled")
    birth_years = _youth_field("birth_years")
    host_group_size = _youth_field("host_group_size")
    direct_contact = _youth_field("direct_contact", "")
    rule_set_id = _youth_field("rule_set_id")
    rule_set = _youth_field("rule_set")
    computed_amount = _youth_field("computed_amount")
    calculation = _youth_field("calculation")
    dispensation_request = _youth_field("dispensation_request", "")
    dispensation_reason = _youth_field("dispensation_reason", "")

    @property
    def budget_total(self) -> Decimal:
        return sum((line.amount for line in self.budget_lines), ZERO)

    @property
    def above_delegated_limit(self) -> bool:
        """More applied for than the fund's caseworkers may grant alone: its board decides
        (the route's guards above/within_delegated_limit)."""
        return self.amount_applied > self.fund.delegated_limit

    @hybrid_property
    def budget_year(self) -> int | None:
        """The year whose budget a grant is reserved on: the year of travel or, when the
        case was moved on when its year was closed before it was decided, the year it was
        moved to if the trip is earlier. The move is kept whatever the dates do later: a
        trip put off past it is paid by its year of travel, one brought back is not paid by
        the closed year. ``budget_year_expression`` is the same in SQL."""
        travel = self.departure_date.year if self.departure_date else None
        if self.budget_year_moved_to is None:
            return travel
        if travel is None:
            return self.budget_year_moved_to
        return max(self.budget_year_moved_to, travel)

    @budget_year.inplace.expression
    @classmethod
    def _budget_year_expression(cls) -> ColumnElement[int]:
        return budget_year_expression(cls.budget_year_moved_to, cls.departure_date)

    @property
    def nights(self) -> int | None:
        if self.departure_date and self.return_date:
            return (self.return_date - self.departure_date).days
        return None

    def line(self, category: BudgetCategory) -> BudgetLine | None:
        return next((bl for bl in self.budget_lines if bl.category == category), None)

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.state}>"


@event.listens_for(Application.state, "set")
def _state_since(target: Application, value: str, old: object, initiator: object) -> None:
    if value != old:
        target.state_since = clock.now()


def budget_year_expression(moved_to: Any, departure_date: Any) -> ColumnElement[int]:
    """``Application.budget_year`` in SQL, for these columns: the later of the year moved
    to and the year of travel; the year moved to without a departure date, NULL without
    either (``greatest``: SQLite's max answers NULL for a NULL argument, hence coalesce)."""
    travel = sql_cast(extract("year", departure_date), Integer)
    return greatest(func.coalesce(moved_to, travel), func.coalesce(travel, moved_to))


class YouthSubsidy(Model):
    """The youth travel and host subsidies' own data on a case (the kinds whose form is
    "subsidy", ``grants.funds.kinds``): who travels (counts only, never names), where, and
    what the rules gave. One row per such case; the other kinds' cases have none. The case
    reads and writes these fields as its own (``Application.participants_young`` ...)."""

    __tablename__ = "youth_subsidy"
    # Part of the application (see Application): filled in with its form, changes reach the
    # journal through grants.applications.changes.
    __audit__ = NOT_AUDITED

    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), primary_key=True
    )
    partner_city_id: Mapped[int | None] = mapped_column(ForeignKey("partner_city.id"))
    participants_young: Mapped[int | None]
    participants_leaders: Mapped[int | None]
    participants_disabled: Mapped[int | None]
    birth_years: Mapped[list | None] = mapped_column(JSON)
    # Hosting: the number of persons in the visiting group.
    host_group_size: Mapped[int | None]
    direct_contact: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The version of the fund's rules the subsidy was computed with; what they gave, and
    # the working as it was shown.
    rule_set_id: Mapped[int | None] = mapped_column(ForeignKey("rule_set.id"))
    computed_amount: Mapped[Decimal | None] = mapped_column(Money)
    calculation: Mapped[dict | None] = mapped_column(JSON)
    # The applicant asks for a departure from the rules, and why.
    dispensation_request: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The decider departed from the computed amount, and why.
    dispensation_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    application: Mapped[Application] = relationship(back_populates="youth_subsidy")
    partner_city = relationship("PartnerCity")
    rule_set = relationship("RuleSet")


class CategoryAmount:
    """The columns of one line of money in a category, in its place on the list: a budget
    line applied for (BudgetLine), or a cost in the trip's accounts (reports: AccountLine)."""

    position: Mapped[int] = mapped_column(default=0)
    category: Mapped[BudgetCategory] = mapped_column(enum_type(BudgetCategory))
    description: Mapped[str] = mapped_column(String(300), default="")
    amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)


class BudgetLine(CategoryAmount, Model):
    __tablename__ = "budget_line"
    # Part of the application (see Application).
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )

    application: Mapped[Application] = relationship(back_populates="budget_lines")


class Attachment(Model):
    """A document received in a case. The bytes live in the database with the case, so a
    backup of the database is a backup of the file; the name is for display only.

    A document received is kept as it was received (journaliseringspligt, offentlighedsloven
    § 15): never changed, never removed. A new upload of the same document (a new programme,
    a new file for one of the fund's questions) is a new version that ``supersedes`` the one
    before; the older versions stay in the case file. Receipts add up: each is a document of
    its own. Only the privacy purge erases documents, after the retention period (see
    ``grants.applications.documents``)."""

    __tablename__ = "attachment"
    # Adding a document is journaled on the case (JournalEntry), and that is audited.
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(40), default="programme")
    # 1 for the first upload of a document, then 2, 3, ...; ``supersedes_id`` is the version
    # it replaces as the current one (unique: a version has at most one successor).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    application: Mapped[Application] = relationship(back_populates="attachments")
    uploaded_by = relationship("User")
    # Set when the person who added it took it back before sending (AttachmentWithdrawal).
    withdrawal: Mapped[AttachmentWithdrawal | None] = relationship(
        back_populates="attachment", uselist=False, viewonly=True
    )

    @property
    def withdrawn(self) -> bool:
        return self.withdrawal is not None


class AttachmentWithdrawal(Model):
    """A document taken back by the person who added it, before they sent it (a receipt
    before the report is submitted, an attachment of a draft). The document itself stays in
    the case file as received, marked withdrawn: nothing received is ever removed."""

    __tablename__ = "attachment_withdrawal"
    # Withdrawing is journaled on the case (JournalEntry, which is audited).
    __audit__ = NOT_AUDITED

    attachment_id: Mapped[int] = mapped_column(
        ForeignKey("attachment.id", ondelete="CASCADE"), primary_key=True
    )
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdrawn_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    attachment: Mapped[Attachment] = relationship(back_populates="withdrawal")
    withdrawn_by = relationship("User")


class ComplaintOutcome(enum.StrEnum):
    """What the complaints body decided (klageinstansens afgørelse)."""

    UPHELD = "upheld"  # stadfæstet: the decision stands
    CHANGED = "changed"  # ændret
    REMITTED = "remitted"  # hjemvist: sent back to be decided again
    DISMISSED = "dismissed"  # afvist: not heard (too late, not a party)


class Complaint(Model):
    """A complaint about a decision, forwarded to the complaints body the letter names
    (klageinstans; the Parliamentary Ombudsman in the standard text), and later that body's
    outcome. Both steps are journalised on the case."""

    __tablename__ = "complaint"
    # Forwarding and the outcome are journaled on the case (JournalEntry), and that is
    # audited.
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    # The decision letter complained about.
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"))
    body: Mapped[str] = mapped_column(String(200))  # the complaints body, as the letter names it
    forwarded_on: Mapped[dt.date] = mapped_column(Date)
    forwarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    outcome: Mapped[ComplaintOutcome | None] = mapped_column(enum_type(ComplaintOutcome))
    outcome_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    application: Mapped[Application] = relationship(back_populates="complaints")
    letter = relationship("Letter")


class DocumentIsKept(RuntimeError):
    """Raised when code tries to change or remove a document received in a case."""


@event.listens_for(Attachment, "before_update")
@event.listens_for(Attachment, "before_delete")
@event.listens_for(AttachmentWithdrawal, "before_update")
@event.listens_for(AttachmentWithdrawal, "before_delete")
def _documents_are_kept(mapper, connection, target) -> None:
    # The privacy purge erases with bulk statements, which do not pass here; on PostgreSQL a
    # trigger refuses even those unless the purge says it is erasing (documents.py).
    raise DocumentIsKept("A document received in a case is kept: a new upload is a new version.")
