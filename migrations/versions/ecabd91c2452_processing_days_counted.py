"""the processing times counted as they happen (processing_days), issue 24

The budgets dashboard's days from submission to decision and from report to settlement were
one percentile over every decided case of the year (62 ms at 100,000 applications); they are
now counts per (year, fund, measure, calendar days), kept in the same flush as every change
of a case (grants.reports.processing). Up: the table, filled from the cases. A day is a
calendar day in Copenhagen, between the local dates of the start and the end. Down: the table
goes.

Revision ID: ecabd91c2452
Revises: a4c6e8f0b2d4
Create Date: 2026-12-06 19:30:00

"""

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "ecabd91c2452"
down_revision = "a4c6e8f0b2d4"
branch_labels = None
depends_on = None

ZONE = "Europe/Copenhagen"
# (measure, start, end, join): the application's and the report's times.
TIMES = (
    ("decision", "a.submitted_at", "a.decided_at", "application AS a"),
    (
        "settlement",
        "r.submitted_at",
        "r.approved_at",
        "trip_report AS r JOIN application AS a ON a.id = r.application_id",
    ),
)


def _local_day(moment) -> dt.date:
    if isinstance(moment, str):  # SQLite: text, in UTC
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(ZONE)).date()


def upgrade():
    op.create_table(
        "processing_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_processing_days_fund_id_fund")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processing_days")),
        sa.UniqueConstraint(
            "year", "fund_id", "measure", "days", name=op.f("uq_processing_days_year")
        ),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        branches = []
        for measure, start, end, source in TIMES:
            local_end = f"timezone('{ZONE}', {end})"
            branches.append(
                f"SELECT CAST(EXTRACT(year FROM {local_end}) AS INTEGER) AS year, "
                f"a.fund_id AS fund_id, '{measure}' AS measure, "
                f"GREATEST(CAST({local_end} AS DATE) "
                f"- CAST(timezone('{ZONE}', {start}) AS DATE), 0) AS days "
                f"FROM {source} WHERE {start} IS NOT NULL AND {end} IS NOT NULL"
            )
        op.execute(
            "INSERT INTO processing_days (year, fund_id, measure, days, cases) "  # nosec B608
            f"SELECT year, fund_id, measure, days, count(*) FROM ({' UNION ALL '.join(branches)}) "
            "AS times GROUP BY year, fund_id, measure, days"
        )
        return
    # SQLite knows no time zones: the days worked out here.
    counts: Counter = Counter()
    for measure, start, end, source in TIMES:
        rows = bind.execute(
            sa.text(
                f"SELECT a.fund_id, {start}, {end} FROM {source} "  # nosec B608
                f"WHERE {start} IS NOT NULL AND {end} IS NOT NULL"
            )
        )
        for fund_id, started, ended in rows:
            end_day = _local_day(ended)
            days = max((end_day - _local_day(started)).days, 0)
            counts[end_day.year, fund_id, measure, days] += 1
    if counts:
        table = sa.table(
            "processing_days",
            sa.column("year"),
            sa.column("fund_id"),
            sa.column("measure"),
            sa.column("days"),
            sa.column("cases"),
        )
        op.bulk_insert(
            table,
            [
                {"year": y, "fund_id": f, "measure": m, "days": d, "cases": n}
                for (y, f, m, d), n in counts.items()
            ],
        )


def downgrade():
    op.drop_table("processing_days")
