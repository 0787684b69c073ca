"""Who reads and writes a case's thread and its internal notes (grants.core.access).

Need-to-know (databeskyttelsesforordningen art. 5, stk. 1, litra c): the thread and its files
are read by the applicant side, the secretariat who handle the fund's cases, and those who
decide the case at its current step. Seeing the case is not enough: a manager who endorsed a
study trip, a board member who does not decide it now, and finance never read them. A staff
member with a personal interest in the case (a member of the applying organisation, or one
who applied for it and has left: ``workflow.interest``) never handles it (as
``workflow.engine.case_roles``): no thread unless acting for it, never the notes."""

from __future__ import annotations

from grants.applications.permissions import SECRETARIAT
from grants.cases.states import State
from grants.core import access
from grants.workflow import engine
from grants.workflow.interest import has_a_personal_interest


def _applicant_side(user, application) -> bool:
    return access.may(user, "case.act_as_applicant", application)


def _handles(user, application) -> bool:
    """The secretariat handles the case, unless the person has a personal interest in it
    (inhabilitet: ``has_a_personal_interest``)."""
    return user.has_role(*SECRETARIAT) and not has_a_personal_interest(user, application)


def decides_now(user, application) -> bool:
    """The person may take one of the route's decisions on the case at its current step,
    where it is taken (the committee's chair and secretary: at the held meeting)."""
    with engine.taking_as(*engine.HELD_ROLES):
        return any(t.outcome for t in engine.available_transitions(application, user))


@access.rule("case.read_messages")
def can_read_messages(user, application, **_) -> bool:
    """The applicant side, the secretariat and those who decide the case now."""
    if not access.signed_in(user) or not access.may(user, "case.view", application):
        return False
    if _applicant_side(user, application):
        return True
    return _handles(user, application) or decides_now(user, application)


@access.rule("case.message")
def can_message(user, application, **_) -> bool:
    """The applicant side and the secretariat write, once the case is submitted."""
    if application.state == State.DRAFT or not access.may(user, "case.view", application):
        return False
    return _applicant_side(user, application) or _handles(user, application)


@access.rule("case.read_notes")
def can_read_notes(user, application, **_) -> bool:
    """Internal notes: the secretariat's working documents, never the applicant side's nor a
    member of the applying organisation's (and not the deciders': they read the thread)."""
    return (
        access.signed_in(user)
        and access.may(user, "case.view", application)
        and not _applicant_side(user, application)
        and _handles(user, application)
    )


@access.rule("case.write_note")
def can_write_note(user, application, **_) -> bool:
    return can_read_notes(user, application) and _handles(user, application)


@access.rule("case.mark_reply_read")
def can_mark_reply_read(user, application, **_) -> bool:
    """The secretariat handling the case marks the applicant side's reply read."""
    return can_write_note(user, application)
