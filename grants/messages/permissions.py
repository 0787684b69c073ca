"""Who reads and writes a case's thread and its internal notes (grants.core.access)."""

from __future__ import annotations

from grants.applications.permissions import CASE_STAFF, SECRETARIAT
from grants.cases.states import State
from grants.core import access


@access.rule("case.read_messages")
def can_read_messages(user, application, **_) -> bool:
    """The applicant side and the staff who handle cases (not a manager or a board member
    who only sees the case)."""
    if not access.may(user, "case.view", application):
        return False
    return access.may(user, "case.act_as_applicant", application) or user.has_role(*CASE_STAFF)


@access.rule("case.message")
def can_message(user, application, **_) -> bool:
    """The applicant side and the secretariat write, once the case is submitted."""
    if application.state == State.DRAFT or not access.may(user, "case.view", application):
        return False
    return access.may(user, "case.act_as_applicant", application) or user.has_role(*SECRETARIAT)


@access.rule("case.read_notes")
def can_read_notes(user, application, **_) -> bool:
    """Internal notes: the staff who handle cases, never the applicant side."""
    return (
        access.may(user, "case.view", application)
        and not access.may(user, "case.act_as_applicant", application)
        and user.has_role(*CASE_STAFF)
    )


@access.rule("case.write_note")
def can_write_note(user, application, **_) -> bool:
    return can_read_notes(user, application) and user.has_role(*SECRETARIAT)
