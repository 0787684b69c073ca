"""Watching the fund's lock and the letters' rendering from the outside, for the tests that
hold "the letter is made before the lock is taken" (the decision, the settlement)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

import grants.letters.operations as letters


def watch_pdfs(monkeypatch) -> dict:
    """Every letter WeasyPrint renders from now on, counted (``count``), with a hook run
    just before each (``before``): the real renderer, only watched."""
    made = {"count": 0, "before": None}
    render = letters.create_pdf

    def watched(html, *args, **kwargs):
        made["count"] += 1
        if made["before"] is not None:
            made["before"]()
        return render(html, *args, **kwargs)

    monkeypatch.setattr(letters, "create_pdf", watched)
    return made


def lockable_from_elsewhere(database_url: str, fund_id: int) -> bool:
    """Whether another server process could take the fund's lock at this moment, without
    waiting: a row lock on PostgreSQL, the write lock on SQLite."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        other = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()
    engine = create_engine(database_url)
    try:
        with engine.begin() as other:
            other.execute(
                # The lock lock_fund's UPDATE takes (it changes no key): rows that merely
                # refer to the fund (KEY SHARE) do not stand in its way.
                text("SELECT id FROM fund WHERE id = :id FOR NO KEY UPDATE NOWAIT"),
                {"id": fund_id},
            )
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def someone_waits_for_a_lock(owner_url: str, seconds: float = 10) -> bool:
    """Whether, within ``seconds``, a session of the test database waits for a lock another
    holds (seen from the owner's connection, which may read every session's wait)."""
    engine = create_engine(owner_url)
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with engine.connect() as watcher:
                waiting = watcher.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                )
            if waiting:
                return True
            time.sleep(0.05)
        return False
    finally:
        engine.dispose()


@contextmanager
def row_held(owner_url: str, table: str, row_id: int, seconds: float = 6.0) -> Iterator[None]:
    """Another server process holding a row's lock (``SELECT ... FOR UPDATE``, PostgreSQL) on
    its own connection, in a transaction that does not end until the block does or
    ``seconds`` have passed: a stuck request, as seen by the requests behind it."""
    taken, done = threading.Event(), threading.Event()

    def hold() -> None:
        engine = create_engine(owner_url)
        try:
            with engine.connect() as other:
                other.execute(
                    text(f"SELECT id FROM {table} WHERE id = :id FOR UPDATE"),  # noqa: S608 - a test's table name
                    {"id": row_id},
                )
                taken.set()
                done.wait(seconds)
                other.rollback()
        finally:
            taken.set()
            engine.dispose()

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(10)
    try:
        yield
    finally:
        done.set()
        thread.join(30)
