"""A fund's decisions of the last year from one index (issue 24): the applicant's status
tracker reads them on every view of a case for its expected time to a decision. At 100,000
cases a fund has ~4,000 decisions a year among ~40,000 cases, which PostgreSQL read from the
heap through the index on the fund alone (14 ms). The index (fund_id, decided_at,
submitted_at) answers it alone (0.5 ms) and replaces the index on fund_id, which its first
column serves, so the planner has no more indexes on the cases to weigh than before.

Revision ID: a7c9e1b3d5f8
Revises: d2f4a6c8e0b3
Create Date: 2026-12-07 02:00:00

"""

from alembic import op

revision = "a7c9e1b3d5f8"
down_revision = "d2f4a6c8e0b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(
            "ix_application_fund_decided", ["fund_id", "decided_at", "submitted_at"], unique=False
        )
        batch_op.drop_index("ix_application_fund_id")


def downgrade():
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index("ix_application_fund_id", ["fund_id"], unique=False)
        batch_op.drop_index("ix_application_fund_decided")
