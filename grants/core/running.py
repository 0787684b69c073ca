"""Running figures: counts and sums kept with every change of the rows they are figures of,
in the same flush, so a rolled-back step rolls its change back too.

``follow(model, fields, keep, name)`` calls ``keep(connection, before, after)`` after each row
of ``model`` is written: ``before`` the row's ``fields`` as the database had them (None for an
insert), ``after`` as written (None for a delete), on the flush's own connection. ``keep``
works out what moves and moves it with ``add_to``. The values before the flush are read in
``before_flush``, where loading an expired attribute is allowed; the columns of ``fields``
are declared with ``active_history=True``, so a changed value always has its old one.

A running figure is derived, never the truth: each has a rebuild from its rows, and a
property test that the kept figures equal the rebuilt ones after any sequence of changes
(grants.budgets.models.BudgetWaiting, grants.reports.models.ProcessingDays).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, Session, object_session
from sqlalchemy.orm.attributes import get_history

from grants.core.models import dialect_insert

Values = tuple[Any, ...]
Keep = Callable[[Connection, Values | None, Values | None], None]


def current(row: object, fields: Sequence[str]) -> Values:
    return tuple(getattr(row, name) for name in fields)


def before(row: object, fields: Sequence[str]) -> Values:
    """The values as the database has them, before this flush writes the changes."""
    values = []
    for name in fields:
        # With active_history a changed value always has its old one here, except None,
        # which SQLAlchemy does not list; an unloaded value is unchanged and is loaded now.
        history = get_history(row, name)
        if history.deleted:
            values.append(history.deleted[0])
        elif history.unchanged:
            values.append(history.unchanged[0])
        elif history.added:
            values.append(None)
        else:
            values.append(getattr(row, name))
    return tuple(values)


def add_to(
    connection: Connection, model: type, key: Mapping[str, Any], amounts: Mapping[str, Any]
) -> None:
    """Add ``amounts`` to the row of ``model`` with ``key`` (its unique columns), made if
    there is none: one INSERT ... ON CONFLICT DO UPDATE."""
    statement = dialect_insert(connection, model).values(**key, **amounts)
    table = model.__table__  # type: ignore[attr-defined]
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=list(key),
            set_={name: table.c[name] + statement.excluded[name] for name in amounts},
        )
    )


def follow(model: type, fields: Sequence[str], keep: Keep, name: str) -> None:
    """Call ``keep`` with every insert, change and delete of a row of ``model`` (see the
    module). ``name`` keeps this follower's values apart in the session's ``info``."""
    remembered = f"running.{name}"

    @event.listens_for(Session, "before_flush")
    def remember(session: Session, _context: object, _instances: object) -> None:
        kept = session.info.setdefault(remembered, {})
        for row in list(session.dirty) + list(session.deleted):
            if isinstance(row, model) and row not in session.new:
                kept.setdefault(id(row), before(row, fields))

    def _remembered(row: object) -> Values | None:
        session = object_session(row)
        kept = session.info.get(remembered, {}) if session is not None else {}
        return kept.pop(id(row), None)

    @event.listens_for(model, "after_insert")
    def inserted(_mapper: Mapper[Any], connection: Connection, row: object) -> None:
        keep(connection, None, current(row, fields))

    @event.listens_for(model, "after_update")
    def updated(_mapper: Mapper[Any], connection: Connection, row: object) -> None:
        old = _remembered(row)
        if old is None:  # nothing loaded changed: the values are the database's
            return
        keep(connection, old, current(row, fields))

    @event.listens_for(model, "after_delete")
    def deleted(_mapper: Mapper[Any], connection: Connection, row: object) -> None:
        keep(connection, _remembered(row) or current(row, fields), None)

    @event.listens_for(Session, "after_flush_postexec")
    def forget(session: Session, _context: object) -> None:
        session.info.pop(remembered, None)
