"""A backup restores into an empty database with every case, ledger entry and letter, byte
for byte: on SQLite always, on PostgreSQL (pg_dump/pg_restore into a scratch database) when
the suite runs there."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from grants.budgets.movements import reserve
from grants.cases.models import Attachment
from grants.core import backup
from grants.extensions import db
from grants.letters.models import Letter
from grants.workflow import engine
from tests.factories import make_application, make_fund

TABLES = ("application", "budget_line", "budget_entry", "letter", "journal_entry", "attachment")


def some_cases(world) -> None:
    fund = make_fund(budget=100000)
    for n in range(3):
        case = make_application(world.employee, fund, state="awaiting_decision", title=f"Tur {n}")
        reserve(case, Decimal(1000 + n), world.caseworker)
        engine.record(case, "submit", world.employee, comment=f"Første ansøgning {n}")
        pdf = bytes(range(256)) * (n + 1)  # every byte value, as a PDF's binary parts have
        db.session.add_all(
            [
                Letter(
                    application=case,
                    kind="decision",
                    language="da",
                    template="letters/decision.html",
                    parameters={"n": n, "navn": "Søren Ærø"},
                    filename=f"brev-{n}.pdf",
                    pdf=pdf,
                    sha256="b" * 64,
                    size=len(pdf),
                ),
                Attachment(
                    application=case,
                    filename="bilag.png",
                    content_type="image/png",
                    size=4,
                    sha256="c" * 64,
                    data=b"\x89PNG\x00\xff",
                ),
            ]
        )
    db.session.commit()


def rows(url: str) -> dict[str, list]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: [
                    tuple(row) for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))
                ]  # noqa: S608
                for table in TABLES
            }
    finally:
        engine.dispose()


def owner(app) -> str:
    return app.config["DATABASE_OWNER_URL"] or app.config["SQLALCHEMY_DATABASE_URI"]


def needs_pg_tools(url: str) -> None:
    if make_url(url).get_backend_name() == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")


@contextmanager
def scratch_database(app):
    """An empty database beside the test database: a new SQLite file, or a PostgreSQL
    database `<testdb>_restore` made (and dropped) as the owner."""
    url = owner(app)
    if make_url(url).get_backend_name() == "sqlite":
        yield f"sqlite:///{Path(make_url(url).database).with_name('restored.db')}"
        return
    scratch = make_url(url).database + "_restore"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    try:
        yield make_url(url).set(database=scratch).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_restores_every_case_entry_and_letter(world, app, runner, tmp_path):
    some_cases(world)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    needs_pg_tools(url)
    before = rows(url)
    assert all(before[table] for table in TABLES)
    target = tmp_path / "grants.backup"
    result = runner.invoke(args=["backup", "create", str(target)])
    assert result.exit_code == 0, result.output
    with scratch_database(app) as empty:
        backup.restore(empty, target)
        assert rows(empty) == before


def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(backup.BackupError):
        backup.restore(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "nothing")


def test_restore_refuses_what_is_not_a_backup_and_changes_nothing(world, app, runner, tmp_path):
    some_cases(world)
    needs_pg_tools(owner(app))
    before = everything(owner(app))
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)
    result = runner.invoke(args=["backup", "restore", "--yes", str(junk)])
    assert result.exit_code != 0
    assert "backup" in result.output
    assert everything(owner(app)) == before


def test_a_restore_that_fails_half_way_leaves_the_database_as_it_was(world, app, runner, tmp_path):
    """On PostgreSQL: a view in the live database that depends on a table makes pg_restore
    --clean fail after it has dropped the constraints and the audit trigger. In one
    transaction, all of that is undone: every table, row, constraint and trigger is there."""
    url = owner(app)
    if make_url(url).get_backend_name() != "postgresql":
        pytest.skip("SQLite's backup API copies in one transaction: nothing to fail half-way")
    needs_pg_tools(url)
    some_cases(world)
    target = tmp_path / "grants.backup"
    assert runner.invoke(args=["backup", "create", str(target)]).exit_code == 0
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE VIEW someones_report AS SELECT id FROM application"))
        db.session.remove()
        before = everything(url)
        result = runner.invoke(args=["backup", "restore", "--yes", str(target)])
        assert result.exit_code != 0
        assert "Nothing was changed" in result.output
        assert everything(url) == before
        # The app still works: it may read and append, and the schema is the code's.
        assert app.test_client().get("/healthz").get_json()["status"] == "ok"
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP VIEW IF EXISTS someones_report"))
        engine.dispose()


def test_a_backup_of_another_schema_version_is_refused_before_anything_changes(
    world, app, runner, tmp_path
):
    url = owner(app)
    needs_pg_tools(url)
    some_cases(world)
    with at_version(url, "0123456789ab"):
        target = tmp_path / "newer.backup"
        assert runner.invoke(args=["backup", "create", str(target)]).exit_code == 0
    before = everything(url)
    result = runner.invoke(args=["backup", "restore", "--yes", "--upgrade", str(target)])
    assert result.exit_code != 0
    assert "0123456789ab" in result.output and backup.code_version() in result.output
    assert "Nothing was changed" in result.output
    assert everything(url) == before


def test_an_older_backup_is_refused_or_upgraded_in_a_scratch_database_first(
    world, app, runner, tmp_path
):
    """A backup made one release ago: refused as it is (its schema is not the code's), and
    restored with --upgrade, which migrates a copy to the code's schema first."""
    url = owner(app)
    needs_pg_tools(url)
    some_cases(world)
    before = rows(url)
    current = tmp_path / "current.backup"
    assert runner.invoke(args=["backup", "create", str(current)]).exit_code == 0
    older = tmp_path / "older.backup"
    previous = backup._script().get_revision(backup.code_version()).down_revision
    with scratch_database(app) as scratch:
        backup.restore(scratch, current)
        downgrade_to(scratch, previous)
        backup.create(scratch, older)
    assert backup.backup_version(make_url(url).get_backend_name(), older) == previous

    result = runner.invoke(args=["backup", "restore", "--yes", str(older)])
    assert result.exit_code != 0
    assert "--upgrade" in result.output and "Nothing was changed" in result.output

    with scratch_database(app) as target:
        backup.restore(target, older, upgrade=True)
        assert rows(target) == before
        assert version_of(target) == backup.code_version()


def test_healthz_says_error_when_the_schema_is_not_the_codes(app, client, world):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": True, "schema": True}
    with at_version(owner(app), "0123456789ab"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["schema"] is False


# --- helpers --------------------------------------------------------------------------------


def everything(url: str) -> dict:
    """Every row of every table, and on PostgreSQL every constraint, index and trigger."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = {
                table.name: sorted(
                    map(repr, conn.execute(text(f'SELECT * FROM "{table.name}"')))  # noqa: S608
                )
                for table in db.metadata.sorted_tables
            }
            found["alembic_version"] = conn.execute(
                text("SELECT version_num FROM alembic_version")
            ).all()
            if conn.dialect.name == "postgresql":
                found["constraints"] = conn.execute(
                    text(
                        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
                        "JOIN pg_namespace n ON n.oid = connamespace WHERE nspname = 'public' "
                        "ORDER BY 1, 2"
                    )
                ).all()
                found["indexes"] = conn.execute(
                    text("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1")
                ).all()
                found["triggers"] = conn.execute(
                    text(
                        "SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1"
                    )
                ).all()
            return found
    finally:
        engine.dispose()


def version_of(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()


@contextmanager
def at_version(url: str, version: str):
    """The live database claims another schema version for a while."""
    db.session.remove()
    engine = create_engine(url)
    real = version_of(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": real})
        engine.dispose()


def downgrade_to(url: str, revision: str) -> None:
    from flask_migrate import downgrade

    from grants import create_app

    scratch_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with scratch_app.app_context():
        downgrade(directory=str(backup.MIGRATIONS), revision=revision)
        db.engine.dispose()
