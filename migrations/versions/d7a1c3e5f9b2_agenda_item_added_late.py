"""An agenda item put on after the agenda was sent to the members is an item added late:
when it was added is kept, so the agenda and the minutes say so. Items put on before this
were not marked (empty).

Revision ID: d7a1c3e5f9b2
Revises: c4e8a2f6b1d3
Create Date: 2026-12-07 22:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d7a1c3e5f9b2"
down_revision = "c4e8a2f6b1d3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("added_late_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_column("added_late_at")
