"""The undecided cases of a fund by an index without a predicate (issue 24): the partial
index ``ix_application_undecided_departure`` (``WHERE outcome IS NULL``) made PostgreSQL try
to prove its predicate from the work queue's condition in every statement on the cases that
carries it (the queue, its count, the menu's count, the task page: 2-3 ms of planning each
at any size), and nothing reads it any more but the budgets' list of the cases waiting for
a decision and the closing of a year (the "applied for, not decided" figure is a running
total, budget_waiting). The index (fund_id, outcome, departure_date) serves those two with
``outcome IS NULL`` as an index condition, and the planner has no predicate to prove.

Revision ID: d2f4a6c8e0b3
Revises: b3d5f7a9c1e4
Create Date: 2026-12-06 20:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d2f4a6c8e0b3"
down_revision = "b3d5f7a9c1e4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_application_undecided_departure", postgresql_where=sa.text("outcome IS NULL")
        )
        batch_op.create_index(
            "ix_application_fund_outcome_departure",
            ["fund_id", "outcome", "departure_date"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index("ix_application_fund_outcome_departure")
        batch_op.create_index(
            "ix_application_undecided_departure",
            ["departure_date", "fund_id", "state", "amount_applied"],
            unique=False,
            postgresql_where=sa.text("outcome IS NULL"),
        )
