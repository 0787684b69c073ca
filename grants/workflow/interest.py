"""A personal interest in a case (inhabilitet, forvaltningsloven § 3): the one answer to
"may this person take no part in handling this case?", asked by every rule that lets staff
work on a case (its steps: ``engine.case_roles``; complaints, the case file, journalising,
notes and requests, payments).

A person has an interest in a case when they are its applicant side now, a member of the
applying organisation now, or were a party to it once: they made or submitted the
organisation's application, or were its contact person and left the organisation
(``representative_removed``). Leaving the organisation ends none of that: the journal keeps
who made, submitted and handed on the case, and it is read here.

Placed in the workflow: the lowest package that knows both the journal
(grants.workflow.models) and, through the case, the organisation's members.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import has_request_context, request
from sqlalchemy import ColumnElement, and_, or_, select

from grants.core import access
from grants.extensions import db
from grants.workflow.models import JournalEntry

if TYPE_CHECKING:
    from grants.cases.models import Application
    from grants.people.models import User

# The journal's steps whose actor applied for the case: made it, sent it, sent it again.
APPLIED = ("created", "submit", "resubmit")
# The entry that names a contact person who left the organisation (grants.workflow.journal).
REMOVED = "representative_removed"

_KNOWN = "grants.workflow.interest"


def is_a_party_now(user: User, application: Application) -> bool:
    """The applicant side of the case now, or a member of the applying organisation (whose
    login may act for another company just now: still a member). Asks no database."""
    if not access.signed_in(user):
        return False
    if access.may(user, "case.act_as_applicant", application):
        return True
    organisation = application.organisation
    return organisation is not None and organisation.has_member(user)


def has_a_personal_interest(user: User, application: Application) -> bool:
    """The person takes no part in handling the case: a party now (``is_a_party_now``), or
    a party to an organisation's case who has left the organisation (``was_a_party``).

    The callers ask this after the staff role that would let the person handle the case, so
    the journal is read only for staff, on an organisation's case, and once per request."""
    if not access.signed_in(user):
        return False
    return is_a_party_now(user, application) or was_a_party(user, application)


def was_a_party(user: User, application: Application) -> bool:
    """Whether ``user`` made, submitted or resubmitted the organisation's case, or was its
    contact person when they left the organisation: the journal says so. A person's own
    case (no organisation) is theirs for good, so the journal is not asked. One query, kept
    for the request: the journal is appended to, and only by the case's own parties."""
    if application.organisation_id is None or application.id is None:
        return False
    known: dict[tuple[int, int], bool] | None = None
    if has_request_context():
        # Kept with the request itself (its environ), not ``g``: an app context may outlive
        # many requests (a job's, a test's), and a person may join or leave in between.
        known = request.environ.setdefault(_KNOWN, {})
        key = (application.id, user.id)
        if key in known:
            return known[key]
    rows = db.session.execute(
        select(JournalEntry.action, JournalEntry.details).where(
            JournalEntry.application_id == application.id,
            or_(
                and_(JournalEntry.action.in_(APPLIED), JournalEntry.actor_id == user.id),
                JournalEntry.action == REMOVED,
            ),
        )
    )
    answer = any(
        action in APPLIED or (details or {}).get("person_id") == user.id for action, details in rows
    )
    if known is not None:
        known[(application.id, user.id)] = answer
    return answer


def was_a_party_condition(user_id: int) -> ColumnElement[bool]:
    """``was_a_party`` as a condition on Application, for the lists that find the cases a
    person handles (the work queue, the search, the menu's count): an organisation's case
    whose journal says the person made, submitted or resubmitted it, or left the
    organisation as its contact person.

    The person's few such cases are found once, by the journal's indexes on the actor and
    its step and on the contact persons who left, not case by case: as a correlated EXISTS
    PostgreSQL read the whole journal (580,000 entries at the bench's 100,000 cases, 60 ms)
    for every page a caseworker opened, to test the cases waiting for them."""
    from grants.cases.models import Application

    applied_or_left = select(JournalEntry.application_id).where(
        or_(
            and_(JournalEntry.actor_id == user_id, JournalEntry.action.in_(APPLIED)),
            and_(
                JournalEntry.action == REMOVED,
                JournalEntry.details["person_id"].as_integer() == user_id,
            ),
        ),
    )
    return and_(Application.organisation_id.is_not(None), Application.id.in_(applied_or_left))


def forget() -> None:
    """Forget the answers kept for this request: a contact person was just removed."""
    if has_request_context():
        request.environ.pop(_KNOWN, None)
