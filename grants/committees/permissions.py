"""The committees' rules in the permission layer (grants.core.access).

Who records a committee's decision on a case is the workflow engine's business: the rules
below ask ``grants.committees.operations.records_for``, and the case role the engine sees
(``committee_role``, a role source of ``grants.workflow.engine``) asks ``decides_for``: that,
at a held meeting with a quorum on the item; never a copy of either."""

from __future__ import annotations

from grants.applications.permissions import opens_funds
from grants.cases.states import State
from grants.committees import operations
from grants.committees.models import MeetingState, MemberRole
from grants.core import access
from grants.workflow import engine
from grants.workflow.models import CaseRole

COMMITTEE_SECRETARIAT = operations.COMMITTEE_SECRETARIAT


def _membership(user, committee):
    return committee.membership_of(user)


@access.rule("committee.manage")
def can_manage_committees(user, _obj=None, **_) -> bool:
    """Registers committees and their members: the secretariat and administrators."""
    return user.has_role(*COMMITTEE_SECRETARIAT)


@access.rule("committee.list")
def can_list_committees(user, _obj=None, **_) -> bool:
    """The list of committees: the secretariat, and members of a committee today."""
    return can_manage_committees(user) or operations.is_member_of_a_committee(user)


@access.rule("committee.view")
def can_view_committee(user, committee, **_) -> bool:
    return can_manage_committees(user) or _membership(user, committee) is not None


@access.rule("meeting.plan")
def can_plan_meetings(user, _committee_or_meeting=None, **_) -> bool:
    """Plans meetings and agendas (and puts a case on one): the secretariat."""
    return user.has_role(*COMMITTEE_SECRETARIAT)


@access.rule("meeting.publish")
def can_publish_agenda(user, meeting, **_) -> bool:
    """Sends the agenda to the members: the secretariat, and the chair and secretary."""
    return can_plan_meetings(user) or can_conduct_meeting(user, meeting)


@access.rule("meeting.reschedule")
def can_reschedule_meeting(user, meeting, **_) -> bool:
    """Moves a meeting not yet held, or cancels it: the secretariat who plan the meetings
    (caseworkers, administrators), and the committee's own secretary; not its chair or
    members."""
    if can_plan_meetings(user):
        return True
    membership = _membership(user, meeting.committee)
    return membership is not None and membership.role == MemberRole.SECRETARY


@access.rule("meeting.view")
def can_view_meeting(user, meeting, **_) -> bool:
    """The secretariat and the committee's own members; never another committee's. A
    meeting whose minutes are approved also by those who sat on the committee that day,
    when their mandate has ended since (the election period over, or they left)."""
    if user.has_role(*COMMITTEE_SECRETARIAT) or _membership(user, meeting.committee) is not None:
        return True
    return meeting.state == MeetingState.MINUTES_APPROVED and operations.sat_on(meeting, user)


@access.rule("meeting.conduct")
def can_conduct_meeting(user, meeting, **_) -> bool:
    """Records attendance and rulings, issues the decisions, closes the meeting: the
    committee's chair and secretary."""
    membership = _membership(user, meeting.committee)
    return membership is not None and membership.role in operations.RECORDERS


@access.rule("meeting.record")
def can_record_decision(user, item, **_) -> bool:
    """Records the committee's decision on an agenda item: its chair or secretary, not
    excluded by an interest (the quorum is the operation's: refused there with the reason)."""
    return can_conduct_meeting(user, item.meeting) and operations.records_for(
        item.application, user
    )


@access.rule("meeting.rule")
def can_rule_on_declaration(user, declaration, **_) -> bool:
    """The committee's ruling on a declared interest: its chair or secretary, never the
    member the declaration is about, nor one disqualified on the item."""
    return (
        can_conduct_meeting(user, declaration.agenda_item.meeting)
        and declaration.user_id != user.id
        and not operations.disqualified_on(declaration.agenda_item, user)
    )


@access.rule("interest.declare")
def can_declare_interest(user, item, **_) -> bool:
    """Any member of the committee declares their own interest in an item."""
    return _membership(user, item.meeting.committee) is not None


@access.rule("late_item.object")
def can_object_to_late_item(user, item, **_) -> bool:
    """A member of the committee (its chair or a member; the secretary is an official)
    objects to an item added late being handled, or withdraws their objection."""
    membership = item.meeting.committee.membership_of(user, item.meeting.day)
    return membership is not None and membership.role != MemberRole.SECRETARY


@access.rule("minutes.download")
def can_download_minutes(user, meeting, **_) -> bool:
    """Whoever sees the meeting (its minutes only once approved): the secretariat, the
    committee's members, and its former members for the meetings they sat on. The public
    reads no minutes: a committee's trip is published once its report is approved."""
    return can_view_meeting(user, meeting)


@access.also("case.view")
def member_sees_case(user, application, **_) -> bool:
    """A committee member sees the cases on their committee's agendas (never a draft)."""
    return application.state != State.DRAFT and operations.sees_case(application, user)


# The committee's steps are taken by its meeting (recorded and issued there), never from the
# case page: the engine offers them only within the meeting's operations.
engine.held_role(CaseRole.COMMITTEE)(operations.decided_at_meeting)


@engine.role_source
def committee_role(application, user) -> set[CaseRole]:
    """A committee's case: its members decide at a held meeting with a quorum on the item. A
    member ruled disqualified, or with an interest not yet ruled on, holds no role."""
    if application.fund.spec.decided_in_meeting and (
        operations.decides_for(application, user)
        # The meeting cancelled: its cases go back off the agenda (``cancel_meeting``).
        or operations.takes_off_agenda(application, user)
    ):
        return {CaseRole.COMMITTEE}
    return set()


@opens_funds
def committee_funds(user) -> list[int]:
    """A committee's members and secretary apply for the committee's own trips."""
    return [committee.fund_id for committee in operations.committees_of(user)]
