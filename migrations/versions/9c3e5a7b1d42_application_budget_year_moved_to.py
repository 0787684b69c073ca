"""a case waiting for a decision can be moved to next year's budget when its year closes

Closing a year lists the applications for it that are not yet decided; the finance officer
moves them to the next year's budget (``application.budget_year_moved_to``) or closes anyway.

Revision ID: 9c3e5a7b1d42
Revises: 8b2d4f6a0c31
Create Date: 2026-12-06 03:35:00

"""

import sqlalchemy as sa
from alembic import op

revision = "9c3e5a7b1d42"
down_revision = "8b2d4f6a0c31"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("budget_year_moved_to", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("budget_year_moved_to")
