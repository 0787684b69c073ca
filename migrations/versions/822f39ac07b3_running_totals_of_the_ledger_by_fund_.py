"""running totals of the ledger by fund, year, month and kind

The balances and the dashboard's months summed every entry of the year (~30,000 at 100,000
applications); they now read these totals, kept in the same transaction as each entry.

Revision ID: 822f39ac07b3
Revises: 26ab213e8dd1
Create Date: 2026-11-25 00:27:16.498866

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "822f39ac07b3"
down_revision = "26ab213e8dd1"
branch_labels = None
depends_on = None

KINDS = (
    "allocation",
    "carry_over_in",
    "carry_over_out",
    "reservation",
    "adjustment",
    "release",
    "payment",
    "refund",
)


def upgrade():
    op.create_table(
        "budget_total",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("booked_year", sa.Integer(), nullable=False),
        sa.Column("booked_month", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                *KINDS, name="entrykind", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_budget_total_fund_id_fund")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_total")),
        sa.UniqueConstraint(
            "fund_id",
            "year",
            "booked_year",
            "booked_month",
            "kind",
            name=op.f("uq_budget_total_fund_id"),
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        booked_year = "CAST(EXTRACT(year FROM booked_on) AS INTEGER)"
        booked_month = "CAST(EXTRACT(month FROM booked_on) AS INTEGER)"
    else:
        booked_year = "CAST(strftime('%Y', booked_on) AS INTEGER)"
        booked_month = "CAST(strftime('%m', booked_on) AS INTEGER)"
    op.execute(
        "INSERT INTO budget_total (fund_id, year, booked_year, booked_month, kind, amount, entries) "
        f"SELECT fund_id, year, {booked_year}, {booked_month}, kind, sum(amount), count(*) "
        f"FROM budget_entry GROUP BY fund_id, year, {booked_year}, {booked_month}, kind"
    )


def downgrade():
    op.drop_table("budget_total")
