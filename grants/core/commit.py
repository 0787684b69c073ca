"""The commit protocol's one word for a GET that writes (``grants.commit_once``).

A request commits once, after its view: a POST that ends well commits, anything else rolls
back. A GET that writes on purpose (an export recorded in the journal, a budget year opened on
first use, an audited refusal at an identity provider) says so with ``keep_writes()``, in its
view or in the operation that writes. A GET that
writes without saying so is rolled back: a link can never change anything by accident.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import g, has_request_context


def keep_writes() -> None:
    """This request's writes are meant: commit them, also on a GET. Outside a request (a
    command, a job), nothing: those commit themselves."""
    if has_request_context():
        g.writes = True


def writes_kept() -> bool:
    return bool(g.get("writes"))


def keep_even_if_refused(row: object) -> None:
    """A row that must be kept though the request ends refused and its writes are rolled back:
    the audit of a refused use (an API token's attempt to write). Added and committed after
    the rollback, alone. Outside a request, nothing."""
    if has_request_context():
        g.setdefault("kept_if_refused", []).append(row)


def rows_kept_if_refused() -> list[object]:
    return list(g.get("kept_if_refused", ()))


def redo_even_if_refused(write: Callable[[], object]) -> None:
    """A write to make again after the rollback of a request that ends refused, and commit
    alone: what a refused form held, kept as the person's draft. Outside a request, nothing.
    (A request that ends well commits its own writes, and these are not run again.)"""
    if has_request_context():
        g.setdefault("redo_if_refused", []).append(write)


def writes_redone_if_refused() -> list[Callable[[], object]]:
    """The writes to make again, taken: never run for a later request that shares the
    application context (the test client's)."""
    return list(g.pop("redo_if_refused", ()))
