"""What happens to committees, meetings and their agendas. Like every operation these add
to the session and flush; the request commits (the issue job commits item by item).

Who may record a decision on a case is the workflow engine's business: the committee role
on a case (``CaseRole.COMMITTEE``) is given by ``decides_for`` below, which
``grants.workflow.engine.case_roles`` asks: the committee's chair or secretary with no
interest in the case (``records_for``; a member ruled disqualified, or one whose declaration
is not yet ruled on, holds no role on the case by any route), while the case is on the
agenda of a held meeting with a quorum on the item (``quorum_of``). Who sees, plans and
conducts a meeting are rules of the permission layer (``grants.core.access``:
``committee.*``, ``meeting.*``); the rule ``meeting.record`` asks ``records_for``, and the
quorum is checked here, so that a decision without one is refused with its reason.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from flask import has_request_context
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import ColumnElement, CursorResult, exists, or_, select, update

from grants.budgets.elections import ElectionPeriod, election_period
from grants.cases.models import Application
from grants.cases.states import State
from grants.committees.labels import FOUND_REASONS
from grants.committees.models import (
    AgendaItem,
    AgendaKind,
    Committee,
    CommitteeKind,
    CommitteeMembership,
    Decision,
    InterestDeclaration,
    InterestSource,
    IssueStatus,
    LateItemObjection,
    Meeting,
    MeetingAttendance,
    MeetingStatus,
    MemberRole,
    QuorumRule,
    Substitute,
    WithoutQuorum,
)
from grants.core import access, clock
from grants.core.errors import DomainError, NotAllowed
from grants.core.formatting import listed
from grants.core.models import NOT_READ, layout_fact, read_layout_fact
from grants.extensions import db
from grants.people.models import Role, User
from grants.workflow import engine
from grants.workflow.journal_texts import note
from grants.workflow.models import CaseRole

RECORDERS = (MemberRole.CHAIR, MemberRole.SECRETARY)
# Registers committees and their members, plans meetings and agendas: the secretariat.
COMMITTEE_SECRETARIAT = (Role.CASEWORKER, Role.ADMIN)
# The step that puts a case on an agenda, by kind of item; and the states it starts from
# (a decision to make: a screened case, or a decision asked reconsidered).
AGENDA_STEPS = {
    AgendaKind.DECISION: ("put_on_agenda", (State.SCREENING, State.RECONSIDERATION)),
    AgendaKind.REPORT_APPROVAL: ("put_report_on_agenda", (State.REPORT_SUBMITTED,)),
}
DECISIONS_BY_KIND = {
    AgendaKind.DECISION: (Decision.GRANT, Decision.GRANT_PART, Decision.REFUSE, Decision.POSTPONE),
    AgendaKind.REPORT_APPROVAL: (Decision.APPROVE_REPORT, Decision.RETURN_REPORT),
}


# -- who --------------------------------------------------------------------------------------


def committee_of_fund(fund_id: int, year: int | None = None) -> Committee | None:
    """The committee that decides the fund's cases in ``year`` (today's by default): the one
    set up for that election period. None between periods, before the new committee is."""
    year = year or clock.today().year
    return db.session.scalar(
        select(Committee).where(
            Committee.fund_id == fund_id,
            Committee.period_first <= year,
            Committee.period_last >= year,
        )
    )


def _member_today(user):
    """A membership of the person today, in a committee whose election period it is."""
    today = clock.today()
    return (
        CommitteeMembership.user_id == user.id,
        CommitteeMembership.valid_from <= today,
        or_(CommitteeMembership.valid_to.is_(None), CommitteeMembership.valid_to >= today),
        CommitteeMembership.committee_id.in_(
            select(Committee.id).where(
                Committee.period_first <= today.year, Committee.period_last >= today.year
            )
        ),
    )


def committees_of(user) -> list[Committee]:
    """The committees the person is a member of today."""
    return list(
        db.session.scalars(
            select(Committee)
            .join(CommitteeMembership)
            .where(*_member_today(user))
            .distinct()
            .order_by(Committee.name)
        )
    )


def is_member_of_a_committee(user) -> bool:
    """Whether the person is a member of any committee today: what the menu asks on every
    page, as one EXISTS rather than the committees loaded and sorted (for the person signed
    in, read with the municipality's profile: ``_member_for_layout``)."""
    if (
        has_request_context()
        and current_user.is_authenticated
        and getattr(user, "id", None) == current_user.id
    ):
        read = read_layout_fact("committees.member")
        if read is not NOT_READ:
            return bool(read)
    return bool(db.session.scalar(select(exists().where(*_member_today(user)))))


@layout_fact("committees.member")
def _member_for_layout() -> ColumnElement[bool] | None:
    """The menu's question, in the layout's statement (``grants.core.models.layout_fact``);
    not asked for the secretariat, who see the committees anyway. Kept per person and day,
    so the statement it goes into is made once."""
    if not current_user.is_authenticated or current_user.has_role(*COMMITTEE_SECRETARIAT):
        return None
    key = (current_user.id, clock.today())
    kept = _MEMBER_EXPRESSIONS.get(key)
    if kept is None:
        if len(_MEMBER_EXPRESSIONS) >= _MEMBER_EXPRESSIONS_KEPT:
            _MEMBER_EXPRESSIONS.clear()
        kept = _MEMBER_EXPRESSIONS[key] = exists().where(*_member_today(current_user))
    return kept


_MEMBER_EXPRESSIONS: dict[tuple[int, dt.date], ColumnElement[bool]] = {}
_MEMBER_EXPRESSIONS_KEPT = 256


def is_excluded(application, user) -> bool:
    """The person has an interest in the case that is not ruled harmless. On the case's
    agenda item now: ruled disqualified, found by the system, or declared (or carried there)
    and waiting for the ruling. Without a declaration on it (or with the case on no
    agenda): ruled disqualified on an earlier item. A declaration left open on an earlier
    item counts no longer by itself: it went with the case to its next agenda
    (``carry_declarations``), where the committee rules on it."""
    declarations = list(
        db.session.scalars(
            select(InterestDeclaration).where(
                InterestDeclaration.application_id == application.id,
                InterestDeclaration.user_id == user.id,
            )
        )
    )
    item = open_item(application) if declarations else None
    if item is not None:
        here = [d for d in declarations if d.agenda_item_id == item.id]
        if here:
            return any(d.disqualified is not False for d in here)
    return any(d.disqualified for d in declarations)


def open_declarations(item: AgendaItem) -> list[InterestDeclaration]:
    """The declarations on the item the committee has not yet ruled on."""
    return [d for d in item.declarations if d.disqualified is None]


def rulings_to_make(item: AgendaItem) -> list[InterestDeclaration]:
    """The open declarations the committee can rule on now: a quorum without the member it
    is about (``quorum_of``)."""
    return [d for d in open_declarations(item) if quorum_of(item, without=d.user_id).reached]


def _ruled_first(declarations: list[InterestDeclaration]) -> None:
    """The item is not decided with the question of a member's interest open: the committee
    rules on it first (forvaltningsloven § 6)."""
    if declarations:
        raise DomainError(
            _(
                "Udvalget skal først tage stilling til erklæringen om inhabilitet fra "
                "%(names)s. Punktet afgøres ikke, mens spørgsmålet er åbent.",
                names=_names(declarations),
            )
        )


def check_rulings_made(item: AgendaItem) -> None:
    """A recorded decision goes out only once every declaration on the item is ruled on (a
    member may declare after the decision was recorded), and no member's objection to an
    item added late stands (one may object after it was recorded): refused with the names.
    A postponement for want of a quorum, or an item not handled for the objection (nothing
    was decided on it), goes."""
    if not item.without_quorum and not item.taken_off_for_objection:
        _ruled_first(open_declarations(item))
        check_no_objection(item)


def _names(declarations: list[InterestDeclaration]) -> str:
    return listed([d.user.name for d in declarations])


def records_for(application, user) -> bool:
    """Whether ``user`` records the committee's decisions on this case: the chair or
    secretary of the committee that owns the case's fund, today, and not excluded."""
    committee = committee_of_fund(application.fund_id)
    if committee is None:
        return False
    membership = committee.membership_of(user)
    if membership is None or membership.role not in RECORDERS:
        return False
    return not is_excluded(application, user)


def decides_for(application, user) -> bool:
    """Whether ``user`` takes the committee's steps on this case (the case role
    ``committee``): one who records for the committee (``records_for``), while the case is on
    the agenda of a held meeting that can decide it (a quorum on the item), or that recorded
    it as postponed for want of one; never while a member's declaration waits for its ruling.
    Outside a meeting the committee decides nothing."""
    if not records_for(application, user):
        return False
    item = item_in_session(application)
    if item is None:
        return False
    if item.without_quorum:
        return True
    # Not with a member's declaration open: the committee rules on it first.
    return quorum_of(item).reached and not open_declarations(item)


def open_item(application, *, held: bool = False) -> AgendaItem | None:
    """The case's agenda item at a meeting not yet closed, not yet issued (with ``held``:
    a meeting already held): while it is there, the committee decides the case only
    through the meeting."""
    conditions = [
        AgendaItem.application_id == application.id,
        AgendaItem.issue_status != IssueStatus.ISSUED,
        AgendaItem.withdrawn_at.is_(None),
        Meeting.status == MeetingStatus.PLANNED,
    ]
    if held:
        conditions.append(Meeting.held_at.is_not(None))
    return db.session.scalar(
        select(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(*conditions)
        .order_by(AgendaItem.id.desc())
        .limit(1)
    )


def decided_at_meeting(application, user, action: str) -> NotAllowed | None:
    """Why the committee's step ``action`` is refused on the case page (the engine holds the
    role ``committee``: ``grants.committees.permissions``): the case is on the agenda of a
    meeting not yet closed, and the committee decides it there. Said to those who record
    the committee's decisions; None for anyone else, who is told they cannot."""
    from flask import has_request_context, url_for

    item = open_item(application)
    if item is None or user is None or not getattr(user, "is_authenticated", False):
        return None
    if not records_for(application, user):
        return None
    meeting = item.meeting
    link = (
        (url_for("committees.meeting", meeting_id=meeting.id), _("Gå til mødet"))
        if has_request_context()
        else None
    )
    return NotAllowed(
        _(
            "Sagen er på dagsordenen for %(committee)ss møde %(date)s; udvalget afgør den på "
            "mødet.",
            **_meeting_words(meeting),
        ),
        link=link,
    )


def withdrawn_from_agenda(application, actor) -> AgendaItem | None:
    """The applicant withdrew the case while it stood on the agenda of an open meeting: its
    item is marked withdrawn (nothing is left for the committee to decide or issue, and the
    meeting is held and closed without it; the minutes say so), in the case's journal for
    staff. Returns the item, or None if the case was on no open agenda."""
    item = open_item(application)
    if item is None:
        return None
    item.withdrawn_at = clock.now()
    meeting = item.meeting
    engine.record(
        application,
        "withdrawn_from_agenda",
        actor,
        details=note("withdrawn_from_agenda", committee=meeting.committee.name, date=meeting.day),
        visible_to_applicant=False,
    )
    db.session.flush()
    return item


def _not_withdrawn(item: AgendaItem) -> None:
    if item.withdrawn_at is not None:
        raise DomainError(
            _(
                "Ansøgningen er trukket tilbage, mens den var på dagsordenen: udvalget har "
                "ikke noget at afgøre i punktet."
            )
        )


def item_in_session(application) -> AgendaItem | None:
    """The case's agenda item at a held, open meeting, not yet issued."""
    return open_item(application, held=True)


# -- quorum -----------------------------------------------------------------------------------


def needed_for(rule: QuorumRule, size: int) -> int:
    """How many members must take part for a committee of ``size`` to decide: at least half
    (kommunestyrelsesloven § 11, stk. 2 and § 20), or more than half by its rules."""
    if rule == QuorumRule.MORE_THAN_HALF:
        return size // 2 + 1
    return (size + 1) // 2


@dataclass(frozen=True)
class Quorum:
    size: int  # the committee's members who decide (chair and members; not the secretary)
    needed: int
    taking_part: frozenset[int]  # present (or a substitute) and not disqualified

    @property
    def reached(self) -> bool:
        return self.size > 0 and len(self.taking_part) >= self.needed

    def words(self) -> dict:
        return {"taking": len(self.taking_part), "size": self.size, "needed": self.needed}


def quorum_of(item: AgendaItem, without: int | None = None, *, now: bool = False) -> Quorum:
    """Who can take part in deciding ``item``: the members present and the substitutes
    called in for it, less everyone with an interest in it not ruled harmless (ruled
    disqualified, found by the system, or declared and not yet ruled on). For the ruling on
    a declaration (``without`` its member), the member it is about takes no part and the
    others with a declaration not yet ruled on do.

    Those present are those present when the item's decision was recorded; with ``now`` (a
    decision or postponement being recorded) and for a ruling (made now), as the meeting
    stands now: a member who has left since takes no part in what is recorded after."""
    meeting = item.meeting
    committee = meeting.committee
    members = {m.user_id for m in committee.voting_memberships(meeting.day)}
    if without is None:
        excluded = {d.user_id for d in item.declarations if d.disqualified is not False}
    else:
        excluded = {d.user_id for d in item.declarations if d.disqualified} | {without}
    present = item.present_at(None) if now or without is not None else item.present_ids
    seated = (present & members) - excluded
    # A substitute takes the seat of a member who is absent or disqualified; one whose
    # member takes part after all (came, or ruled harmless on a new ruling) has no seat:
    # one seat, one voice.
    stand_ins = {s.user_id for s in item.substitutes if s.for_user_id not in seated}
    return Quorum(
        size=len(members),
        needed=needed_for(committee.quorum_rule, len(members)),
        taking_part=frozenset((seated | stand_ins) - excluded),
    )


def present_for(item: AgendaItem) -> set[int]:
    """The members present for the item (``AgendaItem.present_ids``): a member who left the
    meeting takes no part in (nor counts for the quorum of) the items after."""
    return item.present_ids


def _no_quorum_message(quorum: Quorum) -> str:
    return _(
        "Udvalget er ikke beslutningsdygtigt i denne sag: %(taking)s af udvalgets %(size)s "
        "medlemmer er til stede og ikke inhabile, og mindst %(needed)s skal deltage. Punktet "
        "kan ikke afgøres; det udsættes, eller der indkaldes en stedfortræder, som "
        "udvalgets forretningsorden siger.",
        **quorum.words(),
    )


def disqualified_on(item: AgendaItem, user) -> bool:
    """Ruled disqualified on the item, or found by the system to be a party."""
    return any(d.user_id == user.id and d.disqualified for d in item.declarations)


def sat_on(meeting: Meeting, user) -> bool:
    """Whether the person was on the committee (a member, its chair or its secretary) on
    the meeting's day, within its election period: whose minutes they keep reading after
    their mandate ends."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    committee = meeting.committee
    day = meeting.day
    return committee.in_period(day) and any(
        m.user_id == user.id and m.is_current(day) for m in committee.memberships
    )


def former_meetings(user) -> list[Meeting]:
    """The meetings whose minutes are approved of the committees the person is no longer on
    (the election period over, or they left), that they sat on (``sat_on``): their way back
    to those minutes. Newest first. A committee they are on today lists its own."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    current = {c.id for c in committees_of(user)}
    candidates = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.status == MeetingStatus.CLOSED,
            Meeting.committee_id.in_(
                select(CommitteeMembership.committee_id).where(
                    CommitteeMembership.user_id == user.id
                )
            ),
        )
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    )
    return [m for m in candidates if m.committee_id not in current and sat_on(m, user)]


