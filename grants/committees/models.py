from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core import clock
from grants.core.auditing import NOT_AUDITED, Audited, Record
from grants.core.models import Timestamp, enum_type
from grants.core.money import Money
from grants.extensions import Model


class CommitteeKind(enum.StrEnum):
    STANDING = "standing"  # stående udvalg
    FINANCE = "finance"  # Økonomiudvalget
    COUNCIL = "council"  # Kommunalbestyrelsen


class MemberRole(enum.StrEnum):
    MEMBER = "member"
    CHAIR = "chair"  # formand
    SECRETARY = "secretary"  # udvalgssekretær (an official)


class MeetingStatus(enum.StrEnum):
    """What is stored: open, or closed with its minutes. The life shown is ``MeetingState``."""

    PLANNED = "planned"
    CLOSED = "closed"  # held; the minutes are made, approved and stored
    # Not held: called off (aflyst) before it was; its items went back. Not "cancelled":
    # that is a case's state (a cancelled grant).
    CANCELLED = "called_off"


class MeetingState(enum.StrEnum):
    """A meeting's life: planned; held (its day has come and the attendance is recorded);
    its minutes approved (closed)."""

    PLANNED = "planned"
    HELD = "held"
    MINUTES_APPROVED = "minutes_approved"
    CANCELLED = "called_off"


class QuorumRule(enum.StrEnum):
    """When the committee can decide an item (kommunestyrelsesloven § 11, stk. 2 and § 20):
    at least half of its members present and not disqualified on the item, or (by its rules
    of procedure) more than half."""

    AT_LEAST_HALF = "at_least_half"
    MORE_THAN_HALF = "more_than_half"


class WithoutQuorum(enum.StrEnum):
    """What the committee's rules of procedure say happens to an item without a quorum."""

    POSTPONE = "postpone"  # the item goes to a later meeting
    SUBSTITUTE = "substitute"  # a substitute (stedfortræder) is called in


class AgendaKind(enum.StrEnum):
    DECISION = "decision"  # the committee decides the application
    REPORT_APPROVAL = "report_approval"  # the committee approves the report and accounts


class Decision(enum.StrEnum):
    GRANT = "grant"
    GRANT_PART = "grant_part"
    REFUSE = "refuse"
    POSTPONE = "postpone"
    APPROVE_REPORT = "approve_report"
    RETURN_REPORT = "return_report"


class IssueStatus(enum.StrEnum):
    PENDING = "pending"  # no decision issued yet
    ISSUED = "issued"  # taken through the workflow: letter, money, mail
    FAILED = "failed"  # tried and failed; the reason is kept; can be tried again


class InterestSource(enum.StrEnum):
    SYSTEM = "system"  # found by the system: the member is (or acts for) the applicant
    DECLARED = "declared"  # declared by the member


class Committee(Timestamp, Model):
    """A committee for one election period, with its own budget fund."""

    __tablename__ = "committee"
    __audit__ = Audited(added=Record("settings.committee_added", ("name", "fund_id", "period")))
    # One committee a fund and election period: the new council sets the committee up again
    # for its period, on the same fund (whose budget goes on; the carry-over stops at the
    # period's end). Periods of one fund do not overlap (``operations.create_committee``).
    __table_args__ = (UniqueConstraint("fund_id", "period_first"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CommitteeKind] = mapped_column(enum_type(CommitteeKind))
    # The committee's own fund for courses, conferences and study trips; also the fund of
    # the cases it decides (in its election period: the committee of each period decides).
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    period_first: Mapped[int]
    period_last: Mapped[int]
    # Its rules of procedure (forretningsorden): the quorum, and what happens without one.
    quorum_rule: Mapped[QuorumRule] = mapped_column(
        enum_type(QuorumRule), default=QuorumRule.AT_LEAST_HALF
    )
    without_quorum: Mapped[WithoutQuorum] = mapped_column(
        enum_type(WithoutQuorum), default=WithoutQuorum.POSTPONE
    )

    fund = relationship("Fund")
    memberships: Mapped[list[CommitteeMembership]] = relationship(
        back_populates="committee",
        cascade="all, delete-orphan",
        order_by="CommitteeMembership.id",
    )
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="committee", order_by="Meeting.starts_at"
    )

    @property
    def period(self) -> str:
        return f"{self.period_first}-{self.period_last}"

    def in_period(self, on: dt.date) -> bool:
        return self.period_first <= on.year <= self.period_last

    def current_memberships(self, on: dt.date | None = None) -> list[CommitteeMembership]:
        """The members on the day: none outside the committee's election period (their
        mandate ends with it, whatever the dates registered say)."""
        on = on or clock.today()
        if not self.in_period(on):
            return []
        return [m for m in self.memberships if m.is_current(on)]

    def voting_memberships(self, on: dt.date | None = None) -> list[CommitteeMembership]:
        """The members who decide (the chair and the members; the secretary is an official,
        not a member): the committee's size for its quorum."""
        return [m for m in self.current_memberships(on) if m.role != MemberRole.SECRETARY]

    def membership_of(self, user, on: dt.date | None = None) -> CommitteeMembership | None:
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return next((m for m in self.current_memberships(on) if m.user_id == user.id), None)


