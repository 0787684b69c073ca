"""Two PostgreSQL roles: the owner, which runs the migrations, and the app's role, which serves.

The app's role owns nothing. It may read and write the tables the app writes, but only read
and append to the append-only ones (the audit trail and the ledger): so it cannot UPDATE,
DELETE or TRUNCATE them, and, owning nothing, cannot disable their triggers, drop them or
change their privileges. Only a superuser may set ``session_replication_role``, which the
app's role must not be. A model declares itself append-only with
``__table_args__ = {"info": {"append_only": True}}`` (or as the last item of the tuple).

The migrations run as the owner (``DATABASE_OWNER_URL``); after every ``flask db upgrade`` the
app's role (the user of ``DATABASE_URL``) is given exactly these privileges again, so a table
added by a migration is covered the moment it exists. ``flask database grant`` does the same
by hand and ``flask database check`` tells whether the app's role is as restricted as it
should be (docs/deployment.md).
"""

from __future__ import annotations

from collections.abc import Iterable

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import Connection, make_url

APPEND_ONLY = "append_only"
READ_APPEND = ("SELECT", "INSERT")
READ_WRITE = ("SELECT", "INSERT", "UPDATE", "DELETE")
# What the app's role may do to each append-only table, and what it must not.
FORBIDDEN_ON_APPEND_ONLY = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")


def append_only_tables(metadata: MetaData) -> list[str]:
    return sorted(t.name for t in metadata.sorted_tables if t.info.get(APPEND_ONLY))


def privileges(metadata: MetaData) -> dict[str, tuple[str, ...]]:
    """Each table the app uses, and what the app's role may do to it. ``alembic_version`` is
    read by /healthz (is the schema the code's?) and never written by the app."""
    wanted: dict[str, tuple[str, ...]] = {
        table.name: READ_APPEND if table.info.get(APPEND_ONLY) else READ_WRITE
        for table in metadata.sorted_tables
    }
    wanted["alembic_version"] = ("SELECT",)
    return wanted


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def grant(connection: Connection, role: str, metadata: MetaData) -> None:
    """Give ``role`` exactly the app's privileges, taking back anything else it was given.

    Runs as the tables' owner, in the caller's transaction."""
    who = _quote(connection, role)
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {who}"))
    connection.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {who}"))
    connection.execute(text(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {who}"))
    existing = set(
        connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
    )
    for table, allowed in privileges(metadata).items():
        if table in existing:
            connection.execute(
                text(f"GRANT {', '.join(allowed)} ON {_quote(connection, table)} TO {who}")
            )
    # Inserting needs the id sequences; nothing else does.
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who}"))


def problems(connection: Connection, metadata: MetaData) -> list[str]:
    """What is wrong with the privileges of the role this connection logged in as, for an app
    that must not be able to rewrite its audit trail or its ledger; empty when all is well."""
    found: list[str] = []
    role = connection.execute(text("SELECT current_user")).scalar_one()
    superuser = connection.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    ).scalar_one()
    if superuser:
        found.append(f"{role} is a superuser")
    owned = list(
        connection.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tableowner = current_user ORDER BY tablename"
            )
        ).scalars()
    )
    if owned:
        found.append(f"{role} owns {len(owned)} tables (e.g. {owned[0]})")
    for table in append_only_tables(metadata):
        for privilege in FORBIDDEN_ON_APPEND_ONLY:
            allowed = connection.execute(
                text("SELECT has_table_privilege(current_user, :table, :privilege)"),
                {"table": f"public.{table}", "privilege": privilege},
            ).scalar_one()
            if allowed:
                found.append(f"{role} may {privilege} {table}")
    return found


def app_role(app: Flask) -> str | None:
    """The role the app logs in as, when the migrations run as another one; else None."""
    owner_url = app.config.get("DATABASE_OWNER_URL")
    if not owner_url:
        return None
    app_url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app_url.get_backend_name() != "postgresql":
        return None
    if not app_url.username or app_url.username == make_url(owner_url).username:
        return None
    return app_url.username


def owner_url(app: Flask) -> str:
    """The URL that may change the schema: the owner's, or the app's own where there is one."""
    return app.config.get("DATABASE_OWNER_URL") or app.config["SQLALCHEMY_DATABASE_URI"]


def grant_app_role(app: Flask, metadata: MetaData, connection: Connection | None = None) -> str:
    """Grant the app's role its privileges as the owner. Returns the role's name."""
    role = app_role(app)
    if role is None:
        raise click.ClickException(
            "Set DATABASE_OWNER_URL to the owner's PostgreSQL URL and DATABASE_URL to the "
            "app's own role (another user) first: see docs/deployment.md."
        )
    if connection is not None:
        grant(connection, role, metadata)
        return role
    engine = create_engine(owner_url(app))
    try:
        with engine.begin() as owner:
            grant(owner, role, metadata)
    finally:
        engine.dispose()
    return role


def register(app: Flask) -> None:
    group = AppGroup("database", help="The app's database role: grant its privileges, check them.")

    @group.command("grant")
    def grant_command() -> None:
        """Give the app's role (DATABASE_URL's user) its privileges, as DATABASE_OWNER_URL."""
        from grants.extensions import db

        role = grant_app_role(current_app, db.metadata)
        click.echo(f"{role}: read and write, but only read and append {_names(db.metadata)}.")

    @group.command("check")
    def check_command() -> None:
        """Fail unless the app's role cannot rewrite the audit trail or the ledger."""
        from grants.extensions import db

        if db.engine.dialect.name != "postgresql":
            click.echo("SQLite has no roles: run production on PostgreSQL (docs/deployment.md).")
            return
        with db.engine.connect() as connection:
            found = problems(connection, db.metadata)
        if found:
            for problem in found:
                click.echo(f"- {problem}", err=True)
            raise click.ClickException(
                "The app's database role can rewrite the audit trail: run the app as its own "
                "role (docs/deployment.md, 'Two database roles')."
            )
        click.echo(f"The app's role may only read and append {_names(db.metadata)}.")

    app.cli.add_command(group)


def _names(metadata: MetaData) -> str:
    tables: Iterable[str] = append_only_tables(metadata)
    return ", ".join(tables)
