"""running totals of the applications waiting for a decision, and the filtered queue's index

The budgets' "applied for, not decided" summed the year's undecided applications (~7,000 at
100,000 applications) on every dashboard and decision preview; it now reads these totals,
kept in the same flush as every change of an application. The work queue filtered by fund
and state reads the index (fund_id, state, submitted_at, id) in the queue's order instead
of sorting every case of the fund in that state.

Revision ID: 3c1d2e9f7a01
Revises: 815a81755bc9
Create Date: 2026-11-25 03:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3c1d2e9f7a01"
down_revision = "815a81755bc9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "budget_waiting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("applications", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_budget_waiting_fund_id_fund")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_waiting")),
        sa.UniqueConstraint("fund_id", "year", name=op.f("uq_budget_waiting_fund_id")),
    )
    if op.get_bind().dialect.name == "postgresql":
        year = "CAST(EXTRACT(year FROM departure_date) AS INTEGER)"
    else:
        year = "CAST(strftime('%Y', departure_date) AS INTEGER)"
    op.execute(
        "INSERT INTO budget_waiting (fund_id, year, applications, amount) "
        f"SELECT fund_id, {year}, count(*), coalesce(sum(amount_applied), 0) FROM application "
        "WHERE departure_date IS NOT NULL AND state NOT IN ('draft', 'withdrawn') "
        f"AND outcome IS NULL GROUP BY fund_id, {year}"
    )
    op.create_index(
        "ix_application_fund_state_submitted",
        "application",
        ["fund_id", "state", "submitted_at", "id"],
    )


def downgrade():
    op.drop_index("ix_application_fund_state_submitted", table_name="application")
    op.drop_table("budget_waiting")
