"""A committee for each election period on the same fund: the committee of 2030-2033 is set
up again on the fund of 2026-2029's (its budget goes on; the carry-over stops at the
period's end). ``committee.fund_id`` was unique (one committee a fund, for good); now one
committee a fund and first year of its period (overlaps are refused by the operation).

Revision ID: f0a2c4e6b8d1
Revises: e9eb4261018b
Create Date: 2026-12-07 19:05:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "f0a2c4e6b8d1"
down_revision = "e9eb4261018b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("committee", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_committee_fund_id"), type_="unique")
        # The naming convention names it by its first column, as the one it replaces.
        batch_op.create_unique_constraint(
            op.f("uq_committee_fund_id"), ["fund_id", "period_first"]
        )
        batch_op.create_index(op.f("ix_committee_fund_id"), ["fund_id"], unique=False)


def downgrade():
    import sqlalchemy as sa

    bind = op.get_bind()
    shared = bind.execute(
        sa.text("SELECT count(*) - count(DISTINCT fund_id) FROM committee")
    ).scalar()
    if shared:
        raise RuntimeError(
            "A fund has committees for more than one election period; it cannot go back."
        )
    with op.batch_alter_table("committee", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_committee_fund_id"))
        batch_op.drop_constraint(op.f("uq_committee_fund_id"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_committee_fund_id"), ["fund_id"])
