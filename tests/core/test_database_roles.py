"""The app runs as a PostgreSQL role that may only read and append to the audit trail (and
the ledger): it cannot update, delete or truncate a record, disable the trigger, drop the
table, or switch the triggers off with session_replication_role. (On PostgreSQL the whole
suite runs as that role: tests/conftest.py.)"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.exc import DBAPIError

from grants.audit.models import AuditEvent
from grants.budgets.models import BudgetEntry
from grants.core import database_roles
from grants.extensions import db
from tests.factories import make_fund

pytestmark = pytest.mark.usefixtures("app")

ATTEMPTS = {
    "update": "UPDATE audit_event SET action = 'rewritten'",
    "delete": "DELETE FROM audit_event",
    "truncate": "TRUNCATE audit_event",
    "disable the trigger": "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
    "disable every trigger": "ALTER TABLE audit_event DISABLE TRIGGER ALL",
    "drop the trigger": "DROP TRIGGER audit_event_append_only ON audit_event",
    "drop the table": "DROP TABLE audit_event CASCADE",
    "replace the trigger's function": (
        "CREATE OR REPLACE FUNCTION audit_event_is_append_only() RETURNS trigger AS "
        "$$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql"
    ),
    "take the table over": "ALTER TABLE audit_event OWNER TO CURRENT_USER",
    "switch triggers off": "SET session_replication_role = replica",
    "rewrite the ledger": "UPDATE budget_entry SET amount = 0",
    "delete from the ledger": "DELETE FROM budget_entry",
}


@pytest.fixture
def postgresql():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("roles and privileges are PostgreSQL's; production runs on PostgreSQL")


@pytest.fixture
def an_audited_world(postgresql, world, client):
    client.post("/log-ind", data={"email": world.outsider.email, "password": "forkert"})
    make_fund(code="ledgerfund", budget=1000)
    db.session.commit()
    assert db.session.scalar(select(AuditEvent.id).limit(1)) is not None
    assert db.session.scalar(select(BudgetEntry.id).limit(1)) is not None


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=list(ATTEMPTS))
def test_the_apps_role_cannot_rewrite_the_audit_trail_or_the_ledger(an_audited_world, attempt):
    before = _audit_and_ledger()
    refused = "permission denied|must be owner|must be superuser"
    with pytest.raises(DBAPIError, match=refused), db.engine.begin() as connection:
        connection.execute(text(ATTEMPTS[attempt]))
    assert _audit_and_ledger() == before
    assert _trigger_enabled()


def test_the_apps_role_cannot_give_itself_more(an_audited_world):
    # Without the grant option PostgreSQL only warns "no privileges were granted".
    with db.engine.begin() as connection:
        connection.execute(text("GRANT UPDATE, DELETE ON audit_event TO CURRENT_USER"))
    assert not _may("audit_event", "UPDATE") and not _may("audit_event", "DELETE")


def test_the_apps_role_reads_and_appends_and_is_not_the_owner(app, an_audited_world):
    with db.engine.connect() as connection:
        assert database_roles.problems(connection, db.metadata) == []
        role = connection.execute(text("SELECT current_user")).scalar_one()
    assert role == make_url(app.config["SQLALCHEMY_DATABASE_URI"]).username
    assert role != make_url(app.config["DATABASE_OWNER_URL"]).username


def test_the_owners_role_is_reported_as_a_problem(app, postgresql):
    owner = create_engine(app.config["DATABASE_OWNER_URL"])
    try:
        with owner.connect() as connection:
            found = database_roles.problems(connection, db.metadata)
    finally:
        owner.dispose()
    assert any("superuser" in problem or "owns" in problem for problem in found)


def test_flask_database_check_passes_as_the_apps_role_and_fails_as_the_owner(app, postgresql):
    result = app.test_cli_runner().invoke(args=["database", "check"])
    assert result.exit_code == 0, result.output
    assert "audit_event" in result.output and "budget_entry" in result.output

    owners_app = _app_like(app, SQLALCHEMY_DATABASE_URI=app.config["DATABASE_OWNER_URL"])
    with owners_app.app_context():
        result = owners_app.test_cli_runner().invoke(args=["database", "check"])
        db.engine.dispose()
    assert result.exit_code != 0
    assert "can rewrite the audit trail" in result.output


def test_every_upgrade_grants_a_new_table_to_the_apps_role(app, postgresql):
    """A table that a migration adds is usable by the app at once: `flask db upgrade` (as the
    owner) grants the app's role its privileges after migrating."""
    owner = create_engine(app.config["DATABASE_OWNER_URL"])
    try:
        with owner.begin() as connection:
            connection.execute(text("REVOKE ALL ON audit_event FROM CURRENT_USER"))
            role = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).username
            connection.execute(text(f'REVOKE ALL ON audit_event FROM "{role}"'))
        assert not _may("audit_event", "INSERT")
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert _may("audit_event", "INSERT") and _may("audit_event", "SELECT")
        assert not _may("audit_event", "UPDATE")
        assert _may("application", "UPDATE")
    finally:
        with owner.begin() as connection:
            database_roles.grant(connection, role, db.metadata)
        owner.dispose()


def test_flask_database_grant_needs_two_roles(app, postgresql):
    app.config["DATABASE_OWNER_URL"] = None
    result = app.test_cli_runner().invoke(args=["database", "grant"])
    assert result.exit_code != 0
    assert "DATABASE_OWNER_URL" in result.output


def test_privileges_follow_the_models_declarations():
    wanted = database_roles.privileges(db.metadata)
    assert wanted["audit_event"] == ("SELECT", "INSERT")
    assert wanted["budget_entry"] == ("SELECT", "INSERT")
    assert wanted["application"] == ("SELECT", "INSERT", "UPDATE", "DELETE")
    assert wanted["alembic_version"] == ("SELECT",)
    assert database_roles.append_only_tables(db.metadata) == [
        "audit_event",
        "budget_entry",
        "budget_year_opening",
    ]


def _audit_and_ledger():
    with db.engine.connect() as connection:
        return (
            connection.execute(text("SELECT * FROM audit_event ORDER BY id")).all(),
            connection.execute(text("SELECT * FROM budget_entry ORDER BY id")).all(),
        )


def _trigger_enabled() -> bool:
    with db.engine.connect() as connection:
        return (
            connection.execute(
                text("SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_event_append_only'")
            ).scalar_one()
            == "O"
        )


def _may(table: str, privilege: str) -> bool:
    with db.engine.connect() as connection:
        return connection.execute(
            text("SELECT has_table_privilege(current_user, :t, :p)"),
            {"t": f"public.{table}", "p": privilege},
        ).scalar_one()


def _app_like(app, **changes):
    from grants import create_app

    return create_app({**app.config, **changes})
