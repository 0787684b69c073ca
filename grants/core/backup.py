"""Backups of the whole database, and restoring one: ``flask backup create FILE`` and
``flask backup restore FILE``.

SQLite: SQLite's online backup API (what ``sqlite3 grants.db ".backup FILE"`` uses), safe while
the app runs. PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean``, which must be
on the PATH. The letters' PDFs and the attachments live in the database, so one file holds
everything. See docs/operations.md.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump/pg_restore with an argument list, never a shell
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    pass


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
        subprocess.run(  # nosec B603  # fixed program, arguments as a list
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--file",
                str(target),
                _libpq_url(url),
            ],
            check=True,
        )
    else:
        raise BackupError(f"No backup for {backend} databases.")


def restore(url: str, source: Path) -> None:
    """Replace the database at ``url`` by the backup in ``source``."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        backup = sqlite3.connect(source)
        database = sqlite3.connect(_sqlite_path(url))
        try:
            with database:
                backup.backup(database)
        finally:
            database.close()
            backup.close()
    elif backend == "postgresql":
        subprocess.run(  # nosec B603  # fixed program, arguments as a list
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                _libpq_url(url),
                str(source),
            ],
            check=True,
        )
    else:
        raise BackupError(f"No restore for {backend} databases.")


def register(app: Flask) -> None:
    group = AppGroup("backup", help="Back up the database to a file, or restore one.")

    @group.command("create")
    @click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
    def create_command(target: Path) -> None:
        """Write a backup of the whole database (cases, ledger, letters, files) to TARGET."""
        from grants.extensions import db

        db.session.remove()
        try:
            create(app.config["SQLALCHEMY_DATABASE_URI"], target)
        except (BackupError, subprocess.CalledProcessError) as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Backup written to {target} ({target.stat().st_size} bytes).")

    @group.command("restore")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
    def restore_command(source: Path, yes: bool) -> None:
        """Replace the whole database by the backup in SOURCE (stop the app first)."""
        from grants.extensions import db

        if not yes:
            click.confirm("This replaces everything in the database. Go on?", abort=True)
        db.session.remove()
        db.engine.dispose()
        try:
            restore(app.config["SQLALCHEMY_DATABASE_URI"], source)
        except (BackupError, subprocess.CalledProcessError) as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Database restored from {source}.")

    app.cli.add_command(group)