def sees_case(application, user) -> bool:
    """A member sees the cases on their committee's agendas (and their papers)."""
    memberships = [c.id for c in committees_of(user)]
    if not memberships:
        return False
    return (
        db.session.scalar(
            select(AgendaItem.id)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(
                AgendaItem.application_id == application.id,
                Meeting.committee_id.in_(memberships),
            )
            .limit(1)
        )
        is not None
    )


# -- registration -----------------------------------------------------------------------------


def create_committee(
    name: str,
    kind: CommitteeKind,
    fund,
    first: int,
    last: int,
    quorum_rule: QuorumRule = QuorumRule.AT_LEAST_HALF,
    without_quorum: WithoutQuorum = WithoutQuorum.POSTPONE,
) -> Committee:
    if last < first:
        raise DomainError(_("Valgperioden slutter før den begynder."), field="period")
    taken = db.session.scalar(
        select(Committee)
        .where(
            Committee.fund_id == fund.id,
            Committee.period_first <= last,
            Committee.period_last >= first,
        )
        # The earliest of those it overlaps: named the same on every database (PostgreSQL
        # returned either without an order).
        .order_by(Committee.period_first)
        .limit(1)
    )
    if taken is not None:
        raise DomainError(
            _(
                "Puljen hører allerede til %(committee)s i valgperioden %(period)s.",
                committee=taken.name,
                period=taken.period,
            ),
            field="fund_id",
        )
    committee = Committee(
        name=name.strip(),
        kind=kind,
        fund=fund,
        period_first=first,
        period_last=last,
        quorum_rule=quorum_rule,
        without_quorum=without_quorum,
    )
    db.session.add(committee)
    db.session.flush()
    return committee


