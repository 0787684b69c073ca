"""The one place that answers "who may do what to this case now".

Views ask ``available_transitions`` to draw the buttons and call ``take`` to act; ``take``
checks the same table, so a forged form post gets no further than a missing button.
``take`` changes the state, appends to the journal and sends ``signals.step_taken``, to which
the step's side effects subscribe (the e-mails: ``grants.workflow.mails``); it never commits.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, cast

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    CursorResult,
    Select,
    and_,
    any_,
    false,
    func,
    or_,
    select,
    text,
    true,
    union,
)
from sqlalchemy.orm import InstrumentedAttribute

from grants.core import access, clock, events
from grants.core.errors import DomainError, NotAllowed
from grants.core.locks import Busy, bound_lock_wait, busy_refused
from grants.core.models import one_of
from grants.extensions import db
from grants.people.models import Role, User
from grants.workflow import interest
from grants.workflow.actions import ACTIONS
from grants.workflow.guards import guard
from grants.workflow.journal_texts import MESSAGE, TEXTS, note
from grants.workflow.labels import action_label as label_of_action
from grants.workflow.models import CaseRole, JournalEntry, Route, Step, Transition
from grants.workflow.signals import step_taken

if TYPE_CHECKING:
    from grants.cases.models import Application

# Roles on a case that a package above the workflow gives (the committees: CaseRole.COMMITTEE
# to a member who decides at a held meeting), registered with ``role_source`` when the app is
# built: each is a function (application, user) -> set[CaseRole].
ROLE_SOURCES: list[Callable[..., set[CaseRole]]] = []


def role_source(function: Callable[..., set[CaseRole]]) -> Callable[..., set[CaseRole]]:
    """Register ``function`` as a source of roles on a case (see ``ROLE_SOURCES``)."""
    if function not in ROLE_SOURCES:
        ROLE_SOURCES.append(function)
    return function


# Roles whose steps are taken only by an operation of their own, never from the case page:
# the committee's, by its meeting (grants.committees.operations records the decision and
# issues it ``taking_as(CaseRole.COMMITTEE)``). Registered with ``held_role`` when the app
# is built, each with a function (application, user, action) -> DomainError | None: why the
# step is refused outside that operation (None: the plain "you cannot" says it).
HELD_ROLES: dict[CaseRole, Callable[..., DomainError | None]] = {}
_TAKING_AS: ContextVar[frozenset[CaseRole]] = ContextVar("grants_taking_as", default=frozenset())


def held_role(
    role: CaseRole,
) -> Callable[[Callable[..., DomainError | None]], Callable[..., DomainError | None]]:
    """Register ``role`` as held (see ``HELD_ROLES``), with the function that says why."""

    def register(function: Callable[..., DomainError | None]) -> Callable[..., DomainError | None]:
        HELD_ROLES[role] = function
        return function

    return register


@contextmanager
def taking_as(*roles: CaseRole) -> Iterator[None]:
    """Within the block, the steps of the held ``roles`` are offered to whoever holds them:
    the operation that takes them for its body (the meeting, for the committee), or a rule
    that asks who decides the case now wherever they decide it."""
    token = _TAKING_AS.set(_TAKING_AS.get() | set(roles))
    try:
        yield
    finally:
        _TAKING_AS.reset(token)


def _held_now() -> set[CaseRole]:
    """The held roles whose steps are not offered here (outside their ``taking_as``)."""
    return set(HELD_ROLES) - _TAKING_AS.get()


def held_refusal(application: Application, action: str, user: User | None) -> DomainError | None:
    """Why ``action`` is not the person's to take here, if it is a step of a held role from
    the case's state (the committee's, taken at its meeting), as that role's source says."""
    held = _held_now()
    if not held or application.route_id is None:
        return None
    for step in kept_steps(application.route_id).get(application.state, []):
        if step.action == action and step.role in held:
            refusal = HELD_ROLES[step.role](application, user, action)
            if refusal is not None:
                return refusal
    return None


def _acts_as_applicant(user: User, application: Application) -> bool:
    """The applicant side of the case: the rule ``case.act_as_applicant``, the applications'
    (grants.applications.permissions), asked through the permission layer."""
    return access.may(user, "case.act_as_applicant", application)


