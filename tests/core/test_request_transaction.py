"""How a request's transaction ends (grants.__init__.commit_once): a write is committed once,
a request that wrote nothing ends with COMMIT (so that PostgreSQL keeps the prepared
statements; psycopg forgets them on ROLLBACK), and a read that wrote without saying so is
rolled back."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from grants.extensions import db
from grants.partners.models import PartnerCity, Relation


def in_own_context(app, path: str):
    """A request in a thread of its own, so that it has its own application context and
    database session, as in production (the tests' client otherwise shares the test's)."""
    outcome = []

    def request():
        try:
            outcome.append(FlaskClient(app).get(path))
        except Exception as error:  # noqa: BLE001 - shown by the assertion below
            outcome.append(error)

    thread = threading.Thread(target=request)
    thread.start()
    thread.join()
    assert not isinstance(outcome[0], Exception), outcome[0]
    return outcome[0]


def test_a_read_that_wrote_without_saying_so_is_rolled_back(app):
    @app.get("/_test/sneaky-write")
    def sneaky_write():
        db.session.add(
            PartnerCity(
                name="Sneaky", country="DK", relation=Relation.OTHER, valid_from=date.today()
            )
        )
        db.session.flush()
        return "wrote"

    assert in_own_context(app, "/_test/sneaky-write").get_data(as_text=True) == "wrote"
    assert db.session.scalar(select(func.count()).select_from(PartnerCity)) == 0


def test_a_read_keeps_postgresqls_prepared_statements_for_the_next_request(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")

    @app.get("/_test/read")
    def read():
        db.session.execute(text("SELECT count(*) FROM partner_city WHERE name = :n"), {"n": "x"})
        return str(db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements")))

    # psycopg prepares a statement the sixth time it runs on a connection; a ROLLBACK at
    # the end of each request would forget it again and the count would stay at 0.
    counts = [int(in_own_context(app, "/_test/read").get_data(as_text=True)) for _ in range(8)]
    assert counts[0] == 0 and counts[-1] > 0, counts


def test_postgresql_compiles_no_statement_to_machine_code(app):
    """JIT off for the app's connections (grants.__init__._no_jit_on_postgresql): compiling
    the task list's filter choices, estimated dear, cost 1.5 s a request at 100,000 cases."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    assert db.session.scalar(text("SHOW jit")) == "off"
