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
  used in one go);
- a row of a model a package above registered (``source``) added, changed or removed: its
  case.

Packages above the workflow make a case wait for a role beside its route's steps
(``source``: grants.messages, an open request for information waits for the applicant side,
an unread message of theirs for the caseworkers). Each gives a day per case in SQL, or NULL;
the role's day is the earliest of the route's and theirs. A case noted for a source's row
alone (and only a row that ``matters``: a message that asks or answers) is written only
where its days move: a message that changes nobody's turn writes nothing of the case. The
pages read only the columns: a subquery of its own in the waiting rule doubled PostgreSQL's
time of the work queue.

``refresh()`` works them out again for every case (``flask workflow refresh-waiting``; the
bench's data set, loaded by COPY). The dates are compared with today when read, so time
passing needs no pass at night.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Table,
    Update,
    and_,
    case,
    event,
    func,
    inspect,
    literal_column,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, attributes
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.functions import FunctionElement

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
_CASE_IDS = "grants.workflow.waits_for.case_ids"
_SOURCE_CASES = "grants.workflow.waits_for.source_cases"


@dataclass(frozen=True)
class Source:
    """What makes a case wait for ``role`` beside its route's steps, from a package above
    the workflow. ``day``: () -> the case's first day of it in SQL, correlated with
    Application (NULL: it does not wait for this); ``models``: whose rows, added, changed
    or removed, change that day for their case (``application_id``); ``matters``: which of
    those rows can change it (None: every one), so that a row that cannot (a message that
    asks nothing and answers nothing) costs no statement on the case."""

    role: CaseRole
    day: Callable[[], ColumnElement[dt.date | None]]
    models: tuple[type, ...]
    matters: Callable[[Any], bool] | None = None


# The sources registered (``source``), by the packages above when the app is built.
SOURCES: list[Source] = []


def source(
    role: CaseRole, *models: type, matters: Callable[[Any], bool] | None = None
) -> Callable[
    [Callable[[], ColumnElement[dt.date | None]]], Callable[[], ColumnElement[dt.date | None]]
]:
    """Register the decorated function as a day from which a case waits for ``role``
    (``Source``), worked out again for a case when a row of ``models`` of it changes (one
    that ``matters``, if given). A change made without the session's events (a bulk or
    Core statement) calls ``recompute`` for its cases itself."""

    def register(
        day: Callable[[], ColumnElement[dt.date | None]],
    ) -> Callable[[], ColumnElement[dt.date | None]]:
        if not any(known.day is day for known in SOURCES):
            SOURCES.append(Source(role, day, models, matters))
            _update_days.cache_clear()
            _moved.cache_clear()
        return day

    return register


def has_sources(role: CaseRole) -> bool:
    """Whether a package above makes cases wait for ``role`` (``source``): then the role's
    day may be set in states where the route has no step of it."""
    return any(known.role is role for known in SOURCES)


def _source_models() -> tuple[type, ...]:
    return tuple({model for known in SOURCES for model in known.models})


def _matters(row: object) -> bool:
    """Whether a source's row added, changed or removed can move its case's days."""
    return any(
        isinstance(row, known.models) and (known.matters is None or known.matters(row))
        for known in SOURCES
    )


class earliest(FunctionElement[dt.date]):  # noqa: N801 - an SQL function's name
    """The earliest of the days that are not NULL; NULL if all are. PostgreSQL's LEAST
    ignores NULLs; SQLite's min(a, b) is NULL if any is, so there the NULLs stand in as the
    last day a date keeps and the result's last day is NULL again."""

    type = Date()
    name = "earliest"
    inherit_cache = True


@compiles(earliest)
def _earliest(element: earliest, compiler: Any, **kw: Any) -> str:
    """SQLite's form (its dates are ISO texts, which sort as the days do)."""
    days = list(element.clauses)
    if len(days) == 1:
        return compiler.process(days[0], **kw)
    last: ColumnElement[Any] = literal_column("'9999-12-31'")
    return compiler.process(
        func.nullif(func.min(*(func.coalesce(day, last) for day in days)), last), **kw
    )


@compiles(earliest, "postgresql")
def _earliest_postgresql(element: earliest, compiler: Any, **kw: Any) -> str:
    days = list(element.clauses)
    if len(days) == 1:
        return compiler.process(days[0], **kw)
    return compiler.process(func.least(*days), **kw)


def column(role: CaseRole) -> Any:
    """The case's column of ``role``'s day (``Application.waits_for_caseworker`` ...)."""
    return getattr(Application, COLUMNS[role])


def since(role: CaseRole) -> ColumnElement[Any]:
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


def day(role: CaseRole) -> ColumnElement[Any]:
    """The case's day for ``role`` in SQL: the earliest of its route's (``since``) and of
    the sources' registered for the role (``source``)."""
    days = [known.day() for known in SOURCES if known.role is role]
    return earliest(since(role), *days) if days else since(role)


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
            {table.c[name]: day(role) for role, name in COLUMNS.items()}
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


@functools.cache
def _moved() -> ColumnElement[bool]:
    """The case's days are not those worked out now (built once, as ``_update_days``)."""
    table = _table()
    return or_(*(table.c[name].is_distinct_from(day(role)) for role, name in COLUMNS.items()))


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
    models = _source_models()
    if models:
        # Kept apart from the cases changed themselves: a case noted only for a source's
        # row is written only where its days move (a message that changes nobody's turn
        # writes, and on PostgreSQL row-locks, nothing of the case).
        by_source = session.info.setdefault(_SOURCE_CASES, set())
        ids = session.info.setdefault(_CASE_IDS, set())
        for row in session.new:
            if isinstance(row, models) and _matters(row):
                _note_case_of(row, by_source, ids)
        for row in session.dirty:
            if isinstance(row, models) and session.is_modified(row) and _matters(row):
                _note_case_of(row, by_source, ids)
        for row in session.deleted:
            if isinstance(row, models) and _matters(row):
                _note_case_of(row, by_source, ids)


def _note_case_of(row: Any, cases: set[Any], ids: set[int]) -> None:
    """A source's row changed: its case (made in this flush too), and the one it belonged
    to before, if moved."""
    state = inspect(row)
    application = state.dict.get("application")  # set or loaded: never a query here
    if isinstance(application, Application):
        cases.add(application)
    ids.update(
        case_id
        for case_id in (row.application_id, *state.attrs.application_id.history.deleted)
        if case_id is not None
    )


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
    by_source = session.info.pop(_SOURCE_CASES, set())
    case_ids = session.info.pop(_CASE_IDS, set())
    table = _table()
    conditions: list[ColumnElement[bool]] = []
    gone = {row.id for row in session.deleted if isinstance(row, Application)}
    own = {row.id for row in cases if row.id is not None} - gone
    if own:
        conditions.append(table.c.id.in_(sorted(own)))
    # A source's row alone: the case written only where its days move.
    sourced = ({row.id for row in by_source if row.id is not None} | case_ids) - own - gone
    if sourced:
        conditions.append(and_(table.c.id.in_(sorted(sourced)), _moved()))
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
    _written(session, or_(*conditions), {row.id: row for row in cases | by_source})


def _written(session: Session, which: ColumnElement[bool], noted: dict[Any, Any]) -> None:
    """Work out the days of the cases ``which`` selects; the cases this session holds
    learn them, as if loaded (the ones just made, ``noted``, join the identity map only
    after the flush)."""
    for row_id, *days in _refreshed(session.connection(), which):
        held = noted.get(row_id) or session.identity_map.get(identity_key(Application, row_id))
        if held is not None:
            for name, value in zip(COLUMNS.values(), days, strict=True):
                attributes.set_committed_value(held, name, value)


def recompute(session: Session, case_ids: Iterable[int]) -> None:
    """Work the days of these cases out again now: after a change of a source's rows that
    the session's events do not see (a Core or bulk statement)."""
    ids = sorted(set(case_ids))
    if ids:
        _written(session, _table().c.id.in_(ids), {})


def _forget(session: Session, _previous_transaction: object) -> None:
    for key in (_CASES, _FUNDS, _ROUTES, _ROUTES_LEFT, _CASE_IDS, _SOURCE_CASES):
        session.info.pop(key, None)


def keep_waits_for() -> None:
    """Keep the days with every flush of every session (called once, by grants.models)."""
    if not event.contains(Session, "before_flush", _note):
        event.listen(Session, "before_flush", _note)
        event.listen(Session, "after_flush", _keep)
        event.listen(Session, "after_soft_rollback", _forget)