def is_the_manager_now(user: User, application: Application) -> bool:
    """The manager the case names, while they hold the manager's role: one whose role is
    taken away takes no manager's step and handles no case as its manager. When an
    employee's manager changes, the cases waiting for the manager's step name the new one
    (``grants.workflow.rerouting``), so the old one is refused there too. The work queue
    asks the same (``waiting_for``), and so do ``case.view`` and the search."""
    return (
        application.manager_id is not None
        and application.manager_id == user.id
        and user.has_role(Role.MANAGER)
    )


def case_roles(application: Application, user: User | None) -> set[CaseRole]:
    """The roles ``user`` holds on this case. An applicant holds no other role on their own
    case: nobody endorses, screens or decides an application they made themselves, or one
    from an organisation they act for or acted for (inhabilitet, ``interest``)."""
    if user is None or not user.is_authenticated:
        return set()
    if _acts_as_applicant(user, application):
        return {CaseRole.APPLICANT}
    if application.organisation is not None and application.organisation.has_member(user):
        # A member of the applying organisation whose login acts for another company (MitID
        # Erhverv) is not its applicant side now, and still never handles its case (as the
        # work queue's ``applicant_side``).
        return set()
    roles: set[CaseRole] = set()
    if is_the_manager_now(user, application):
        roles.add(CaseRole.MANAGER)
    if user.has_role(Role.CASEWORKER):
        roles.add(CaseRole.CASEWORKER)
    if application.fund.is_board_member(user):
        roles.add(CaseRole.BOARD_MEMBER)
    for source in ROLE_SOURCES:
        roles |= source(application, user)
    # A party now is answered above; one who applied for the organisation's case, or was its
    # contact person, and has left it is still a party (the journal: one query, only when
    # the person would otherwise handle the case).
    if roles and interest.has_a_personal_interest(user, application):
        return set()
    return roles


def available_transitions(application: Application, user: User | None) -> list[Transition]:
    """The steps this person may take on the case now: its own route's, and a step that
    came with a newer version of the route (``Action.on_newer_route``) that the case's
    version lacks, taken on the newer version (``take`` moves the case onto it)."""
    return _available(application, user, lambda route: route.transitions_from(application.state))


def available_steps(application: Application, user: User | None) -> list[Step]:
    """``available_transitions`` as the steps kept across requests (``Step``: the same
    columns, not objects of the session): the case page draws its buttons from these
    without reading its route's dozens of transitions on every request."""
    return _available(
        application, user, lambda route: kept_steps(route.id).get(application.state, [])
    )


_T = TypeVar("_T", Transition, Step)


def _available(
    application: Application, user: User | None, steps_from: Callable[[Route], Sequence[_T]]
) -> list[_T]:
    """``available_transitions``, the route's steps from the case's state read by
    ``steps_from``."""
    # A held role's steps (the committee's) only within the operation that takes them.
    roles = case_roles(application, user) - _held_now()
    seen: set[str] = set()
    allowed = []
    for transition in steps_from(application.route):
        if (
            transition.role in roles
            and transition.action not in seen
            and guard(transition.guard).holds(application)
        ):
            seen.add(transition.action)
            allowed.append(transition)
    if roles and any(
        action.on_newer_route and action.name not in seen for action in ACTIONS.values()
    ):
        newer = newer_route(application)
        for transition in steps_from(newer) if newer else ():
            action = ACTIONS.get(transition.action)
            if (
                action is not None
                and action.on_newer_route
                and transition.role in roles
                and transition.action not in seen
                and guard(transition.guard).holds(application)
            ):
                seen.add(transition.action)
                allowed.append(transition)
    return allowed


_NEWER_ROUTES = "grants_newer_routes"


def _steps(route: Route) -> set[tuple[str, str, str, str, str]]:
    return {(t.from_state, t.action, t.to_state, str(t.role), t.guard) for t in route.transitions}


def newer_route(application: Application) -> Route | None:
    """The newest version of the case's route, if it is newer than the case's and keeps
    every step of it (it only adds steps): a case may move onto it without losing a way
    forward. None otherwise. Routes are versioned data: the older version stays as it was,
    and so do the cases that do not move."""
    from flask import g

    own = application.route
    newest_id = _newest_versions().get(own.id)
    if newest_id is None:  # the case's route is its newest version: no statement asked
        return None
    # Asked for every case a page draws: once per route and request (or job).
    known: dict[int, int | None] = g.setdefault(_NEWER_ROUTES, {})
    if own.id not in known:
        newest = db.session.get(Route, newest_id)
        moves = (
            newest is not None and newest.version > own.version and _steps(own) <= _steps(newest)
        )
        known[own.id] = newest.id if moves and newest is not None else None
    newer_id = known[own.id]
    return db.session.get(Route, newer_id) if newer_id is not None else None