def next_period(committee: Committee) -> ElectionPeriod:
    """The election period after the committee's, by the municipality's rhythm."""
    return election_period(committee.period_last + 1)


def successor(committee: Committee) -> Committee | None:
    """The committee of the same fund set up for the next election period, if it is."""
    return committee_of_fund(committee.fund_id, committee.period_last + 1)


def predecessor(committee: Committee) -> Committee | None:
    return committee_of_fund(committee.fund_id, committee.period_first - 1)


def set_up_for_next_period(committee: Committee) -> Committee:
    """The committee set up again for the next election period (after an election): the
    same name, kind, fund and rules of procedure, and no members yet (the new council's
    are registered on its page). The fund goes on: its budget year by year, its cases, which
    the new committee decides from the period's first day."""
    period = next_period(committee)
    if successor(committee) is not None:
        raise DomainError(
            _(
                "%(committee)s er allerede nedsat for valgperioden %(period)s.",
                committee=committee.name,
                period=str(period),
            ),
            field="period",
        )
    return create_committee(
        committee.name,
        committee.kind,
        committee.fund,
        period.first,
        period.last,
        committee.quorum_rule,
        committee.without_quorum,
    )


def set_up_period(year: int) -> list[Committee]:
    """Every committee of the election period before ``year``'s set up for ``year``'s
    period, unless it already is (``flask committees new-period``)."""
    period = election_period(year)
    before = election_period(period.first - 1)
    made = []
    for committee in db.session.scalars(
        select(Committee)
        .where(Committee.period_first == before.first, Committee.period_last == before.last)
        .order_by(Committee.name, Committee.id)
    ):
        if successor(committee) is None:
            made.append(set_up_for_next_period(committee))
    return made


def set_rules(committee: Committee, quorum_rule: QuorumRule, without: WithoutQuorum) -> None:
    """The committee's rules of procedure on its quorum (forretningsorden)."""
    committee.quorum_rule = quorum_rule
    committee.without_quorum = without
    db.session.flush()


def add_member(
    committee: Committee, user, role: MemberRole, valid_from: dt.date, valid_to: dt.date | None
) -> CommitteeMembership:
    if not is_staff(user):
        raise DomainError(
            _("Vælg en af kommunens egne folk; en forenings repræsentant kan ikke være medlem."),
            field="user_id",
        )
    if valid_to is not None and valid_to < valid_from:
        raise DomainError(_("Slutdatoen ligger før startdatoen."), field="valid_to")
    for other in committee.memberships:
        if other.user_id == user.id and _overlaps(other, valid_from, valid_to):
            raise DomainError(
                _("Personen er allerede medlem af udvalget i perioden."), field="user_id"
            )
    if role in RECORDERS:
        for other in committee.memberships:
            if other.role == role and _overlaps(other, valid_from, valid_to):
                raise DomainError(
                    _("Udvalget har allerede en %(role)s i perioden.", role=role_label(role)),
                    field="role",
                )
    membership = CommitteeMembership(user=user, role=role, valid_from=valid_from, valid_to=valid_to)
    committee.memberships.append(membership)
    db.session.flush()
    return membership


def _overlaps(membership: CommitteeMembership, start: dt.date, end: dt.date | None) -> bool:
    far = dt.date.max
    return membership.valid_from <= (end or far) and start <= (membership.valid_to or far)


def role_label(role: MemberRole) -> str:
    from grants.committees.labels import ROLE_LABELS

    return str(ROLE_LABELS[role])


# -- meetings and agendas ---------------------------------------------------------------------


