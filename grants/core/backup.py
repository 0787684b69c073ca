"""Backups of the whole database, and restoring one: ``flask backup create FILE`` and
``flask backup restore FILE``.

SQLite: SQLite's online backup API (what ``sqlite3 grants.db ".backup FILE"`` uses), safe while
the app runs. PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore``, which must be on the
PATH. The letters' PDFs and the attachments live in the database, so one file holds
everything. See docs/operations.md.

A restore either completes or leaves the database exactly as it was:

- it first reads the backup's schema version (Alembic's) and refuses a backup made by another
  version of the code, before anything is touched; ``--upgrade`` instead brings an older
  backup up to date in a scratch database and restores that;
- on PostgreSQL, ``pg_restore`` runs in one transaction (``--single-transaction``): if any
  statement fails (a view of the live database depends on a table, a disk fills up), every
  table, row, constraint and trigger is as it was;
- on SQLite, the backup API copies all pages in one write transaction of the live file.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump/pg_restore with an argument list, never a shell
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


class BackupError(RuntimeError):
    pass


class SchemaMismatch(BackupError):
    """The backup was made by another version of the code."""

    def __init__(self, backup_version: str | None, code_version: str, older: bool):
        self.backup_version = backup_version
        self.code_version = code_version
        self.older = older
        if older:
            advice = (
                "Nothing was changed. Restore it with `flask backup restore --upgrade`, which "
                "upgrades a copy in a scratch database first, or with the version of the code "
                "that made it."
            )
        else:
            advice = "Nothing was changed. Restore it with the version of the code that made it."
        super().__init__(
            f"The backup's schema version is {backup_version or 'unknown'}, this code's is "
            f"{code_version}. {advice}"
        )


def _libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq (pg_dump) reads it: no driver in the scheme."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _sqlite_path(url: str) -> str:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database has nothing to back up.")
    return database


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client).")
    return path


def _run(arguments: list[str]) -> None:
    """Run pg_dump or pg_restore; a failure becomes a BackupError with what it printed."""
    result = subprocess.run(  # nosec B603  # fixed program, arguments as a list
        arguments, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        printed = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(arguments[0]).name} failed: {' '.join(printed[-3:])}")


# --- Schema versions ------------------------------------------------------------------------


def _script() -> ScriptDirectory:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def code_version() -> str:
    """The schema version this code expects: the migrations' head."""
    heads = _script().get_heads()
    if len(heads) != 1:
        raise BackupError(f"The migrations have {len(heads)} heads: merge them first.")
    return heads[0]


def _is_older(version: str | None) -> bool:
    """Is ``version`` one of this code's migrations, before its head?"""
    known = {revision.revision for revision in _script().walk_revisions()}
    return version is not None and version in known and version != code_version()


def backup_version(url_backend: str, source: Path) -> str | None:
    """The Alembic version recorded in a backup file, without touching any database."""
    if url_backend == "sqlite":
        try:
            connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        except sqlite3.Error as error:  # pragma: no cover - a file sqlite cannot open at all
            raise BackupError(f"{source} is not a SQLite backup: {error}") from error
        try:
            (ok,) = connection.execute("PRAGMA quick_check").fetchone()
            if ok != "ok":
                raise BackupError(f"{source} is damaged: {ok}")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not a backup of this app: {error}") from error
        finally:
            connection.close()
        return row[0] if row else None
    result = subprocess.run(  # nosec B603  # fixed program, arguments as a list
        [
            _tool("pg_restore"),
            "--data-only",
            "--table=alembic_version",
            "--file=-",
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{source} is not a pg_dump backup: {result.stderr.strip()}")
    lines = iter(result.stdout.splitlines())
    for line in lines:
        if line.startswith("COPY ") and "alembic_version" in line:
            version = next(lines, "\\.")
            return None if version == "\\." else version.strip()
    return None


def check_version(url: str, source: Path) -> str:
    """Refuse a backup whose schema is not the code's; returns the version."""
    found = backup_version(make_url(url).get_backend_name(), source)
    expected = code_version()
    if found != expected:
        raise SchemaMismatch(found, expected, older=_is_older(found))
    return found


# --- Create and restore ---------------------------------------------------------------------


def create(url: str, target: Path) -> None:
    """Write a backup of the database at ``url`` to ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
    elif backend == "postgresql":
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-acl",
                "--file",
                str(target),
                _libpq_url(url),
            ]
        )
    else:
        raise BackupError(f"No backup for {backend} databases.")


def restore(url: str, source: Path, upgrade: bool = False) -> None:
    """Replace the database at ``url`` by the backup in ``source``: all of it, or nothing.

    ``url`` must be the owner's (it drops and creates the tables). A backup made by another
    version of the code is refused before anything is touched, unless ``upgrade`` is set and
    the backup is older: then a copy is upgraded in a scratch database and that is restored.
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"No restore for {backend} databases.")
    try:
        check_version(url, source)
    except SchemaMismatch as mismatch:
        if not (upgrade and mismatch.older):
            raise
        with _upgraded_copy(url, source) as upgraded:
            _replace(url, upgraded)
        return
    _replace(url, source)


def _replace(url: str, source: Path) -> None:
    if make_url(url).get_backend_name() == "sqlite":
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        database = sqlite3.connect(_sqlite_path(url))
        try:
            # pages=-1: every page in one step, in one write transaction of the live file.
            backup.backup(database, pages=-1)
        except sqlite3.Error as error:
            raise BackupError(f"The restore failed and nothing was changed: {error}") from error
        finally:
            database.close()
            backup.close()
        return
    try:
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                _libpq_url(url),
                str(source),
            ]
        )
    except BackupError as error:
        raise BackupError(
            f"{error} Nothing was changed: the restore ran in one transaction."
        ) from error


