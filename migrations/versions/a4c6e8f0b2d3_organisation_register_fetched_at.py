"""organisation.register_fetched_at: when an association's name and address were last fetched
from the CVR register (issue 23 point 3); None for organisations typed by hand

Revision ID: a4c6e8f0b2d3
Revises: e3a8c5d1f7b2
Create Date: 2026-12-06 06:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a4c6e8f0b2d3"
down_revision = "e3a8c5d1f7b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("register_fetched_at", sa.DateTime(timezone=True)))


def downgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("register_fetched_at")