def create_meeting(committee: Committee, starts_at: dt.datetime, place: str) -> Meeting:
    """A planned meeting. ``starts_at`` is Copenhagen's time (if it has no zone); it is
    stored in UTC and shown in Copenhagen's time again, on either side of summer time."""
    if starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=clock.LOCAL)
    _within_period(committee, starts_at.astimezone(clock.LOCAL).date(), "date")
    meeting = Meeting(
        committee=committee, starts_at=starts_at.astimezone(dt.UTC), place=place.strip()
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _within_period(committee: Committee, day: dt.date, field: str | None = None) -> None:
    """A committee is set up for one election period: it has no mandate to meet (and its
    members none to decide) on a day outside it, before it or after the next election."""
    from grants.core.formatting import long_date

    if not committee.period_first <= day.year <= committee.period_last:
        raise DomainError(
            _(
                "Udvalget er nedsat for valgperioden %(period)s. Et møde den %(date)s ligger "
                "uden for den.",
                period=committee.period,
                date=long_date(day),
            ),
            field=field,
        )


def _open(meeting: Meeting, field: str | None = None) -> None:
    if meeting.is_cancelled:
        raise DomainError(_("Mødet er aflyst."), field=field)
    if not meeting.is_open:
        raise DomainError(_("Mødet er lukket; beslutningsprotokollen er lavet."), field=field)


def _held(meeting: Meeting) -> None:
    """Decisions, rulings and their issue belong to a held meeting: on or after its day,
    with the attendance recorded."""
    _open(meeting)
    _within_period(meeting.committee, meeting.day)
    if not meeting.has_come:
        raise DomainError(
            _(
                "Mødet er planlagt til %(date)s. Udvalgets beslutninger registreres først, "
                "når mødet holdes.",
                date=_meeting_words(meeting)["date"],
            )
        )
    if meeting.held_at is None:
        raise DomainError(
            _("Registrér fremmødet først: så er mødet holdt, og beslutningerne kan registreres.")
        )


def eligible_cases(meeting: Meeting) -> list[tuple[Application, AgendaKind]]:
    """The committee's cases that can go on an agenda now."""
    wanted = {state: kind for kind, (_step, states) in AGENDA_STEPS.items() for state in states}
    cases = db.session.scalars(
        select(Application)
        .where(
            Application.fund_id == meeting.committee.fund_id,
            Application.state.in_(sorted(wanted)),
        )
        .order_by(Application.id)
    )
    # A case this session already holds keeps the state it had when loaded: asked again.
    return [(case, wanted[case.state]) for case in cases if case.state in wanted]


def add_to_agenda(
    meeting: Meeting, application: Application, recommendation: str, actor
) -> AgendaItem:
    """Put a case on the agenda (the workflow step), with the caseworker's recommendation;
    the members' interests the system can see are recorded at once. A held meeting takes
    no more items: its members decide on what they were sent. Put on after the agenda was
    sent, the item is added late: marked so, and the members are sent the addition."""
    _open(meeting, "application_id")
    if meeting.held_at is not None:
        raise DomainError(
            _(
                "Mødet er holdt, så der kan ikke sættes flere sager på dagsordenen. Sæt sagen "
                "på dagsordenen for et senere møde."
            ),
            field="application_id",
        )
    if application.fund_id != meeting.committee.fund_id:
        raise DomainError(_("Sagen hører ikke til udvalgets pulje."), field="application_id")
    kind = next(
        (k for k, (_step, states) in AGENDA_STEPS.items() if application.state in states), None
    )
    if kind is None:
        raise DomainError(_("Sagen kan ikke sættes på en dagsorden nu."), field="application_id")
    recommendation = (recommendation or "").strip()
    if not recommendation:
        raise DomainError(_("Skriv sagsbehandlerens indstilling."), field="recommendation")
    step, _state = AGENDA_STEPS[kind]
    engine.take(
        application,
        step,
        actor,
        details=note("put_on_agenda", committee=meeting.committee.name, date=meeting.day),
    )
    item = AgendaItem(
        meeting=meeting,
        application_id=application.id,
        kind=kind,
        recommendation=recommendation,
        position=len(meeting.items) + 1,
    )
    if meeting.agenda_published_at is not None:
        item.added_late_at = clock.now()
    db.session.add(item)
    db.session.flush()
    find_interests(item)
    carry_declarations(item)
    if item.added_late_at is not None:
        _tell_members(
            meeting,
            actor,
            "mail/agenda_addition_subject.txt",
            "mail/agenda_addition.txt",
            item=item,
        )
    return item


def carry_declarations(item: AgendaItem) -> list[InterestDeclaration]:
    """The declarations of the case's previous agenda item that still stand, brought to
    this item: one the committee never ruled on (the meeting was cancelled, or too few were
    left to rule on it), to be ruled on here; and a ruling that the member was disqualified
    (the same interest in the same case; the committee may rule again). Each says where it
    came from. A declaration ruled harmless is not carried: the member declares again if
    something changed. Only for those on the committee on the meeting's day."""
    meeting = item.meeting
    members = {m.user_id for m in meeting.committee.current_memberships(meeting.day)}
    already = {d.user_id for d in item.declarations}
    # From the case's previous item: what stood there was itself carried, if it stood before.
    previous = db.session.scalar(
        select(AgendaItem)
        .where(AgendaItem.application_id == item.application_id, AgendaItem.id != item.id)
        .order_by(AgendaItem.id.desc())
        .limit(1)
    )
    if previous is None:
        return []
    earlier = [
        d
        for d in previous.declarations
        if d.source == InterestSource.DECLARED and d.disqualified is not False
    ]
    carried = []
    for declaration in earlier:
        if declaration.user_id not in members or declaration.user_id in already:
            continue
        copy = InterestDeclaration(
            agenda_item=item,
            application_id=item.application_id,
            user_id=declaration.user_id,
            source=InterestSource.DECLARED,
            reason=declaration.reason,
            declared_at=declaration.declared_at,
            disqualified=declaration.disqualified,
            ruled_by_id=declaration.ruled_by_id,
            ruled_at=declaration.ruled_at,
            carried_from=declaration,
        )
        db.session.add(copy)
        carried.append(copy)
    db.session.flush()
    return carried


def publish_agenda(meeting: Meeting, actor) -> list[User]:
    """Send the agenda to the committee's members (and its secretary) by e-mail, each in
    their own language, with a link to the meeting page; not to the person who sends it.
    Returns the people it was sent to."""
    from flask import url_for

    from grants.notifications.operations import queue_mail

    _open(meeting)
    if meeting.held_at is not None:
        raise DomainError(_("Mødet er holdt; dagsordenen kan ikke udsendes nu."))
    if not meeting.items:
        raise DomainError(_("Dagsordenen er tom: sæt en sag på, før den udsendes."))
    link = url_for("committees.meeting", meeting_id=meeting.id, _external=True)
    again = meeting.agenda_published_at is not None
    sent = []
    for membership in meeting.committee.current_memberships(meeting.day):
        if membership.user_id == actor.id or not membership.user.active:
            continue
        if queue_mail(
            membership.user,
            "mail/agenda_subject.txt",
            "mail/agenda.txt",
            meeting=meeting,
            items=meeting.items,
            link=link,
            again=again,
        ):
            sent.append(membership.user)
    meeting.agenda_published_at = clock.now()
    db.session.flush()
    return sent


# -- moving and cancelling a meeting ----------------------------------------------------------

# The meeting being cancelled (``cancel_meeting``): within it, the one who cancels takes its
# items off the agenda (the meeting's step ``take_off_agenda``, role ``committee``).
_CANCELLING: ContextVar[int | None] = ContextVar("grants_cancelling_meeting", default=None)


def _not_yet_held(meeting: Meeting, field: str) -> None:
    """Only a meeting not yet held is moved or cancelled: a held one has its attendance and
    decisions, and ends with its minutes."""
    _open(meeting, field)
    if meeting.held_at is not None:
        raise DomainError(
            _("Mødet er holdt og kan ikke flyttes eller aflyses. Luk det med protokollen."),
            field=field,
        )


def _items_standing(meeting: Meeting) -> list[AgendaItem]:
    """The items still to be decided (not withdrawn, not issued)."""
    return [
        i for i in meeting.items if i.withdrawn_at is None and i.issue_status != IssueStatus.ISSUED
    ]


def _tell_members(meeting: Meeting, actor, subject: str, body: str, **context) -> list[User]:
    """The committee's members and secretary told by e-mail, each in their own language, once
    the agenda has gone out to them (before that, they were not called to the meeting); not
    the person who moved or cancelled it."""
    from flask import url_for

    from grants.notifications.operations import queue_mail

    if meeting.agenda_published_at is None:
        return []
    link = url_for("committees.meeting", meeting_id=meeting.id, _external=True)
    told = []
    for membership in meeting.committee.current_memberships(meeting.day):
        if membership.user_id == actor.id or not membership.user.active:
            continue
        if queue_mail(membership.user, subject, body, meeting=meeting, link=link, **context):
            told.append(membership.user)
    return told


def move_meeting(meeting: Meeting, starts_at: dt.datetime, place: str, actor) -> list[User]:
    """Move a meeting not yet held to another day (or time, or place) within the committee's
    election period, not in the past. Its agenda stays; each case on it has the move in its
    journal (for staff), and the members who were sent the agenda are told. Returns them."""
    if not access.may(actor, "meeting.reschedule", meeting):
        raise NotAllowed(_("Kun udvalgets sekretariat kan flytte mødet."))
    _not_yet_held(meeting, "date")
    if starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=clock.LOCAL)
    day = starts_at.astimezone(clock.LOCAL).date()
    if day < clock.today():
        raise DomainError(_("Datoen er passeret. Vælg en dag fra i dag og frem."), field="date")
    _within_period(meeting.committee, day, "date")
    place = (place or "").strip()
    before = meeting.local_start
    if starts_at.astimezone(clock.LOCAL) == before and place == meeting.place:
        raise DomainError(
            _("Mødet er allerede på det tidspunkt og sted. Vælg en anden dato."), field="date"
        )
    meeting.starts_at = starts_at.astimezone(dt.UTC)
    meeting.place = place
    for item in _items_standing(meeting):
        engine.record(
            item.application,
            "meeting_moved",
            actor,
            details=note(
                "meeting_moved",
                committee=meeting.committee.name,
                from_date=before.date(),
                from_time=before.strftime("%H:%M"),
                date=day,
                time=starts_at.astimezone(clock.LOCAL).strftime("%H:%M"),
            ),
            visible_to_applicant=False,
        )
    told = _tell_members(
        meeting,
        actor,
        "mail/meeting_moved_subject.txt",
        "mail/meeting_moved.txt",
        before=before,
        items=_items_standing(meeting),
    )
    db.session.flush()
    return told