@contextmanager
def _upgraded_copy(url: str, source: Path) -> Iterator[Path]:
    """The backup brought up to the code's schema in a scratch database, as a new backup."""
    with tempfile.TemporaryDirectory(prefix="grants-restore-") as folder:
        upgraded = Path(folder) / "upgraded.backup"
        if make_url(url).get_backend_name() == "sqlite":
            scratch_file = Path(folder) / "scratch.db"
            shutil.copyfile(source, scratch_file)
            _migrate(f"sqlite:///{scratch_file}")
            create(f"sqlite:///{scratch_file}", upgraded)
        else:
            with _scratch_database(url) as scratch:
                _run(
                    [
                        _tool("pg_restore"),
                        "--no-owner",
                        "--no-acl",
                        "--single-transaction",
                        "--exit-on-error",
                        "--dbname",
                        _libpq_url(scratch),
                        str(source),
                    ]
                )
                _migrate(scratch)
                create(scratch, upgraded)
        yield upgraded


@contextmanager
def _scratch_database(url: str) -> Iterator[str]:
    name = f"{make_url(url).database}_upgrade_{uuid.uuid4().hex[:8]}"
    server = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(url).set(database=name).render_as_string(hide_password=False)
        finally:
            with server.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()


# The app factory (``grants.create_app``), handed over by ``register``: the core builds an app
# of its own on a scratch copy without importing the app that is built on top of it.
APP_FACTORY: Callable[[dict], Flask] | None = None


def _migrate(url: str) -> None:
    """Run the migrations to head on the database at ``url`` (a scratch copy)."""
    from flask_migrate import upgrade

    from grants.extensions import db

    if APP_FACTORY is None:
        raise RuntimeError("grants.core.backup.register(app, app_factory) was not called.")
    app = APP_FACTORY({"SQLALCHEMY_DATABASE_URI": url, "DATABASE_OWNER_URL": None})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        db.engine.dispose()


def register(app: Flask, app_factory: Callable[[dict], Flask]) -> None:
    global APP_FACTORY
    APP_FACTORY = app_factory
    from grants.core.database_roles import app_role, grant_app_role, owner_url

    group = AppGroup("backup", help="Back up the database to a file, or restore one.")

    @group.command("create")
    @click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
    def create_command(target: Path) -> None:
        """Write a backup of the whole database (cases, ledger, letters, files) to TARGET."""
        from grants.extensions import db

        db.session.remove()
        try:
            create(owner_url(app), target)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Backup written to {target} ({target.stat().st_size} bytes).")

    @group.command("restore")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
    @click.option(
        "--upgrade",
        is_flag=True,
        help="A backup made by an older version: upgrade a copy in a scratch database first.",
    )
    def restore_command(source: Path, yes: bool, upgrade: bool) -> None:
        """Replace the whole database by the backup in SOURCE (stop the app first).

        All or nothing: a backup of another schema version is refused before anything is
        touched, and a restore that fails part-way leaves the database as it was."""
        from grants.extensions import db

        url = owner_url(app)
        try:
            check_version(url, source)
        except SchemaMismatch as mismatch:
            if not (upgrade and mismatch.older):
                raise click.ClickException(str(mismatch)) from mismatch
            click.echo(
                f"The backup is at {mismatch.backup_version}: upgrading a copy to "
                f"{mismatch.code_version} first."
            )
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        if not yes:
            click.confirm("This replaces everything in the database. Go on?", abort=True)
        db.session.remove()
        db.engine.dispose()
        try:
            restore(url, source, upgrade=upgrade)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        if app_role(app) is not None:
            role = grant_app_role(app, db.metadata)
            click.echo(f"Privileges granted to the app's role {role}.")
        click.echo(f"Database restored from {source}.")

    app.cli.add_command(group)
