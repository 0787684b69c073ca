"""The manager's step follows the employee's manager: when an employee's own manager
changes (``people.signals.manager_changed``), their cases that wait for the manager's step
name the new manager, with an entry in the journal and an e-mail to the new manager in
their language; their drafts name the new manager too, so a draft sent later goes to them.
The old manager is then refused the step (``engine.is_the_manager_now``). A case past the
manager's step keeps the manager who took it. Listed in ``grants.SUBSCRIBER_MODULES``.

A manager who stops being one (the role taken away, the account closed) hands over the
cases that name them to a successor (``hand_over``): the administrator's page of the person
asks for one when cases would otherwise wait for nobody (``left_waiting``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import url_for
from sqlalchemy import select

from grants.cases.states import State
from grants.extensions import db
from grants.notifications.operations import queue_mail
from grants.people.signals import manager_changed
from grants.workflow.engine import kept_steps, record
from grants.workflow.journal_texts import note
from grants.workflow.models import CaseRole

if TYPE_CHECKING:
    from grants.cases.models import Application
    from grants.people.models import User


def waits_for_the_manager(application: Application) -> bool:
    """The case is in a state where its route gives the manager a step."""
    steps = kept_steps(application.route_id).get(application.state, [])
    return any(step.role == CaseRole.MANAGER for step in steps)


def cases_naming(manager: User) -> list[Application]:
    """The cases that name ``manager`` and still wait for them, or will (drafts)."""
    from grants.cases.models import Application

    cases = db.session.scalars(
        select(Application)
        .where(Application.manager_id == manager.id, Application.organisation_id.is_(None))
        .order_by(Application.id)
    )
    return [
        application
        for application in cases
        if application.state == State.DRAFT or waits_for_the_manager(application)
    ]


def left_waiting(manager: User) -> list[Application]:
    """The cases that name ``manager`` and wait for the manager's step now: with nobody to
    take it once ``manager`` is no longer a manager."""
    return [a for a in cases_naming(manager) if a.state != State.DRAFT]


def hand_over(old: User, new: User, actor: User | None) -> list[Application]:
    """The cases naming ``old`` that wait for the manager's step go to ``new`` (each in the
    journal, and an e-mail to ``new``), and the drafts naming ``old`` name ``new``, whoever
    the applicant's own manager is (an applicant chooses the manager on the form). The
    re-routed cases. The caller has checked that ``new`` may be their manager."""
    rerouted = []
    for application in cases_naming(old):
        if application.state == State.DRAFT:
            application.manager_id = new.id
        else:
            _reroute_case(application, old, new, actor, message="manager_handed_over")
            rerouted.append(application)
    db.session.flush()
    return rerouted


@manager_changed.connect
def _reroute(
    employee: User, *, old: User | None, new: User | None, actor: User | None, **_facts: object
) -> None:
    from grants.cases.models import Application

    new_id = new.id if new is not None else None
    old_id = old.id if old is not None else None
    cases = db.session.scalars(
        select(Application)
        .where(Application.applicant_id == employee.id, Application.organisation_id.is_(None))
        .order_by(Application.id)
    )
    for application in cases:
        if application.manager_id == new_id:
            continue
        # Without a new manager only the cases naming the old one lose it.
        if new is None and application.manager_id != old_id:
            continue
        if application.state == State.DRAFT:
            application.manager_id = new_id
        elif waits_for_the_manager(application):
            _reroute_case(application, application.manager, new, actor)


def _reroute_case(
    application: Application,
    before: User | None,
    new: User | None,
    actor: User | None,
    message: str = "manager_changed",
) -> None:
    application.manager_id = new.id if new is not None else None
    facts = {"old": before.name if before is not None else "–"}
    if new is None:
        details = note("manager_removed", **facts)
    else:
        details = note(message, new=new.name, **facts)
    record(application, "manager_changed", actor, details=details)
    if new is not None and new.active:
        queue_mail(
            new,
            "mail/your_turn_subject.txt",
            "mail/your_turn.txt",
            application=application,
            actor=actor,
            case_url=url_for("applications.show", application_id=application.id, _external=True),
        )