def cancel_meeting(meeting: Meeting, reason: str, actor) -> list[User]:
    """Cancel (aflys) a meeting not yet held, with the reason (no quorum to be had, the day
    no longer possible, a meeting outside the election period). Each case on its agenda goes
    back to wait for another meeting (the meeting's step ``take_off_agenda``, in the case's
    journal for staff), and can be put on another agenda; the members who were sent the
    agenda are told. Returns them."""
    if not access.may(actor, "meeting.reschedule", meeting):
        raise NotAllowed(_("Kun udvalgets sekretariat kan aflyse mødet."))
    _not_yet_held(meeting, "reason")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Skriv hvorfor mødet aflyses."), field="reason")
    items = _items_standing(meeting)
    token = _CANCELLING.set(meeting.id)
    try:
        with engine.taking_as(CaseRole.COMMITTEE):
            for item in items:
                engine.take(
                    item.application,
                    "take_off_agenda",
                    actor,
                    reason,
                    details=note(
                        "meeting_cancelled", committee=meeting.committee.name, date=meeting.day
                    ),
                )
    finally:
        _CANCELLING.reset(token)
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = clock.now()
    meeting.cancelled_by_id = actor.id
    meeting.cancel_reason = reason
    told = _tell_members(
        meeting,
        actor,
        "mail/meeting_cancelled_subject.txt",
        "mail/meeting_cancelled.txt",
        reason=reason,
        items=items,
    )
    db.session.flush()
    return told


def takes_off_agenda(application, user) -> bool:
    """Whether ``user`` takes the case off its agenda now: within ``cancel_meeting``, for a
    case on the agenda of the meeting being cancelled, by one who may cancel it."""
    cancelling = _CANCELLING.get()
    if cancelling is None:
        # Or an item added late that a member objected to, not handled at its meeting: its
        # chair or secretary issues that with the meeting's decisions (``issue_item``).
        item = item_in_session(application)
        return (
            item is not None
            and item.taken_off_for_objection
            and item.decision == Decision.POSTPONE
            and records_for(application, user)
        )
    item = open_item(application)
    return (
        item is not None
        and item.meeting_id == cancelling
        and access.may(user, "meeting.reschedule", item.meeting)
    )


def _meeting_words(meeting: Meeting) -> dict:
    from grants.core.formatting import long_date

    return {"committee": meeting.committee.name, "date": long_date(meeting.day)}


def find_interests(item: AgendaItem) -> list[InterestDeclaration]:
    """Record what the system knows: a member who is the applicant, or acts for the applying
    organisation, is disqualified without a declaration (nobody decides their own case)."""
    from grants.applications.permissions import acts_as_applicant

    application = item.application or db.session.get(Application, item.application_id)
    found = []
    people = [m.user for m in item.meeting.committee.current_memberships(item.meeting.day)]
    people += [s.user for s in item.substitutes]
    for user in people:
        if not acts_as_applicant(user, application):
            continue
        if any(d.user_id == user.id for d in item.declarations):
            continue
        own = application.applicant_id == user.id
        with force_locale("da"):  # the committee's record; shown by labels.interest_reason
            reason = str(FOUND_REASONS[own])
        declaration = InterestDeclaration(
            agenda_item=item,
            application_id=application.id,
            user_id=user.id,
            source=InterestSource.SYSTEM,
            reason=reason,
            disqualified=True,
            ruled_at=clock.now(),
        )
        db.session.add(declaration)
        engine.record(
            application,
            "interest_found",
            None,
            details=note(
                "interest_found_applicant" if own else "interest_found_organisation",
                member=user.name,
            ),
            visible_to_applicant=False,
        )
        found.append(declaration)
    db.session.flush()
    return found


