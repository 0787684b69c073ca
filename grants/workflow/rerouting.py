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
from sqlalchemy import or_, select

from grants.cases.states import State
from grants.extensions import db
from grants.notifications.operations import queue_mail
from grants.people.signals import manager_changed
from grants.workflow.engine import kept_steps, lock_case, record
from grants.workflow.journal_texts import note
from grants.workflow.models import CaseRole

if TYPE_CHECKING:
    from grants.cases.models import Application
    from grants.people.models import User


def waits_for_the_manager(application: Application) -> bool:
    """The case is in a state where its route gives the manager a step."""
    steps = kept_steps(application.route_id).get(application.state, [])
    return any(step.role == CaseRole.MANAGER for step in steps)


def cases_naming(manager: User, *, lock: bool = False) -> list[Application]:
    """The cases that name ``manager`` and still wait for them, or will (drafts). With
    ``lock``, each case's row lock is taken first (in id order) and the case read again
    under it (``engine.lock_case``): an endorsement at the same moment is waited for, and a
    case it moved on is left out."""
    from grants.cases.models import Application

    cases = list(
        db.session.scalars(
            select(Application)
            .where(Application.manager_id == manager.id, Application.organisation_id.is_(None))
            .order_by(Application.id)
        )
    )
    if lock:
        for application in cases:
            lock_case(application)
    return [
        application
        for application in cases
        if application.manager_id == manager.id
        and (application.state == State.DRAFT or waits_for_the_manager(application))
    ]


def left_waiting(manager: User) -> list[Application]:
    """The cases that name ``manager`` and wait for the manager's step now: with nobody to
    take it once ``manager`` is no longer a manager."""
    return [a for a in cases_naming(manager) if a.state != State.DRAFT]


def waiting_for_own_manager(employee: User) -> list[Application]:
    """The employee's cases that name their own manager and wait for the manager's step
    now (not drafts): with the employee left without a manager (``manager_changed`` with
    no new one) nobody could take it."""
    from grants.cases.models import Application

    if employee.manager_id is None:
        return []
    cases = db.session.scalars(
        select(Application)
        .where(
            Application.applicant_id == employee.id,
            Application.manager_id == employee.manager_id,
            Application.organisation_id.is_(None),
            Application.state != State.DRAFT,
        )
        .order_by(Application.id)
    )
    return [application for application in cases if waits_for_the_manager(application)]


def waiting_for_a_former_manager() -> list[tuple[User, list[Application]]]:
    """The cases that wait for the manager's step of someone who is no longer a manager
    (the role taken away, by an administrator or at a login by the identity provider's
    groups, or the account closed): nobody can take it until an administrator names who
    takes over (``grants.administration.operations.hand_over_as_manager``). By person, in
    name order; each person's cases in id order."""
    from grants.cases.models import Application
    from grants.people.models import Role, User, UserRole
    from grants.workflow.models import Transition

    managers = select(UserRole.user_id).where(UserRole.role == Role.MANAGER)
    manager_states = select(Transition.from_state).where(Transition.role == CaseRole.MANAGER)
    rows = db.session.execute(
        select(User, Application)
        .join(Application, Application.manager_id == User.id)
        .where(
            Application.organisation_id.is_(None),
            Application.state.in_(manager_states),
            or_(User.id.not_in(managers), User.active.is_(False)),
        )
        .order_by(User.name, User.id, Application.id)
    ).all()
    found: dict[int, tuple[User, list[Application]]] = {}
    for person, application in rows:
        if waits_for_the_manager(application):
            found.setdefault(person.id, (person, []))[1].append(application)
    return list(found.values())


def tell_the_cases_left_waiting(person: User) -> list[Application]:
    """``person`` is no longer a manager and nobody named who takes over (the role went at
    a login, with the identity provider's group): each case that waits for their step says
    in its journal that it waits for a new manager. The cases."""
    waiting = left_waiting(person)
    for application in waiting:
        record(
            application,
            "manager_lost_role",
            None,
            details=note("manager_lost_role", old=person.name),
        )
    return waiting


def hand_over(old: User, new: User, actor: User | None) -> list[Application]:
    """The cases naming ``old`` that wait for the manager's step go to ``new`` (each in the
    journal, and an e-mail to ``new``), and the drafts naming ``old`` name ``new``, whoever
    the applicant's own manager is (an applicant chooses the manager on the form). The
    re-routed cases. The caller has checked that ``new`` may be their manager."""
    rerouted = []
    for application in cases_naming(old, lock=True):
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
    cases = list(
        db.session.scalars(
            select(Application)
            .where(Application.applicant_id == employee.id, Application.organisation_id.is_(None))
            .order_by(Application.id)
        )
    )
    for application in cases:
        # Locked and read again (in id order): an endorsement at the same moment is waited
        # for, and a case it moved past the manager's step keeps its manager.
        lock_case(application)
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
