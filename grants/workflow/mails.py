"""The e-mails a step causes: to the people who act next, to the applicant, and to the people
around a decided case. Subscribes to ``signals.step_taken`` (listed in
``grants.SUBSCRIBER_MODULES``); the engine does not know it. The mails are queued in the
step's transaction and sent after the request's commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flask import url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from grants.extensions import db
from grants.letters.operations import decider_role
from grants.notifications.operations import queue_mail
from grants.organisations.operations import applicant_side
from grants.people.models import Role, User, UserRole
from grants.workflow.engine import is_the_manager_now, people_to_act, worded_reason
from grants.workflow.journal_texts import MESSAGE
from grants.workflow.models import JournalEntry, Transition
from grants.workflow.signals import step_taken

if TYPE_CHECKING:
    from grants.cases.models import Application


@step_taken.connect
def _mail_the_step(
    application: Application,
    *,
    transition: Transition,
    actor: User,
    comment: str = "",
    entry: JournalEntry | None = None,
    **_facts: object,
) -> None:
    notify_step(
        application,
        transition,
        actor,
        comment,
        answer_by=_answer_by(entry),
        reason=_worded_reason(transition, comment, entry),
    )


def _worded_reason(transition: Transition, comment: str, entry: JournalEntry | None) -> dict | None:
    """A step's reason kept as a message of the system's rather than a comment (the route
    asks for one, none was written: ``engine.worded_reason``): the facts the applicant's
    e-mail words in their own language."""
    details = entry.details if entry is not None else None
    if transition.comment_required and not comment and worded_reason(details):
        return details
    return None


def _answer_by(entry: JournalEntry | None) -> dt.date | None:
    """The deadline of a request for information the step made (its journal entry's
    ``information_requested`` note), for the applicant's e-mail."""
    details = (entry.details if entry is not None else None) or {}
    if details.get(MESSAGE) != "information_requested" or not details.get("date"):
        return None
    return dt.date.fromisoformat(str(details["date"]))


def notify_step(
    application: Application,
    transition: Transition,
    actor: User,
    comment: str = "",
    answer_by: dt.date | None = None,
    reason: dict | None = None,
) -> None:
    """Tell who acts next, the applicant (``reason``: the step's reason as a system message's
    facts, worded in the applicant's language), and the people around a decided case."""
    case_url = url_for("applications.show", application_id=application.id, _external=True)
    for person in people_to_act(application):
        if person.id == application.applicant_id:
            continue  # the applicant gets the status message below, which says it is their turn
        if actor is not None and person.id == actor.id:
            continue  # who just took the step knows; the case is on their list if it waits
        queue_mail(
            person,
            "mail/your_turn_subject.txt",
            "mail/your_turn.txt",
            application=application,
            actor=actor,
            case_url=case_url,
        )
    if transition.visible_to_applicant:
        _tell_the_applicant_side(
            application,
            actor,
            transition=transition,
            comment=comment,
            answer_by=answer_by,
            reason=reason,
            case_url=case_url,
        )
    if transition.outcome:
        notify_decision(application, actor, comment, case_url)


def _tell_the_applicant_side(application: Application, actor: User, **context: object) -> None:
    """The status e-mail to the contact person and everyone else who acts for the
    organisation (``organisations.operations.applicant_side``), each in their own language;
    not to a representative who took the step themselves (the contact person is told even
    then: their copy is the case's record of it)."""
    for person in applicant_side(application):
        if person.id != application.applicant_id and actor is not None and person.id == actor.id:
            continue
        queue_mail(
            person,
            "mail/status_subject.txt",
            "mail/status.txt",
            application=application,
            actor=actor,
            **context,
        )


def notify_decision(application: Application, actor: User, comment: str, case_url: str) -> None:
    """Tell the people around a decided case who did not decide it: the manager named on
    the application (while a manager), and the caseworker of the case when the fund's board
    or a committee decided (the applicant has the status message and the letter)."""

    role = decider_role(application, actor) if actor is not None else "caseworker"
    people = {}
    manager = application.manager
    # The manager while a manager: one whose role was taken away reads nothing more of it.
    if manager is not None and is_the_manager_now(manager, application):
        people[manager.id] = manager
    if role != "caseworker":
        # The caseworkers who handled the case; none yet: every caseworker.
        handled = [
            entry.actor
            for entry in db.session.scalars(
                select(JournalEntry).where(JournalEntry.application_id == application.id)
            )
            if entry.actor is not None and entry.actor.has_role(Role.CASEWORKER)
        ]
        for person in handled or caseworkers():
            people[person.id] = person
    body = _decided_by_body(application, role)
    for person in people.values():
        if person.id in (application.applicant_id, getattr(actor, "id", None)):
            continue
        if not person.active:
            continue
        with force_locale(person.locale or "da"):
            decided_by_body = str(body) if body else ""
        queue_mail(
            person,
            "mail/decided_subject.txt",
            "mail/decided.txt",
            application=application,
            actor=actor,
            comment=comment,
            case_url=case_url,
            decided_by_body=decided_by_body,
        )


def _decided_by_body(application: Application, role: str) -> str | None:
    if role == "board_member":
        return _l("Bestyrelsen for %(fund)s", fund=application.fund.name)
    if role == "committee":
        return application.fund.name
    return None


def caseworkers() -> Sequence[User]:
    return db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.CASEWORKER, User.active)
    ).all()