_NEWEST = "grants.workflow.newest_versions"


def _newest_versions() -> dict[int, int]:
    """Each route that has a newer version: its id to the id of its code's newest version.
    Kept with the steps (the same lifetime, forgotten when a route is loaded): the routes
    are a handful of rows, and a page of cases asked this for each route it drew."""
    import time

    from flask import current_app

    kept = current_app.extensions.get(_NEWEST)
    now = time.monotonic()
    if kept is None or now - kept[0] > STEPS_KEPT_FOR:
        newest: dict[str, tuple[int, int]] = {}
        rows = db.session.execute(select(Route.id, Route.code, Route.version)).all()
        for route_id, code, version in rows:
            if code not in newest or version > newest[code][1]:
                newest[code] = (route_id, version)
        older = {
            route_id: newest[code][0] for route_id, code, _ in rows if newest[code][0] != route_id
        }
        kept = (now, older)
        current_app.extensions[_NEWEST] = kept
    return kept[1]


def _move_to_route(application: Application, route: Route, actor: User, action: str) -> None:
    """The case goes on from here on ``route`` (a newer version of its own), in the
    journal."""
    old = application.route
    record(
        application,
        "route_version_changed",
        actor,
        details=note(
            "route_version_changed",
            route=route.name,
            old=old.version,
            new=route.version,
            step=action,
        ),
        visible_to_applicant=False,
    )
    application.route = route


def action_label(action: str) -> str:
    return label_of_action(action)


def take_step(application: Application, actor: User, action: str, comment: str) -> None:
    """The plain step (an action with no effect of its own): move the case along the route
    and record it."""
    take(application, action, actor, comment)


def find_transition(application: Application, action: str, user: User | None) -> Transition:
    for transition in available_transitions(application, user):
        if transition.action == action:
            return transition
    refusal = held_refusal(application, action, user)
    if refusal is not None:
        raise refusal
    raise NotAllowed(
        _(
            "Du kan ikke udføre handlingen “%(action)s” på denne sag nu.",
            action=action_label(action),
        )
    )


class CaseBusy(Busy):
    """The case's lock could not be had in time; nothing was changed."""


def _case_busy() -> CaseBusy:
    return CaseBusy(_("Sagen ændres af en anden lige nu. Intet er ændret. Prøv igen om lidt."))


def lock_case(application: Application) -> None:
    """Take the case's row lock until the transaction ends and read again where the case is
    and whom it names (its state, route and manager), so what is checked next is what the
    last writer left. A step (``take``) and a re-routing to a new manager
    (``grants.workflow.rerouting``) both lock first: the one that comes second waits for
    the first's commit, then the step is refused (the case names another manager now) or
    the re-routing leaves a case that has moved past the manager's step. PostgreSQL's row
    lock (FOR NO KEY UPDATE, as the step's UPDATE takes: rows that merely refer to the case
    do not wait); SQLite has one writer and no row locks, so this only reads again.

    The lock order is the fund's before the case's (``grants.budgets.lock``): what the
    caller changed is flushed first, as the step's UPDATE would flush it. The wait is
    bounded (BUDGET_LOCK_TIMEOUT): behind a transaction that never ends, ``CaseBusy``, a
    "try again" that changes nothing, instead of a request that hangs."""
    db.session.flush()
    with busy_refused(_case_busy):
        bound_lock_wait()
        db.session.refresh(
            application, ["state", "route_id", "manager_id"], with_for_update={"key_share": True}
        )
    db.session.expire(application, ["route", "manager"])