class CommitteeMembership(Model):
    __tablename__ = "committee_membership"
    __audit__ = Audited(
        added=Record(
            "committee.member_added",
            ("committee_id", "user_id", "role", "valid_from", "valid_to"),
        )
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(
        ForeignKey("committee.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_type(MemberRole), default=MemberRole.MEMBER)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    # The provider's group that made the person a member (grants.administration.group_roles);
    # None: added by hand.
    granted_by_group: Mapped[str | None] = mapped_column(String(255))

    committee: Mapped[Committee] = relationship(back_populates="memberships")
    user = relationship("User")

    def is_current(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class Meeting(Timestamp, Model):
    __tablename__ = "committee_meeting"
    # Its decisions are journaled on each case; its minutes are kept as a PDF.
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[MeetingStatus] = mapped_column(
        enum_type(MeetingStatus), default=MeetingStatus.PLANNED
    )
    # The latest issue job (the progress display follows it).
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"))
    # The minutes (beslutningsprotokol), made and stored when the meeting is closed.
    minutes_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    minutes_sha256: Mapped[str] = mapped_column(String(64), default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Held: on its day, when the attendance was recorded. Decisions only from then on.
    held_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The agenda sent to the members (the latest time).
    agenda_published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Cancelled (aflyst) before it was held: when, by whom and why (the members were told).
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    committee: Mapped[Committee] = relationship(back_populates="meetings")
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position, AgendaItem.id"
    )
    attendance: Mapped[list[MeetingAttendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    job = relationship("Job")

    @property
    def is_open(self) -> bool:
        return self.status == MeetingStatus.PLANNED

    @property
    def local_start(self) -> dt.datetime:
        """The start in Copenhagen's time (stored in UTC; SQLite hands it back naive)."""
        value = self.starts_at
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(clock.LOCAL)

    @property
    def day(self) -> dt.date:
        """The meeting's date in Copenhagen."""
        return self.local_start.date()

    @property
    def has_come(self) -> bool:
        """Its day has come (today or before): it can be held."""
        return clock.today() >= self.day

    @property
    def is_held(self) -> bool:
        return self.held_at is not None and self.is_open

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def state(self) -> MeetingState:
        if self.is_cancelled:
            return MeetingState.CANCELLED
        if not self.is_open:
            return MeetingState.MINUTES_APPROVED
        if self.held_at is not None:
            return MeetingState.HELD
        return MeetingState.PLANNED

    @property
    def present_ids(self) -> set[int]:
        return {a.user_id for a in self.attendance}


class MeetingAttendance(Model):
    """A member present at the meeting."""

    __tablename__ = "committee_attendance"
    # Part of the meeting's minutes.
    __audit__ = NOT_AUDITED
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("committee_meeting.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    # Left the meeting before it ended (recorded by the chair or secretary): takes no part
    # in the items decided after, nor counts for their quorum. None: stayed.
    left_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    user = relationship("User")


class AgendaItem(Timestamp, Model):
    """A case on a meeting's agenda: the caseworker's recommendation, the committee's
    decision as recorded by the secretary, and whether that decision has been issued."""

    __tablename__ = "agenda_item"
    # What a meeting rules on a case is journaled on the case (JournalEntry).
    __audit__ = NOT_AUDITED
    __table_args__ = (UniqueConstraint("meeting_id", "application_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("committee_meeting.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[AgendaKind] = mapped_column(enum_type(AgendaKind), default=AgendaKind.DECISION)
    recommendation: Mapped[str] = mapped_column(Text, default="")

    decision: Mapped[Decision | None] = mapped_column(enum_type(Decision))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    reasons: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    issue_status: Mapped[IssueStatus] = mapped_column(
        enum_type(IssueStatus), default=IssueStatus.PENDING
    )
    failure_reason: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Postponed because the committee could not decide it (no quorum): no decision was made.
    without_quorum: Mapped[bool] = mapped_column(default=False)
    # The application was withdrawn while the item stood on the agenda of an open meeting:
    # nothing is left to decide or issue, and the minutes say it was withdrawn.
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Put on after the agenda was sent to the members (an item added late): the members were
    # sent the addition, and the agenda and the minutes say so.
    added_late_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # An item added late is decided only if no member objects, or if it cannot wait: the
    # urgency the chair (or secretary) recorded for the committee, with the reason, when and
    # by whom. Empty: not recorded as urgent.
    urgent_reason: Mapped[str] = mapped_column(Text, default="")
    urgent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    urgent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Not handled at this meeting because a member objected (and it was not urgent): when
    # issued, the case goes back off the agenda to wait for a later meeting.
    taken_off_for_objection: Mapped[bool] = mapped_column(default=False)

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    application = relationship("Application")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    urgent_by = relationship("User", foreign_keys=[urgent_by_id])
    objections: Mapped[list[LateItemObjection]] = relationship(
        back_populates="agenda_item", order_by="LateItemObjection.id"
    )
    declarations: Mapped[list[InterestDeclaration]] = relationship(
        back_populates="agenda_item", order_by="InterestDeclaration.id"
    )
    substitutes: Mapped[list[Substitute]] = relationship(
        back_populates="agenda_item", order_by="Substitute.id"
    )

    @property
    def present_ids(self) -> set[int]:
        """The members present for the item: recorded present and not gone before it was
        decided (its decision recorded), or, not yet decided, not gone at all."""
        return self.present_at(self.recorded_at)

    def present_at(self, decided: dt.datetime | None) -> set[int]:
        """The members present at the moment ``decided`` (None: now, as the meeting stands)."""
        decided = _aware(decided)
        return {
            a.user_id
            for a in self.meeting.attendance
            if a.left_at is None or (decided is not None and decided < _aware(a.left_at))
        }


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored moment in UTC (SQLite hands it back without its zone)."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


class Substitute(Model):
    """A substitute (stedfortræder) called in for a member who is absent or disqualified on
    an item, where the committee's rules of procedure say so; counts for the quorum."""

    __tablename__ = "committee_substitute"
    # Part of the meeting's minutes.
    __audit__ = NOT_AUDITED
    __table_args__ = (UniqueConstraint("agenda_item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    for_user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    called_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    called_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    agenda_item: Mapped[AgendaItem] = relationship(back_populates="substitutes")
    user = relationship("User", foreign_keys=[user_id])
    for_user = relationship("User", foreign_keys=[for_user_id])


class InterestDeclaration(Model):
    """A member's interest in a case (inhabilitet): declared by them, or found by the
    system; and the committee's ruling on it. ``disqualified`` is None until ruled."""

    __tablename__ = "interest_declaration"
    __audit__ = Audited(
        added=Record(
            lambda declaration: f"committee.interest_{declaration.source.value}",
            ("user_id", "disqualified"),
            case="application_id",
        )
    )
    __table_args__ = (UniqueConstraint("agenda_item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    source: Mapped[InterestSource] = mapped_column(enum_type(InterestSource))
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    disqualified: Mapped[bool | None]
    ruled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    ruled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Brought to this item from the case's earlier agenda item: a declaration the committee
    # never ruled on there (the meeting cancelled, no quorum for the ruling), or a ruling
    # that the member was disqualified (the committee may rule again). None: made here.
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("interest_declaration.id"), index=True
    )

    agenda_item: Mapped[AgendaItem] = relationship(back_populates="declarations")
    user = relationship("User", foreign_keys=[user_id])
    ruled_by = relationship("User", foreign_keys=[ruled_by_id])
    carried_from: Mapped[InterestDeclaration | None] = relationship(
        remote_side=[id], foreign_keys=[carried_from_id]
    )


class LateItemObjection(Model):
    """A member's objection to an item added late being handled (dagsordenen var ikke sendt
    i tide): while it stands, the committee decides nothing on the item, unless its chair or
    secretary records that it cannot wait (``AgendaItem.urgent_reason``). Withdrawn by the
    member: kept, with when, for the minutes."""

    __tablename__ = "late_item_objection"
    # Part of the meeting's minutes, and journaled on the case.
    __audit__ = NOT_AUDITED
    __table_args__ = (UniqueConstraint("agenda_item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    objected_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    agenda_item: Mapped[AgendaItem] = relationship(back_populates="objections")
    user = relationship("User")

    @property
    def stands(self) -> bool:
        return self.withdrawn_at is None
