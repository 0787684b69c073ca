"""every fund's year is opened once: its allocation booked from the yearly budget

A year's allocation (bevilling) is booked when the year opens (on first use, by `flask
budgets open-year`, or ahead when the finance officer plans next year). One row per fund and
year: the unique constraint makes opening idempotent when two servers open the same year at
once. Append-only, like the ledger.

Revision ID: 7a1c3e5b9d20
Revises: c0d1e2f3a4b5
Create Date: 2026-12-06 03:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7a1c3e5b9d20"
down_revision = "c0d1e2f3a4b5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "budget_year_opening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_budget_year_opening_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["user.id"], name=op.f("fk_budget_year_opening_opened_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_year_opening")),
        sa.UniqueConstraint("fund_id", "year", name="uq_budget_year_opening_fund_year"),
    )
    # The years that have an allocation already are open.
    op.execute(
        "INSERT INTO budget_year_opening (fund_id, year, opened_at) "
        "SELECT fund_id, year, min(created_at) FROM budget_entry "
        "WHERE kind = 'allocation' GROUP BY fund_id, year"
    )


def downgrade():
    op.drop_table("budget_year_opening")