def take(
    application: Application,
    action: str,
    actor: User,
    comment: str = "",
    details: dict[str, Any] | None = None,
) -> JournalEntry:
    """Move the case along the transition ``action`` and record it (``details``: the step's
    facts for the journal, see JournalEntry.details). The case's lock first (``lock_case``):
    a re-routing at the same moment is waited for, and the step checked against it."""
    lock_case(application)
    transition = find_transition(application, action, actor)
    comment = (comment or "").strip()
    if transition.comment_required and not comment and not worded_reason(details):
        raise NotAllowed(_("Skriv en begrundelse."), field="comment")
    from_state = application.state
    if transition.route_id != application.route_id:
        _move_to_route(application, transition.route, actor, action)
    _claim_step(application, from_state, transition.to_state, action)
    application.state = transition.to_state
    _someone_can_go_on(application)
    entry = record(
        application,
        action,
        actor,
        comment=comment,
        from_state=from_state,
        to_state=transition.to_state,
        visible_to_applicant=transition.visible_to_applicant,
        details=details,
    )
    events.send(
        step_taken,
        application,
        transition=transition,
        actor=actor,
        comment=comment,
        from_state=from_state,
        entry=entry,
    )
    return entry


def worded_reason(details: dict[str, Any] | None) -> bool:
    """The step's facts carry a message of the system's (``journal_texts.note``): worded for
    each reader in their own language, it is the step's reason where the route asks for one
    (a committee's item postponed for want of a quorum), rather than a comment in the
    language of whoever took the step."""
    return bool(details) and (details or {}).get(MESSAGE) in TEXTS


