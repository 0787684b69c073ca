"""A PostgreSQL database of a test's own, for the tests that must start from an empty one
(a migration's way up from below head)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import create_engine, make_url, text


def on_a_new_postgresql_database(
    owner_database_url: str,
    suffix: str,
    check: Callable[[str], None],
    skip_reason: str = "PostgreSQL only; SQLite in the test above",
) -> None:
    """Run ``check(url)`` on a database made empty for it and dropped after; skipped on
    SQLite (its twin runs there)."""
    if make_url(owner_database_url).get_backend_name() != "postgresql":
        pytest.skip(skip_reason)
    url = make_url(owner_database_url)
    name = f"{url.database}_{suffix}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        check(url.set(database=name).render_as_string(hide_password=False))
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        server.dispose()
