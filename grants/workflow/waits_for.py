"""From which day a case waits for a step of each role: the case's columns ``waits_for_*``.

A case waits for a role's step when its route has a transition from the case's state that
the role takes and that notifies (the steps the route expects, ``Transition.notifies``), from
the first day the transition's guard holds (``Guard.since``: at once, from the return date,
or not as the case stands). The work queue, the menu's count and the task list find what
waits for a person by these columns and today's date (``engine.waiting_for``), where they
tested the whole transition table, route by route, on every case.

Derived, never the truth. Kept in the same flush as every change of what they come from,
by one UPDATE of the changed cases that works them out from the transition table in SQL:

- a case made, or its route, state, fund, amount applied or return date changed;
- a fund's delegated limit, or whether its reports may come before the return, changed:
  every case of the fund, written where its days move;
- a route's transitions added, changed or removed: every case on the route, written where
  its days move (routes are versioned and loaded whole, so this is for a route made and
  used in one go).

``refresh()`` works them out again for every case (``flask workflow refresh-waiting``; the
bench's data set, loaded by COPY). The dates are compared with today when read, so time
passing needs no pass at night.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    ScalarSelect,
    Table,
    Update,
    and_,
    case,
    event,
    func,
    inspect,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, attributes
from sqlalchemy.orm.util import identity_key

from grants.cases.models import Application
from grants.funds.models import Fund
from grants.workflow.guards import GUARDS
from grants.workflow.models import CaseRole, Transition

# The column that keeps each role's day. A committee's decisions are taken in its meeting:
# no transition of the committee notifies, so nothing waits for it.
COLUMNS: dict[CaseRole, str] = {
    CaseRole.APPLICANT: "waits_for_applicant",
    CaseRole.MANAGER: "waits_for_manager",
    CaseRole.CASEWORKER: "waits_for_caseworker",
    CaseRole.BOARD_MEMBER: "waits_for_board",
}

# What the days come from: the case's own (column and relationship both: setting
# ``application.route`` changes ``route_id`` only when flushed) and its fund's.
CASE_FIELDS = ("route_id", "route", "state", "fund_id", "fund", "amount_applied", "return_date")
FUND_FIELDS = ("delegated_limit", "report_before_return")

_CASES = "grants.workflow.waits_for.cases"
_FUNDS = "grants.workflow.waits_for.funds"
_ROUTES = "grants.workflow.waits_for.routes"
_ROUTES_LEFT = "grants.workflow.waits_for.routes_left"


def column(role: CaseRole) -> Any:
    """The case's column of ``role``'s day (``Application.waits_for_caseworker`` ...)."""
    return getattr(Application, COLUMNS[role])


def since(role: CaseRole) -> ScalarSelect[Any]:
    """The case's day for ``role``, worked out in SQL from its route's transitions: the
    earliest day any of the role's notifying steps from the case's state has its guard
    holding; NULL when none does, or the role has none."""
    first_day = case(
        *(
            (Transition.guard == name, named.since(Application, Fund))
            for name, named in sorted(GUARDS.items())
        ),
        else_=null(),
    )
    return (
        select(func.min(first_day))
        .select_from(Transition)
        .join(Fund, Fund.id == Application.fund_id)
        .where(
            Transition.route_id == Application.route_id,
            Transition.from_state == Application.state,
            Transition.role == role,
            Transition.notifies,
        )
        .correlate(Application)
        .scalar_subquery()
    )


def _table() -> Table:
    return cast(Table, Application.__table__)


@functools.cache
def _update_days() -> Update:
    """The UPDATE of the days, without its WHERE: built once (its four subqueries of a
    CASE per guard were most of the time a flush spent on the days)."""
    table = _table()
    return (
        update(table)
        .values(
            {table.c[name]: since(role) for role, name in COLUMNS.items()}
            | {table.c.updated_at: table.c.updated_at}
        )
        .returning(table.c.id, *(table.c[name] for name in COLUMNS.values()))
    )


def _refreshed(connection: Connection, which: ColumnElement[bool]) -> list[Any]:
    """Work the days out again for the cases ``which`` selects: one UPDATE, the new values
    returned. ``updated_at`` is kept as it is (its ``onupdate`` would stamp every case
    worked out again): derived days are no edit of the case. A fund's new limit, or a
    refresh of every case, must not move its cases up "Mine ansøgninger" (ordered by it)
    nor date anew a case the privacy purge dates by it; a case that changed itself was
    stamped by its own UPDATE, and keeps that moment."""
    return list(connection.execute(_update_days().where(which)))


def _moved() -> ColumnElement[bool]:
    """The case's days are not those worked out now."""
    table = _table()
    return or_(*(table.c[name].is_distinct_from(since(role)) for role, name in COLUMNS.items()))


