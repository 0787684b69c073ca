"""The database as a shared fixture (``routes``, ``world``, the committees' ``cw``, the
youth funds' ``youth``) left it, kept the first time the fixture is built and put back in a
few statements for every later test that asks for it (``snapshot`` in tests/conftest.py).

Building the study-trip world made its seven people, a fund with two budget years and the
four standard routes with their transitions one ORM object and round trip at a time: about
0.05 s a test on SQLite and 0.2 s on PostgreSQL, for some 1,000 tests. Put back from the rows
kept, it is one insert per table that has rows.

A test gets exactly what building would have given it, or building itself:

- a snapshot is kept per fixture, per the state the database was in before the fixture (empty,
  or another snapshot: ``world`` is built on ``routes``) and per what building reads besides
  the database (the clock's day, or the moment of a clock a test fixed; the app's plain config
  values; the route files). Another state or key builds and keeps anew. A test with the real
  password hashing builds. A fixture kept commits what it makes.
- the state before the fixture is known only when nothing else wrote since the tables were
  emptied or a snapshot put back: every statement that is not a read (on any engine) makes it
  unknown, and then the fixture is built as before. So is an unflushed object in the session.
- the rows go back as they were kept, with every sequence where building left it, so the ids
  are the same; on PostgreSQL as the tables' owner with triggers off (the audit trail's
  append-only guard, and any trigger's writes are among the rows kept).

What differs from building: the rows' timestamps are those of the first build in the run, as
if the fixture had been built a little earlier (a test never relied on when, since tests run
in any order), and ``tests.factories``' running numbers do not advance."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import Engine, event, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm.state import InstanceState
from werkzeug.security import generate_password_hash

from grants.extensions import db

# What the database holds now, when known: EMPTY after the reset, or the snapshot put back.
EMPTY = ("empty",)
_state: list[Any] = [None]
_READS = ("SELECT", "PRAGMA", "SHOW", "SAVEPOINT", "RELEASE", "BEGIN", "ROLLBACK", "COMMIT")


@event.listens_for(Engine, "before_cursor_execute")
def _forget_state_on_writes(_conn, _cursor, statement, _params, _context, _many) -> None:
    if _state[0] is None:
        return
    head = statement.lstrip()[:9].upper()
    if not head.startswith(_READS) or "nextval(" in statement or "setval(" in statement:
        _state[0] = None


def known(state) -> None:
    """Say what the database holds now (after the statements that made it so)."""
    _state[0] = state


@dataclass
class _Kept:
    rows: dict[str, list[dict]]  # table -> rows, for the tables that have any
    sequences: dict[str, int] = field(default_factory=dict)  # PostgreSQL: last values
    result: Any = None  # how to make the fixture's value again from the database


_snapshots: dict[tuple, _Kept] = {}
# How often a fixture was built (and why) or put back, for a look at how well this works.
counts: dict[str, int] = {}


def _count(what: str) -> None:
    counts[what] = counts.get(what, 0) + 1


def config_key(app) -> str:
    """The app's plain config values (what building might read), the test's own folders
    aside."""
    plain = (str, int, float, bool, type(None), tuple, list, frozenset)
    values = sorted(
        (name, repr(value))
        for name, value in app.config.items()
        if name != "MAIL_FOLDER" and isinstance(value, plain)
    )
    return hashlib.sha256(repr(values).encode()).hexdigest()


def clock_key():
    """The day, or where a test fixed the clock (a fixed clock's moment is in the rows)."""
    from grants.core import clock

    if clock.now is _real_now:
        return ("day", clock.today())
    return ("fixed", clock.now())


def _quick_hashing() -> bool:
    from grants.people import models

    hashing = models.generate_password_hash
    return (
        isinstance(hashing, partial)
        and hashing.func is generate_password_hash
        and hashing.keywords == {"method": "pbkdf2:sha256:1"}
    )


def _real_now_of_module():
    from grants.core import clock

    return clock.now


_real_now = _real_now_of_module()


def built_or_restored(
    name: str,
    key: tuple,
    build: Callable[[], Any],
    result_of: Callable[[Any], Any],
    result_from: Callable[[Any], Any],
    owner_engine: Engine | None,
):
    """The fixture's value: ``build()`` the first time for this state and key (and keep the
    rows and ``result_of(value)``), else the kept rows put back and ``result_from(kept)``."""
    before = _state[0]
    session = db.session
    if before is None or session.new or session.dirty or session.deleted or not _quick_hashing():
        _count(f"{name} built, state unknown" if before is None else f"{name} built, other")
        return build()
    full_key = (name, before, key, clock_key())
    kept = _snapshots.get(full_key)
    if kept is None:
        _count(f"{name} built and kept")
        value = build()
        if _state[0] is not None:
            return value  # (cannot happen: building writes)
        session.commit()
        result = result_of(value)
        if result is None:
            _count(f"{name} not kept: its value is not in the database")
            return value
        _snapshots[full_key] = _keep(owner_engine, result)
        known(full_key)
        return value
    _count(f"{name} put back")
    _put_back(kept, _snapshots.get(before), owner_engine)
    known(full_key)
    return result_from(kept.result)


def _engine(owner_engine: Engine | None) -> Engine:
    return owner_engine if owner_engine is not None else db.engine


def _keep(owner_engine: Engine | None, result) -> _Kept:
    rows: dict[str, list[dict]] = {}
    sequences: dict[str, int] = {}
    state = _state[0]
    with _engine(owner_engine).connect() as conn:
        for table in db.metadata.sorted_tables:
            found = [dict(row) for row in conn.execute(select(table)).mappings()]
            if found:
                rows[table.name] = found
        if conn.dialect.name == "postgresql":
            sequences = dict(
                conn.execute(
                    text(
                        "SELECT sequencename, last_value FROM pg_sequences"
                        " WHERE schemaname = 'public' AND last_value IS NOT NULL"
                    )
                ).all()
            )
        conn.rollback()
    known(state)  # (reading changed nothing)
    return _Kept(rows, sequences, result)


def _put_back(kept: _Kept, before: _Kept | None, owner_engine: Engine | None) -> None:
    """From the state ``before`` (None: empty tables) to ``kept``: the tables whose rows
    differ emptied and filled, the others left."""
    had = before.rows if before is not None else {}
    tables = db.metadata.tables
    changed = [
        table
        for table in db.metadata.sorted_tables
        if kept.rows.get(table.name, []) != had.get(table.name, [])
    ]
    with _engine(owner_engine).begin() as conn:
        postgresql = conn.dialect.name == "postgresql"
        if postgresql:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(changed):
            if table.name in had:
                conn.execute(table.delete())
        for table in changed:
            if table.name in kept.rows:
                conn.execute(tables[table.name].insert(), kept.rows[table.name])
        if postgresql and kept.sequences:
            values = ", ".join(
                f"setval('public.\"{name}\"', {int(value)}, true)"
                for name, value in kept.sequences.items()
            )
            conn.execute(text(f"SELECT {values}"))


class Unkept(Exception):
    """A fixture's value holds something that cannot be found again in the database."""


_PLAIN = (str, int, float, bool, type(None), Decimal, dt.date, dt.datetime, dt.time, enum.Enum)


def describe(value) -> tuple:
    """How to find the fixture's value again after its rows are put back: its database
    objects by class and primary key, dicts, lists and dataclasses of them, plain values."""
    if isinstance(value, _PLAIN):
        return ("value", value)
    state = sa_inspect(value, raiseerr=False)
    if isinstance(state, InstanceState):
        if state.identity is None:
            raise Unkept(value)
        return ("object", type(value), state.identity)
    if isinstance(value, dict):
        return ("dict", {key: describe(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return ("list", type(value), [describe(item) for item in value])
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # (vars: a fixture may have added attributes to a dataclass it was given)
        return ("dataclass", type(value), {k: describe(v) for k, v in vars(value).items()})
    raise Unkept(value)


def found(description: tuple):
    what = description[0]
    if what == "value":
        return description[1]
    if what == "object":
        return db.session.get(description[1], description[2])
    if what == "dict":
        return {key: found(item) for key, item in description[1].items()}
    if what == "list":
        return description[1](found(item) for item in description[2])
    made = object.__new__(description[1])
    made.__dict__.update({key: found(item) for key, item in description[2].items()})
    return made


def fixture(name: str, build: Callable[[], Any], owner_engine: Engine | None, key: tuple):
    """``build()``'s value, built once for this state and key and then put back."""

    def put_back(description):
        db.session.expire_all()
        return found(description)

    def result_of(value):
        try:
            return describe(value)
        except Unkept:
            return None

    return built_or_restored(name, key, build, result_of, put_back, owner_engine)