def _claim_step(application: Application, from_state: str, to_state: str, action: str) -> None:
    """Move the case in the database only if it is still where this person saw it: a
    compare-and-set UPDATE. A double click, or two people at once, sends the same step twice;
    the second waits for the first's row (PostgreSQL) or write lock (SQLite), then finds the
    case moved on and is refused, so there is one transition, one ledger entry, one letter."""
    from sqlalchemy import update

    from grants.cases.models import Application

    if db.session.get_bind().dialect.name == "sqlite":
        # pysqlite's own wait is 5 s: too short behind a decision that renders a PDF.
        db.session.execute(text("PRAGMA busy_timeout = 30000"))
    claimed = cast(
        CursorResult[Any],
        db.session.execute(
            update(Application)
            .where(Application.id == application.id, Application.state == from_state)
            .values(state=to_state)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        raise NotAllowed(
            _(
                "Sagen er allerede gået videre (“%(action)s” er taget). Se sagen igen.",
                action=action_label(action),
            )
        )


def _someone_can_go_on(application: Application) -> None:
    """Refuse a step into a state where the route wants staff to act and nobody can, e.g. a
    case above the delegated limit of a fund that has no board: it would wait for ever."""
    staff_steps = [
        t
        for t in application.route.transitions_from(application.state)
        if t.role != CaseRole.APPLICANT and t.notifies and guard(t.guard).holds(application)
    ]
    if not staff_steps:
        return
    if not any(not _acts_as_applicant(p, application) for p in people_to_act(application)):
        raise NotAllowed(
            _(
                "Ingen kan tage det næste skridt i sagen: puljen mangler en, der kan træffe "
                "afgørelse (fx en bestyrelse for beløb over sagsbehandlerens grænse). Kontakt "
                "en administrator."
            )
        )


def record(
    application: Application,
    action: str,
    actor: User | None,
    *,
    comment: str = "",
    from_state: str = "",
    to_state: str = "",
    visible_to_applicant: bool = True,
    details: dict[str, Any] | None = None,
) -> JournalEntry:
    """Append an entry to the case's journal."""
    entry = JournalEntry(
        application_id=application.id,
        actor_id=actor.id if actor else None,
        action=action,
        from_state=from_state,
        to_state=to_state or application.state,
        comment=comment,
        visible_to_applicant=visible_to_applicant,
        details=details,
    )
    db.session.add(entry)
    return entry


def people_to_act(application: Application) -> list[User]:
    """Who can take the next step now (for the e-mail to the next person to act)."""
    from grants.funds.models import FundBoardMember
    from grants.people.models import UserRole

    wanted = {
        t.role
        for t in application.route.transitions_from(application.state)
        if t.notifies and guard(t.guard).holds(application)
    }
    people: dict[int, User] = {}
    if CaseRole.APPLICANT in wanted:
        people[application.applicant.id] = application.applicant
    manager = application.manager
    if (
        CaseRole.MANAGER in wanted
        and manager is not None
        and is_the_manager_now(manager, application)
    ):
        people[manager.id] = manager
    if CaseRole.CASEWORKER in wanted:
        for user in db.session.scalars(
            select(User).join(UserRole).where(UserRole.role == Role.CASEWORKER, User.active)
        ):
            people[user.id] = user
    if CaseRole.BOARD_MEMBER in wanted:
        for user in db.session.scalars(
            select(User)
            .join(FundBoardMember, FundBoardMember.user_id == User.id)
            .where(FundBoardMember.fund_id == application.fund_id, User.active)
        ):
            people[user.id] = user
    # Only the applicant's own steps go to the applicant as "your turn".
    if CaseRole.APPLICANT not in wanted:
        people.pop(application.applicant_id, None)
    return list(people.values())


def taken_as(route_id: int, from_state: str, action: str) -> CaseRole | None:
    """The role the route gives ``action`` from ``from_state`` (a journal entry's step: who
    asked, the caseworker or the fund's board), from the steps the app keeps (no query once
    kept); None where the route gives it to several roles or none."""
    roles = {
        step.role for step in kept_steps(route_id).get(from_state, ()) if step.action == action
    }
    return roles.pop() if len(roles) == 1 else None


def next_role(application: Application) -> CaseRole | None:
    """The one role the route expects the next step of, from the case's state now (the
    transitions that notify, whose guard holds): whom the applicant's e-mail names after a
    step of theirs; None where several roles or none are expected."""
    roles = {
        t.role
        for t in application.route.transitions_from(application.state)
        if t.notifies and guard(t.guard).holds(application)
    }
    return roles.pop() if len(roles) == 1 else None


# The transition table's steps, kept by the app for ``STEPS_KEPT_FOR`` seconds for the
# waiting rule (``waiting_for``: the menu's count, the work queue): routes are versioned data, never
# changed in place, and loading one here forgets the copy at once (``forget_steps``).
STEPS_KEPT_FOR = 60.0
_STEPS = "grants.workflow.steps"

Transitions = tuple[tuple[int, str, CaseRole, str], ...]


def _read_transitions() -> Transitions:
    return tuple(
        sorted(
            (route_id, from_state, role, guard_name)
            for route_id, from_state, role, guard_name in db.session.execute(
                select(
                    Transition.route_id, Transition.from_state, Transition.role, Transition.guard
                ).where(Transition.notifies)
            )
        )
    )


def _kept_transitions() -> Transitions:
    import time

    from flask import current_app

    kept = current_app.extensions.get(_STEPS)
    now = time.monotonic()
    if kept is None or now - kept[0] > STEPS_KEPT_FOR:
        kept = (now, _read_transitions())
        current_app.extensions[_STEPS] = kept
    return kept[1]


_ROUTE_STEPS = "grants.workflow.route_steps"


def kept_steps(route_id: int) -> dict[str, list[Step]]:
    """The route's steps by the state they are taken from, in the route's order: every
    route's, read in one statement and kept by the app as the menu's steps are (at most
    ``STEPS_KEPT_FOR`` seconds, forgotten when a route is loaded); a route not among them
    (made since, by another process) has them read again."""
    import time

    from flask import current_app

    kept = current_app.extensions.get(_ROUTE_STEPS)
    now = time.monotonic()
    if kept is None or now - kept[0] > STEPS_KEPT_FOR or route_id not in kept[1]:
        by_route: dict[int, dict[str, list[Step]]] = {}
        for row in db.session.execute(_route_steps_statement()):
            step = Step(*row)
            by_route.setdefault(step.route_id, {}).setdefault(step.from_state, []).append(step)
        kept = (now, by_route)
        current_app.extensions[_ROUTE_STEPS] = kept
    return kept[1].get(route_id, {})


@functools.cache
def _route_steps_statement() -> Select:
    return select(*(getattr(Transition, name) for name in Step._fields)).order_by(
        Transition.route_id, Transition.position, Transition.id
    )


def forget_steps() -> None:
    """The transition table changed (a route was loaded): read it again next time."""
    from flask import current_app, has_app_context

    if has_app_context():
        from flask import g

        current_app.extensions.pop(_STEPS, None)
        current_app.extensions.pop(_ROUTE_STEPS, None)
        current_app.extensions.pop(_NEWEST, None)
        g.pop(_NEWER_ROUTES, None)


# The person's organisations as a subquery (``quick``) rather than as values.
AS_SUBQUERY = None


class Waiting(NamedTuple):
    """What ``waiting_for`` is made of, kept per person (``_WAITING``).

    ``condition``: the cases that wait for a step of the person now (``exact``, and
    ``implied`` besides for the planner). ``exact``: the rule, per role: the person's side
    of the case and the day the case keeps for the role (``waits_for``) come, as a filter of
    the cases other conditions find (``tested_on_each``).
    ``implied``: a wider condition every waiting case meets, which an index serves per role:
    the person's own cases (``own``), the cases naming them as manager in a state where the
    manager has a step, their boards' funds in the board's states, and a caseworker's states
    (their day where a package above makes cases wait for them too, ``waits_for.source``).
    ``own``: the person's own cases and those naming them as manager in the manager's
    states, found from the indexes on the applicant, the organisation and the manager (few).
    ``staff_steps``: the other (state, route) pairs where the person may have a step, each
    with the funds it is limited to (a board member's funds; true for a caseworker's).
    ``branches``: the rule as one condition per role, which together find exactly the
    cases ``exact`` finds (a case may be in more than one), each served by an index of its
    own; a count reads each up to its cap (``counted_ids``)."""

    condition: ColumnElement[bool]
    exact: ColumnElement[bool]
    implied: ColumnElement[bool]
    own: ColumnElement[bool]
    staff_steps: dict[tuple[str, int], ColumnElement[bool]]
    branches: tuple[ColumnElement[bool], ...]


def waiting_for(user: User, quick: bool = False) -> ColumnElement[bool]:
    """A SQL condition on Application: the cases that wait for a step of ``user`` now.

    Only the steps the route expects (``notifies``) count: a grant the caseworker *may*
    cancel waits for the applicant's report, not for the caseworker, and a committee's
    decisions are taken in its meeting. The case page still offers every step allowed.

    Each case keeps from which day it waits for each role's step (``waits_for``: worked
    out from its route, and from what packages above add to it, ``waits_for.source``, in
    the same flush as every change), so the work queue, the menu and the task list read one
    truth whichever process serves them, and only the case's own columns. ``quick``: the condition
    costs no query of its own (the person's organisations as a subquery), for the count in
    the menu of every page."""
    return waiting_parts(user, quick).condition


def counted_waiting(total: int, capped: bool) -> None:
    """A page counted every case waiting for the request's person (``waiting_for``, no
    filter: the task page, the work queue), up to a cap (``capped``: at least ``total``).
    Kept for the request, so the menu does not count the same cases again."""
    from flask import g

    g.waiting_counted = (total, capped)


def waiting_counted() -> tuple[int, bool] | None:
    """The count ``counted_waiting`` kept in this request, as (total, capped), or None."""
    from flask import g

    return g.get("waiting_counted")


def waiting_parts(user: User, quick: bool = False) -> Waiting:
    """``waiting_for``'s condition with its parts (``Waiting``), built once per person."""
    from grants.organisations.models import Membership

    # The cases keep from which day they wait for each role's step (``waits_for``); the
    # transition table, kept by the app (``_kept_transitions``), still gives the states
    # where each role has a step, which the implied condition and the task page's filter
    # choices use so the database can find the cases by the indexes on the state.
    transitions = _kept_transitions()
    # The organisations the person acts for, as values: a condition the planner can use.
    own_organisations: tuple[int, ...] | None = (
        AS_SUBQUERY
        if quick
        else tuple(
            db.session.scalars(
                select(Membership.organisation_id)
                .where(Membership.user_id == user.id)
                .order_by(Membership.organisation_id)
            )
        )
    )
    # The condition is many SQL constructs: built once for the same steps, person and day
    # (the days compare with today), not on every page of the queue.
    key = (
        transitions,
        user.id,
        user.has_role(Role.CASEWORKER),
        own_organisations,
        clock.today(),
        user.has_role(Role.MANAGER),
        acting_cvr_of(user),
    )
    waiting = _WAITING.get(key)
    if waiting is None:
        if len(_WAITING) >= _WAITING_KEPT:
            _WAITING.clear()
        waiting = _WAITING[key] = _waiting_condition(
            user.id, key[2], transitions, own_organisations, manager=key[5], acting_cvr=key[6]
        )
    return waiting


def acting_cvr_of(user: User) -> str | None:
    """The CVR number the request's login acts for (MitID Erhverv), if ``user`` is the
    request's person: they act for that company alone (``organisation.act``)."""
    from flask_login import current_user

    from grants.people.assurance import acting_cvr

    if getattr(current_user, "id", None) != user.id:
        return None
    return acting_cvr()


# The conditions of ``waiting_for`` last built, by what they were built from.
_WAITING: dict[tuple[Any, ...], Waiting] = {}
_WAITING_KEPT = 256


def any_of(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], values: Select[Any]
) -> ColumnElement[bool]:
    """``column IN (values)``, where values is a subquery of one column, in a form an index
    can serve on PostgreSQL: ``column = ANY(ARRAY(values))`` is an InitPlan evaluated once
    and an index condition, where ``IN (subquery)`` is a hashed SubPlan tested on every row
    the other conditions let through. SQLite keeps ``IN``, which its planner serves."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(func.array(values.scalar_subquery()))
    return column.in_(values)


def tested_on_each(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """``condition`` as a filter tested on each case other conditions find, never a way to
    find them: on PostgreSQL ``(condition) IS TRUE``, the same rows in a WHERE (a NULL is not
    true either way). The waiting rule is an OR per role; PostgreSQL tried every index on
    the cases for each of its branches (bitmap OR paths) in every statement that carries
    it (when the rule was an OR per role and route, 2-2.5 ms of planning of the queue's 2.6
    at any size, four statements a page). The implied condition beside it is what the
    indexes serve. SQLite keeps the plain condition."""
    if db.session.get_bind().dialect.name == "postgresql":
        return condition.is_(true())
    return condition


def _waiting_condition(
    user_id: int,
    caseworker: bool,
    transitions: Transitions,
    own_organisations: tuple[int, ...] | None,
    manager: bool = True,
    acting_cvr: str | None = None,
) -> Waiting:
    from grants.cases.models import Application
    from grants.funds.models import Fund, FundBoardMember
    from grants.organisations.models import Membership, Organisation
    from grants.workflow import waits_for

    steps: dict[CaseRole, dict[tuple[int, str], set[str]]] = {}
    for route_id, from_state, role, guard_name in transitions:
        steps.setdefault(CaseRole(role), {}).setdefault((route_id, guard_name), set()).add(
            from_state
        )

    today = clock.today()

    def waits_for_now(role: CaseRole) -> ColumnElement[bool]:
        # The day the case keeps for the role (``grants.workflow.waits_for``) has come.
        return waits_for.column(role) <= today

    def states_of(role: CaseRole) -> list[str]:
        return sorted({state for states in steps.get(role, {}).values() for state in states})

    in_own_organisations = (
        Application.organisation_id.in_(
            select(Membership.organisation_id).where(Membership.user_id == user_id)
        )
        if own_organisations is AS_SUBQUERY
        else one_of(Application.organisation_id, own_organisations or ())
    )
    # IS NOT NULL keeps the negation below true for cases without an organisation.
    applicant_side = (
        or_(
            Application.applicant_id == user_id,
            and_(Application.organisation_id.is_not(None), in_own_organisations),
        )
        if own_organisations is AS_SUBQUERY or own_organisations
        else Application.applicant_id == user_id
    )
    # A login with MitID Erhverv acts for that company alone (``organisation.act``): what
    # waits for the applicant side is the person's own and that company's; every membership
    # still keeps the person from handling a case (``not_a_party`` below).
    acting_side = (
        or_(
            Application.applicant_id == user_id,
            Application.organisation_id.in_(
                select(Membership.organisation_id)
                .join(Organisation, Organisation.id == Membership.organisation_id)
                .where(Membership.user_id == user_id, Organisation.cvr == acting_cvr)
            ),
        )
        if acting_cvr is not None
        else None
    )
    conditions = [
        and_(
            applicant_side if acting_side is None else acting_side,
            waits_for_now(CaseRole.APPLICANT),
        )
    ]
    # The manager's step is the manager's while they hold the role (``is_the_manager_now``).
    manager_named = Application.manager_id == user_id if manager else false()
    others = [and_(manager_named, waits_for_now(CaseRole.MANAGER))]
    if caseworker:
        others.append(waits_for_now(CaseRole.CASEWORKER))
    board_funds = select(FundBoardMember.fund_id).where(FundBoardMember.user_id == user_id)
    others.append(and_(Application.fund_id.in_(board_funds), waits_for_now(CaseRole.BOARD_MEMBER)))
    # Nobody handles a case they have a personal interest in: a party now (the applicant
    # side) or once (applied for the organisation's case and left it: ``interest``), as
    # ``case_roles`` says.
    not_a_party = and_(~applicant_side, ~interest.was_a_party_condition(user_id))
    conditions.append(and_(not_a_party, or_(*others)))
    exact = tested_on_each(or_(*conditions))

    # The same cases, and a condition an index can serve besides, per role the person has:
    # their own side (their applications, their organisations'), the cases naming them as
    # manager in the manager's states, their boards' funds in the board's states, and for a
    # caseworker the caseworker's states. Implied by the rule above, but PostgreSQL reads it
    # from the indexes on the applicant, the organisation, the manager and (fund, state)
    # instead of testing every case in a state where some other role has a step (the menu's
    # count of the demo employee read 35,000 cases for 25 at 100,000 applications).
    own_side = (
        or_(
            Application.applicant_id == user_id,
            any_of(
                Application.organisation_id,
                select(Membership.organisation_id).where(Membership.user_id == user_id),
            ),
        )
        if own_organisations is AS_SUBQUERY
        else or_(
            Application.applicant_id == user_id,
            one_of(Application.organisation_id, own_organisations),
        )
        if own_organisations
        else Application.applicant_id == user_id
    )
    manager_states = states_of(CaseRole.MANAGER) if manager else []
    own = (
        or_(
            own_side,
            and_(Application.manager_id == user_id, one_of(Application.state, manager_states)),
        )
        if manager_states
        else own_side
    )
    board_states = states_of(CaseRole.BOARD_MEMBER)
    caseworker_states = states_of(CaseRole.CASEWORKER) if caseworker else []
    implied = [own]
    if board_states:
        implied.append(
            and_(any_of(Application.fund_id, board_funds), one_of(Application.state, board_states))
        )
    if caseworker and waits_for.has_sources(CaseRole.CASEWORKER):
        # A package above makes cases wait for the caseworkers outside their states too (an
        # unread reply, ``waits_for.source``): the caseworker's day, by its index, finds
        # both. Not besides the states: a bitmap of each, and PostgreSQL's CPU time of the
        # filtered work queue was 10-11 ms a request with both, 5.5 with the day alone.
        implied.append(waits_for_now(CaseRole.CASEWORKER))
    elif caseworker_states:
        implied.append(one_of(Application.state, caseworker_states))
    # The other (state, route) pairs where the person may have a step: a caseworker's on
    # every fund, the board's on the person's boards' funds.
    on_boards = any_of(Fund.id, board_funds)
    staff_steps: dict[tuple[str, int], ColumnElement[bool]] = {}
    for role, on_fund in ((CaseRole.BOARD_MEMBER, on_boards), (CaseRole.CASEWORKER, true())):
        if role is CaseRole.CASEWORKER and not caseworker:
            continue
        for (route_id, _guard), states in steps.get(role, {}).items():
            staff_steps.update(dict.fromkeys(((state, route_id) for state in states), on_fund))
    # The rule per role, for counting: the person's own side by the indexes on the applicant
    # and the organisation; the others' cases by the indexes on the manager and on each
    # role's day (a caseworker's thousands read only up to the count's cap, where a bitmap
    # of every case in a caseworker's state was made to count the first hundred).
    not_own = not_a_party
    own_acting = own_side if acting_side is None else and_(own_side, acting_side)
    branches = [
        and_(own_acting, waits_for_now(CaseRole.APPLICANT)),
        and_(manager_named, waits_for_now(CaseRole.MANAGER), not_own),
        and_(
            any_of(Application.fund_id, board_funds),
            waits_for_now(CaseRole.BOARD_MEMBER),
            not_own,
        ),
    ]
    if caseworker:
        branches.append(and_(waits_for_now(CaseRole.CASEWORKER), not_own))
    implied_condition = or_(*implied)
    return Waiting(
        condition=and_(implied_condition, exact),
        exact=exact,
        implied=implied_condition,
        own=own,
        staff_steps=dict(sorted(staff_steps.items())),
        branches=tuple(branches),
    )


def counted_ids(ids: Select, waiting: Waiting, limit: Any) -> CompoundSelect:
    """The ids ``ids`` selects (``Application.id`` with a list's own conditions) that wait
    for the person, for a count up to ``limit`` (a number or a bound parameter): the
    union of each of the rule's branches (``Waiting.branches``) read up to ``limit``. Every
    branch complete, the union is the whole; one cut short, it holds at least ``limit``."""
    parts = [ids.where(branch).limit(limit).subquery() for branch in waiting.branches]
    return union(*(select(part.c[0]) for part in parts))