def refresh(connection: Connection, which: ColumnElement[bool] | None = None) -> int:
    """Every case's days again (or those ``which`` selects); how many cases."""
    return len(_refreshed(connection, which if which is not None else _table().c.id.is_not(None)))


def _changed(row: object, fields: Iterable[str]) -> bool:
    state = inspect(row)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _note(session: Session, _context: object, _instances: object) -> None:
    """Before the flush: which cases, funds and routes changed what the days come from."""
    cases = session.info.setdefault(_CASES, set())
    funds = session.info.setdefault(_FUNDS, set())
    routes = session.info.setdefault(_ROUTES, set())
    left = session.info.setdefault(_ROUTES_LEFT, set())
    for row in session.new:
        if isinstance(row, Application):
            cases.add(row)
        elif isinstance(row, Transition):
            routes.add(row)
    for row in session.dirty:
        if isinstance(row, Application) and _changed(row, CASE_FIELDS):
            cases.add(row)
        elif isinstance(row, Fund) and _changed(row, FUND_FIELDS):
            funds.add(row)
        elif isinstance(row, Transition) and session.is_modified(row):
            routes.add(row)
            left.update(_routes_left(row))
    for row in session.deleted:
        if isinstance(row, Transition):
            routes.add(row)


def _routes_left(transition: Transition) -> set[int]:
    """The route a changed transition belonged to before this flush (given to another
    route, it changes the cases of both): its route_id as loaded, before the flush sets it
    from a new ``route``, and the old value of either."""
    state = inspect(transition)
    left = {transition.route_id, *state.attrs.route_id.history.deleted}
    left.update(route.id for route in state.attrs.route.history.deleted if route is not None)
    return {route_id for route_id in left if route_id is not None}


def _keep(session: Session, _context: object) -> None:
    """After the flush's own statements: the noted cases' days, in the same transaction."""
    cases = session.info.pop(_CASES, set())
    funds = session.info.pop(_FUNDS, set())
    routes = session.info.pop(_ROUTES, set())
    left = session.info.pop(_ROUTES_LEFT, set())
    table = _table()
    conditions: list[ColumnElement[bool]] = []
    ids = sorted(row.id for row in cases if row.id is not None and row not in session.deleted)
    if ids:
        conditions.append(table.c.id.in_(ids))
    # A fund's or a route's change: every case of it worked out again, but only those whose
    # days it moves written (and so row-locked on PostgreSQL): a fund's cases of all years
    # are thousands, most of them closed, and a step under way on any of them would keep
    # the save waiting. A fund's change has written the fund's row before this UPDATE, so it
    # holds the fund's lock first and the cases' after: the lock order every movement of
    # money keeps (budgets.lock.lock_fund before the case's step, giving up a grant and a
    # settlement too). One that held the case and then waited for the fund would wait for
    # this flush while this UPDATE waited for it: a deadlock, one of the two failed.
    others: list[ColumnElement[bool]] = []
    if funds:
        others.append(table.c.fund_id.in_(sorted(fund.id for fund in funds)))
    route_ids = sorted({row.route_id for row in routes if row.route_id is not None} | left)
    if route_ids:
        others.append(table.c.route_id.in_(route_ids))
    if others:
        conditions.append(and_(or_(*others), _moved()))
    if not conditions:
        return
    # The cases this session holds learn their new days, as if loaded (the ones just made
    # join the identity map only after this).
    noted = {row.id: row for row in cases}
    for row_id, *days in _refreshed(session.connection(), or_(*conditions)):
        held = noted.get(row_id) or session.identity_map.get(identity_key(Application, row_id))
        if held is not None:
            for name, day in zip(COLUMNS.values(), days, strict=True):
                attributes.set_committed_value(held, name, day)


def _forget(session: Session, _previous_transaction: object) -> None:
    for key in (_CASES, _FUNDS, _ROUTES, _ROUTES_LEFT):
        session.info.pop(key, None)


def keep_waits_for() -> None:
    """Keep the days with every flush of every session (called once, by grants.models)."""
    if not event.contains(Session, "before_flush", _note):
        event.listen(Session, "before_flush", _note)
        event.listen(Session, "after_flush", _keep)
        event.listen(Session, "after_soft_rollback", _forget)