def declare_interest(item: AgendaItem, user, reason: str) -> InterestDeclaration:
    """A member declares an interest in a case (with the reason). Until the committee rules,
    the member takes no part in the case."""
    _open(item.meeting)
    if item.meeting.committee.membership_of(user) is None:
        raise NotAllowed(_("Kun udvalgets medlemmer kan erklære sig inhabile."))
    _not_withdrawn(item)
    if item.issue_status == IssueStatus.ISSUED:
        # Decided and issued: what is left is a request to reconsider (genoptagelse).
        raise DomainError(
            _(
                "Udvalgets afgørelse i punktet er udsendt. Inhabilitet erklæres, før udvalget "
                "behandler punktet."
            ),
            field="reason",
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Skriv hvorfor du kan være inhabil."), field="reason")
    if any(d.user_id == user.id for d in item.declarations):
        raise DomainError(_("Du har allerede erklæret interesse i sagen."), field="reason")
    declaration = InterestDeclaration(
        agenda_item=item,
        application_id=item.application_id,
        user_id=user.id,
        source=InterestSource.DECLARED,
        reason=reason,
    )
    db.session.add(declaration)
    engine.record(
        item.application,
        "interest_declared",
        user,
        comment=f"{user.name}: {reason}",
        visible_to_applicant=False,
    )
    db.session.flush()
    return declaration


def rule_on(declaration: InterestDeclaration, disqualified: bool, actor) -> bool:
    """The committee's ruling on a declaration, recorded by its chair or secretary (never by
    the member it is about). A decision recorded on the item (not yet issued) that the
    member, now ruled disqualified, took part in is set aside, to be recorded again: returns
    True then."""
    meeting = declaration.agenda_item.meeting
    _held(meeting)
    if not access.may(actor, "meeting.rule", declaration):
        raise NotAllowed(_("Du kan ikke registrere udvalgets afgørelse om denne erklæring."))
    if declaration.source == InterestSource.SYSTEM:
        raise DomainError(_("Et medlem, der selv er part i sagen, er altid inhabilt."))
    item = declaration.agenda_item
    _not_withdrawn(item)
    if item.issue_status == IssueStatus.ISSUED:
        raise DomainError(_("Afgørelsen er allerede udsendt og kan ikke ændres."))
    find_interests(item)
    quorum = quorum_of(item, without=declaration.user_id)
    if not quorum.reached:
        raise DomainError(_no_quorum_message(quorum))
    declaration.disqualified = disqualified
    declaration.ruled_by_id = actor.id
    declaration.ruled_at = clock.now()
    set_aside = (
        disqualified
        and item.decision is not None
        and not item.without_quorum
        and (
            declaration.user_id in present_for(item)
            or any(s.user_id == declaration.user_id for s in item.substitutes)
        )
    )
    if set_aside:
        # Recorded with a member now ruled disqualified taking part: not the committee's
        # decision (forvaltningsloven § 3). Recorded again by those who may take part.
        item.decision = None
        item.amount = None
        item.reasons = ""
        item.recorded_by_id = None
        item.recorded_at = None
        item.issue_status = IssueStatus.PENDING
        item.failure_reason = ""
    engine.record(
        declaration.agenda_item.application,
        "interest_ruled",
        actor,
        details=note(
            "interest_ruled_disqualified" if disqualified else "interest_ruled_not_disqualified",
            member=declaration.user.name,
        ),
        visible_to_applicant=False,
    )
    db.session.flush()
    return bool(set_aside)


def set_attendance(meeting: Meeting, user_ids: set[int], actor) -> None:
    """The members present, recorded at the meeting: from then on the meeting is held. The
    secretary is an official, not a member, and is neither present nor absent; at least one
    member must be present (refused otherwise, nothing changed)."""
    _open(meeting)
    _within_period(meeting.committee, meeting.day, "present")
    if not meeting.has_come:
        raise DomainError(
            _(
                "Fremmødet registreres, når mødet holdes (%(date)s).",
                date=_meeting_words(meeting)["date"],
            ),
            field="present",
        )
    if meeting.held_at is None and meeting.items and meeting.agenda_published_at is None:
        # The members decide on what they were sent: a meeting with cases on its agenda is
        # held only once the agenda has gone out to them.
        raise DomainError(
            _("Dagsordenen er ikke sendt til udvalget. Send den, før mødet holdes."),
            field="present",
        )
    if not user_ids:
        # Held with nobody present, every item would read "not quorate" and the minutes
        # record a meeting no member attended. Whether the members present can decide an
        # item is the quorum's question, item by item (``quorum_of``); one member is enough
        # for the meeting to have been held.
        raise DomainError(
            _(
                "Mindst ét af udvalgets medlemmer skal være til stede, før mødet kan holdes. "
                "Vælg de medlemmer, der er til stede. Sekretæren er ikke medlem og tæller ikke "
                "med."
            ),
            field="present",
        )
    members = {m.user_id for m in meeting.committee.voting_memberships(meeting.day)}
    unknown = user_ids - members
    if unknown:
        raise DomainError(_("Kun udvalgets medlemmer kan være til stede."), field="present")
    issued = [i for i in meeting.items if i.issue_status == IssueStatus.ISSUED]
    gone = [a.user for a in meeting.attendance if a.user_id not in user_ids]
    if issued and gone:
        # The issued decisions were made by those present then, and the minutes say who
        # they were: a member who came late is added, none who took part is taken away.
        raise DomainError(
            _(
                "%(names)s var til stede, da udvalget afgjorde sager, der er udsendt. "
                "Fremmødet kan suppleres, men ingen kan fjernes fra det nu.",
                names=listed([u.name for u in gone]),
            ),
            field="present",
        )
    # Recorded again: those still present keep their row (one row per member).
    kept = [a for a in meeting.attendance if a.user_id in user_ids]
    known = {a.user_id for a in kept}
    meeting.attendance = kept + [MeetingAttendance(user_id=uid) for uid in sorted(user_ids - known)]
    if meeting.held_at is None:
        meeting.held_at = clock.now()
    for item in meeting.items:  # what the system knows today (an organisation joined since)
        if item.issue_status != IssueStatus.ISSUED:  # an issued item's record stays as it was
            find_interests(item)
    db.session.flush()


# -- decisions --------------------------------------------------------------------------------


def record_decision(
    item: AgendaItem, actor, decision: Decision, amount: Decimal | None, reasons: str
) -> None:
    """Record the committee's decision on an item, to be issued with the others. The engine
    is asked now, so a disqualified member (or the applicant) is refused here already."""
    _held(item.meeting)
    if item.issue_status == IssueStatus.ISSUED:
        raise DomainError(_("Afgørelsen er allerede udsendt og kan ikke ændres."))
    _not_withdrawn(item)
    if decision not in DECISIONS_BY_KIND[item.kind]:
        raise DomainError(_("Vælg en af mulighederne."), field="decision")
    find_interests(item)
    check_no_objection(item)
    # The committee rules on its members' declarations first; one it cannot rule on (too
    # few left without the member) leaves the item without a quorum too.
    _ruled_first(rulings_to_make(item))
    quorum = quorum_of(item, now=True)  # recorded again: by those taking part now
    if not quorum.reached:
        raise DomainError(_no_quorum_message(quorum))
    _ruled_first(open_declarations(item))
    application = item.application
    with engine.taking_as(CaseRole.COMMITTEE):
        engine.find_transition(application, decision.value, actor)
    reasons = (reasons or "").strip()
    if decision == Decision.GRANT_PART and (
        amount is None or not Decimal(0) < amount < application.amount_applied
    ):
        raise DomainError(
            _("Ved delvis bevilling skal beløbet være over 0 kr. og under det ansøgte."),
            field="amount",
        )
    if decision in (Decision.GRANT_PART, Decision.REFUSE, Decision.RETURN_REPORT) and not reasons:
        raise DomainError(_("Skriv en begrundelse."), field="reasons")
    if decision == Decision.POSTPONE and not reasons:
        raise DomainError(_("Skriv hvorfor sagen udsættes."), field="reasons")
    item.decision = decision
    item.amount = amount if decision == Decision.GRANT_PART else None
    item.reasons = reasons
    item.recorded_by_id = actor.id
    item.recorded_at = clock.now()
    item.without_quorum = False
    item.issue_status = IssueStatus.PENDING
    item.failure_reason = ""
    db.session.flush()


def postpone_without_quorum(item: AgendaItem, actor) -> None:
    """An item the committee cannot decide (no quorum) is not decided: the secretary records
    that it is postponed to a later meeting, and the minutes say why. Issued with the rest:
    the case goes back to be put on another agenda."""
    _held(item.meeting)
    if not access.may(actor, "meeting.conduct", item.meeting):
        raise NotAllowed(_("Kun udvalgets formand og sekretær kan udsætte et punkt."))
    if item.issue_status == IssueStatus.ISSUED:
        raise DomainError(_("Afgørelsen er allerede udsendt og kan ikke ændres."))
    _not_withdrawn(item)
    if not records_for(item.application, actor):
        raise NotAllowed(_("Du er inhabil i sagen og kan ikke registrere noget om den."))
    if item.taken_off_for_objection:
        raise DomainError(_("Punktet behandles ikke på dette møde."))
    find_interests(item)
    quorum = quorum_of(item, now=True)
    if quorum.reached:
        raise DomainError(
            _("Udvalget er beslutningsdygtigt i sagen: registrér udvalgets beslutning.")
        )
    # A member waiting for the ruling on their declaration takes no part; ruled harmless,
    # they may make the quorum. Only a declaration the committee cannot rule on (too few
    # without its member) goes with the case to a later meeting (``carry_declarations``).
    _ruled_first(rulings_to_make(item))
    item.decision = Decision.POSTPONE
    item.amount = None
    # The reasons are the committee's record (the minutes are Danish) and the step's comment
    # when the item is issued: in Danish, whichever language the secretary reads.
    with force_locale("da"):
        item.reasons = _(
            "Udvalget var ikke beslutningsdygtigt: %(taking)s af udvalgets %(size)s medlemmer "
            "var til stede og ikke inhabile, og mindst %(needed)s skal deltage. Punktet er "
            "udsat til et senere møde.",
            **quorum.words(),
        )
    item.without_quorum = True
    item.recorded_by_id = actor.id
    item.recorded_at = clock.now()
    item.issue_status = IssueStatus.PENDING
    item.failure_reason = ""
    engine.record(
        item.application,
        "postponed_without_quorum",
        actor,
        details=note("postponed_without_quorum", **quorum.words()),
        visible_to_applicant=False,
    )
    db.session.flush()


# -- items added late: objections and urgency --------------------------------------------------


def objections_standing(item: AgendaItem) -> list[LateItemObjection]:
    """The members' objections to handling the item that stand (not withdrawn)."""
    return [o for o in item.objections if o.stands]


def objection_blocks(item: AgendaItem) -> bool:
    """An item added late is not decided while a member's objection to it stands, unless
    the chair or secretary recorded that it cannot wait (kommunestyrelsesloven § 10 and the
    rules of procedure: an item not on the agenda sent in time is decided only if no member
    objects, or it is urgent)."""
    return (
        item.added_late_at is not None
        and not item.urgent_reason
        and bool(objections_standing(item))
    )


def check_no_objection(item: AgendaItem) -> None:
    """Refused, with the names, while an objection to the late item stands."""
    if objection_blocks(item):
        raise DomainError(
            _(
                "%(names)s har gjort indsigelse mod, at punktet behandles: det blev sat på "
                "dagsordenen efter udsendelsen. Udvalget afgør ikke punktet, medmindre "
                "indsigelsen trækkes tilbage, eller formanden registrerer, at sagen ikke kan "
                "vente. Ellers behandles punktet ikke på dette møde.",
                names=listed([o.user.name for o in objections_standing(item)]),
            )
        )


def _late_and_undecided(item: AgendaItem, field: str | None = None) -> None:
    _open(item.meeting, field)
    _not_withdrawn(item)
    if item.added_late_at is None:
        raise DomainError(
            _("Punktet var på dagsordenen, da den blev sendt; der kan ikke gøres indsigelse."),
            field=field,
        )
    if item.issue_status == IssueStatus.ISSUED:
        raise DomainError(_("Afgørelsen er allerede udsendt og kan ikke ændres."), field=field)


def object_to_late_item(item: AgendaItem, user) -> LateItemObjection:
    """A member objects to the item added late being handled at the meeting: who and when,
    in the case's journal (for staff) and the minutes. A member with an interest in the case
    takes no part in it, nor in this."""
    membership = item.meeting.committee.membership_of(user, item.meeting.day)
    if membership is None or membership.role == MemberRole.SECRETARY:
        raise NotAllowed(_("Kun udvalgets medlemmer kan gøre indsigelse."))
    _late_and_undecided(item)
    if item.taken_off_for_objection:
        raise DomainError(_("Punktet behandles ikke på dette møde."))
    if is_excluded(item.application, user):
        raise NotAllowed(_("Du er inhabil i sagen og deltager ikke i punktet."))
    objection = next((o for o in item.objections if o.user_id == user.id), None)
    if objection is not None and objection.stands:
        raise DomainError(_("Du har allerede gjort indsigelse mod punktet."))
    if objection is None:
        objection = LateItemObjection(agenda_item=item, user_id=user.id)
        db.session.add(objection)
    objection.objected_at = clock.now()
    objection.withdrawn_at = None
    engine.record(
        item.application,
        "late_item_objection",
        user,
        details=note("late_item_objection", member=user.name),
        visible_to_applicant=False,
    )
    db.session.flush()
    return objection


def withdraw_objection(item: AgendaItem, user) -> LateItemObjection:
    """The member withdraws their objection (kept, with when, for the minutes)."""
    _late_and_undecided(item)
    objection = next((o for o in objections_standing(item) if o.user_id == user.id), None)
    if objection is None:
        raise DomainError(_("Du har ingen indsigelse mod punktet at trække tilbage."))
    if item.taken_off_for_objection:
        raise DomainError(_("Punktet behandles ikke på dette møde."))
    objection.withdrawn_at = clock.now()
    engine.record(
        item.application,
        "late_item_objection_withdrawn",
        user,
        details=note("late_item_objection_withdrawn", member=user.name),
        visible_to_applicant=False,
    )
    db.session.flush()
    return objection


def record_urgency(item: AgendaItem, actor, reason: str) -> None:
    """The chair or secretary records, for the committee, that the item added late cannot
    wait (with the reason): it is decided despite an objection. At a held meeting, by one
    who takes part in the case."""
    if not access.may(actor, "meeting.conduct", item.meeting):
        raise NotAllowed(_("Kun udvalgets formand og sekretær kan registrere, at sagen haster."))
    _late_and_undecided(item, "reason")
    _held(item.meeting)
    if not records_for(item.application, actor):
        raise NotAllowed(_("Du er inhabil i sagen og kan ikke registrere noget om den."))
    if item.urgent_reason:
        raise DomainError(_("Det er allerede registreret, at sagen haster."), field="reason")
    if item.taken_off_for_objection:
        raise DomainError(_("Punktet behandles ikke på dette møde."), field="reason")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Skriv hvorfor sagen ikke kan vente."), field="reason")
    item.urgent_reason = reason
    item.urgent_at = clock.now()
    item.urgent_by_id = actor.id
    engine.record(
        item.application,
        "late_item_urgent",
        actor,
        comment=reason,
        details=note("late_item_urgent"),
        visible_to_applicant=False,
    )
    db.session.flush()


def take_off_for_objection(item: AgendaItem, actor) -> None:
    """A member objected to the item added late and it was not urgent: it is not handled at
    this meeting. Issued with the rest: the case goes back off the agenda to wait for a
    later meeting (the meeting's step ``take_off_agenda``); the minutes say why."""
    if not access.may(actor, "meeting.conduct", item.meeting):
        raise NotAllowed(_("Kun udvalgets formand og sekretær kan tage punktet af."))
    _late_and_undecided(item)
    _held(item.meeting)
    if not records_for(item.application, actor):
        raise NotAllowed(_("Du er inhabil i sagen og kan ikke registrere noget om den."))
    if item.taken_off_for_objection:
        raise DomainError(_("Punktet behandles ikke på dette møde."))
    if not objection_blocks(item):
        raise DomainError(
            _("Ingen indsigelse står ved magt mod punktet: udvalget kan behandle det.")
        )
    names = listed([o.user.name for o in objections_standing(item)])
    item.decision = Decision.POSTPONE
    item.amount = None
    with force_locale("da"):  # the committee's record, like the minutes
        item.reasons = _(
            "Punktet blev sat på dagsordenen efter udsendelsen, og %(names)s gjorde "
            "indsigelse mod, at det blev behandlet. Punktet er ikke behandlet og sættes på et "
            "senere møde.",
            names=names,
        )
    item.taken_off_for_objection = True
    item.without_quorum = False
    item.recorded_by_id = actor.id
    item.recorded_at = clock.now()
    item.issue_status = IssueStatus.PENDING
    item.failure_reason = ""
    db.session.flush()


# -- leaving the meeting ----------------------------------------------------------------------


def record_departure(meeting: Meeting, user, actor) -> None:
    """A member present leaves before the meeting ends: from now on they take no part in the
    items (nor count for their quorum); those decided before keep them. Recorded by the
    chair or secretary, with the time; the minutes say it."""
    if not access.may(actor, "meeting.conduct", meeting):
        raise NotAllowed(_("Kun udvalgets formand og sekretær kan registrere fremmødet."))
    _held(meeting)
    attendance = next((a for a in meeting.attendance if user and a.user_id == user.id), None)
    if attendance is None:
        raise DomainError(_("Vælg et medlem, der er til stede."), field="user_id")
    if attendance.left_at is not None:
        raise DomainError(_("Medlemmet har allerede forladt mødet."), field="user_id")
    attendance.left_at = clock.now()
    db.session.flush()


def call_substitute(item: AgendaItem, substitute, for_member, actor) -> Substitute:
    """Call in a substitute (stedfortræder) for a member who is absent or disqualified on the
    item, where the committee's rules of procedure say so. The substitute is staff, not
    already on the committee, and has no interest in the case."""
    from grants.applications.permissions import acts_as_applicant

    meeting = item.meeting
    _held(meeting)
    if not access.may(actor, "meeting.conduct", meeting):
        raise NotAllowed(_("Kun udvalgets formand og sekretær kan indkalde en stedfortræder."))
    if not records_for(item.application, actor):
        raise NotAllowed(_("Du er inhabil i sagen og kan ikke registrere noget om den."))
    _not_withdrawn(item)
    if item.issue_status == IssueStatus.ISSUED:
        # Decided by those who took part then; the minutes say who. Nobody joins it after.
        raise DomainError(_("Afgørelsen er allerede udsendt og kan ikke ændres."), field="user_id")
    committee = meeting.committee
    check_substitutes_allowed(committee)
    members = {m.user_id: m for m in committee.voting_memberships(meeting.day)}
    replaced = {s.for_user_id for s in item.substitutes}
    if (
        for_member is None
        or for_member.id not in members
        or for_member.id in replaced
        or not (for_member.id not in present_for(item) or disqualified_on(item, for_member))
    ):
        raise DomainError(
            _("Vælg et medlem, der er fraværende eller inhabilt i sagen."), field="for_user_id"
        )
    if substitute is None or not is_staff(substitute) or substitute.id in members:
        raise DomainError(
            _("Vælg en stedfortræder blandt kommunens ansatte, som ikke er medlem af udvalget."),
            field="user_id",
        )
    if any(s.user_id == substitute.id for s in item.substitutes):
        raise DomainError(_("Stedfortræderen er allerede indkaldt."), field="user_id")
    if acts_as_applicant(substitute, item.application) or any(
        d.user_id == substitute.id for d in item.declarations
    ):
        raise DomainError(
            _("Stedfortræderen er selv part i sagen og kan ikke deltage."), field="user_id"
        )
    called = Substitute(
        agenda_item=item, user=substitute, for_user=for_member, called_by_id=actor.id
    )
    db.session.add(called)
    engine.record(
        item.application,
        "substitute_called",
        actor,
        details=note("substitute_called", substitute=substitute.name, member=for_member.name),
        visible_to_applicant=False,
    )
    db.session.flush()
    return called


def check_substitutes_allowed(committee: Committee) -> None:
    if committee.without_quorum != WithoutQuorum.SUBSTITUTE:
        raise DomainError(
            _("Udvalgets forretningsorden siger, at punktet udsættes uden en stedfortræder.")
        )


def is_staff(user) -> bool:
    """The municipality's own people (employees, officials, politicians: someone with a role),
    not those who only act for an association: who can sit on or stand in for a committee,
    or be its secretary."""
    return bool(user.active) and bool(user.roles)


def items_to_issue(meeting: Meeting) -> list[AgendaItem]:
    return [
        i
        for i in meeting.items
        if i.decision is not None
        and i.issue_status != IssueStatus.ISSUED
        and i.withdrawn_at is None
    ]


def check_issue(meeting: Meeting, actor) -> list[AgendaItem]:
    """The recorded decisions that "Udsend" would issue now, every rule checked, nothing
    changed: what the secretary is shown before confirming."""
    _held(meeting)
    if not access.may(actor, "meeting.conduct", meeting):
        raise NotAllowed(_("Kun udvalgets formand og sekretær kan udsende afgørelserne."))
    if meeting.job is not None and not meeting.job.finished:
        raise DomainError(_("Afgørelserne er ved at blive udsendt."))
    items = items_to_issue(meeting)
    if not items:
        raise DomainError(_("Der er ingen registrerede afgørelser at udsende."))
    return items


def _language() -> str:
    return str(get_locale() or "da") if has_request_context() else "da"


def start_issue(meeting: Meeting, actor, item_ids: list[int] | None = None):
    """Issue the recorded decisions together, in a job (see grants.committees.issuing):
    those the secretary confirmed (``item_ids``), or all that are recorded."""
    from grants.jobs import runner

    items = check_issue(meeting, actor)
    if item_ids is not None and sorted(item_ids) != sorted(i.id for i in items):
        raise DomainError(_("Afgørelserne er ændret, siden de blev vist. Se dem igen."))
    seen = meeting.job_id
    job = runner.create(
        "committee_issue",
        actor,
        # The language the secretary reads: the job says why an item failed in it.
        {"meeting_id": meeting.id, "items": [i.id for i in items], "locale": _language()},
        len(items),
    )
    # The meeting takes its job only if it still has the one this request saw: a double
    # click, or two secretaries at once, both pass the check above before either commits,
    # and the second then waits for the first's row and finds a job there.
    claimed = db.session.execute(
        update(Meeting)
        .where(
            Meeting.id == meeting.id,
            Meeting.job_id.is_(None) if seen is None else Meeting.job_id == seen,
        )
        .values(job_id=job.id)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], claimed).rowcount != 1:
        raise DomainError(_("Afgørelserne er ved at blive udsendt."))
    db.session.expire(meeting, ["job_id", "job"])
    runner.submit(job)
    return job


