"""A backup restores into an empty database with every case, ledger entry and letter, byte
for byte: on SQLite always, on PostgreSQL (pg_dump/pg_restore into a scratch database) when
the suite runs there."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, make_url, text

from grants.applications.models import Attachment
from grants.budgets.operations import reserve
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


def test_a_backup_restores_every_case_entry_and_letter(world, app, runner, tmp_path):
    some_cases(world)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    before = rows(url)
    assert all(before[table] for table in TABLES)
    target = tmp_path / "grants.backup"
    dialect = make_url(url).get_backend_name()
    if dialect == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    result = runner.invoke(args=["backup", "create", str(target)])
    assert result.exit_code == 0, result.output
    if dialect == "sqlite":
        empty = f"sqlite:///{tmp_path / 'restored.db'}"
        backup.restore(empty, target)
        assert rows(empty) == before
    else:
        scratch = make_url(url).database + "_restore"
        admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}"'))
            conn.execute(text(f'CREATE DATABASE "{scratch}"'))
        restored = make_url(url).set(database=scratch).render_as_string(hide_password=False)
        try:
            backup.restore(restored, target)
            assert rows(restored) == before
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
            admin.dispose()


def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(backup.BackupError):
        backup.restore(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "nothing")