def issue_item(item: AgendaItem, actor) -> None:
    """Take the recorded decision through the workflow: the same operations as a decision on
    the case page (letter, reservation under the fund's lock, e-mail)."""
    from grants.applications.operations import decide
    from grants.reports.report import return_report
    from grants.reports.settlement import settle

    application = item.application
    decision = item.decision
    check_rulings_made(item)
    # The committee's steps: taken here, by its meeting, never from the case page.
    with engine.taking_as(CaseRole.COMMITTEE):
        if item.taken_off_for_objection:
            # Not handled: back to wait for a later meeting, as before it was put on.
            engine.take(
                application,
                "take_off_agenda",
                actor,
                item.reasons,
                details=note(
                    "late_item_not_handled",
                    committee=item.meeting.committee.name,
                    date=item.meeting.day,
                ),
            )
        elif decision in (Decision.GRANT, Decision.GRANT_PART, Decision.REFUSE):
            amount = item.amount if decision == Decision.GRANT_PART else None
            decide(application, actor, decision.value, amount, item.reasons)
        elif decision == Decision.POSTPONE and item.without_quorum:
            # No decision was made: the reason is the system's, worded for each reader in
            # their own language (the applicant's e-mail and journal); the minutes keep
            # the Danish record (``item.reasons``).
            # A report's approval has no "postpone" on the route: the case goes back off
            # the agenda to wait for a later meeting, as from a cancelled one.
            step = "postpone" if item.kind == AgendaKind.DECISION else "take_off_agenda"
            engine.take(application, step, actor, details=_without_quorum_facts(item))
        elif decision == Decision.POSTPONE:
            engine.take(application, "postpone", actor, item.reasons)
        elif decision == Decision.APPROVE_REPORT:
            settle(application, actor, item.reasons)
        elif decision == Decision.RETURN_REPORT:
            return_report(application, actor, item.reasons)
        else:  # pragma: no cover - record_decision keeps this out
            raise ValueError(f"item {item.id} has no decision")
    item.issue_status = IssueStatus.ISSUED
    item.issued_at = clock.now()
    item.failure_reason = ""


def _without_quorum_facts(item: AgendaItem) -> dict[str, object]:
    """The facts of the item's postponement for want of a quorum, as recorded when the
    secretary postponed it (``postpone_without_quorum``), else as the quorum stands."""
    from grants.workflow.models import JournalEntry

    recorded = db.session.scalar(
        select(JournalEntry.details)
        .where(
            JournalEntry.application_id == item.application_id,
            JournalEntry.action == "postponed_without_quorum",
        )
        .order_by(JournalEntry.id.desc())
        .limit(1)
    )
    return recorded or note("postponed_without_quorum", **quorum_of(item).words())


def close_meeting(meeting: Meeting, actor) -> None:
    """Close the meeting: every item decided and issued; the minutes made and stored."""
    import hashlib

    from grants.committees.minutes import make_minutes

    _held(meeting)
    if not access.may(actor, "meeting.conduct", meeting):
        raise NotAllowed(_("Kun udvalgets formand og sekretær kan lukke mødet."))
    if any(i.issue_status != IssueStatus.ISSUED and i.withdrawn_at is None for i in meeting.items):
        raise DomainError(_("Alle punkter skal være afgjort og udsendt, før mødet lukkes."))
    pdf = make_minutes(meeting)
    meeting.minutes_pdf = pdf
    meeting.minutes_sha256 = hashlib.sha256(pdf).hexdigest()
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = clock.now()
    meeting.closed_by_id = actor.id
    db.session.flush()
