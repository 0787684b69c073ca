"""An invitation to act for an organisation can be cancelled by one who acts for it
(``invitation.cancelled_at``, ``cancelled_by_id``): the organisation's page lists the
pending invitations, and a cancelled invitation's link is refused, saying so. Before, an
invitation sent to a wrong address stayed good for its 14 days.

Revision ID: 8db72a4340f9
Revises: 99d8a83eade0
Create Date: 2026-12-07 19:02:52

"""

import sqlalchemy as sa
from alembic import op

revision = "8db72a4340f9"
down_revision = "99d8a83eade0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_invitation_cancelled_by_id_user"), "user", ["cancelled_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_invitation_cancelled_by_id_user"), type_="foreignkey"
        )
        batch_op.drop_column("cancelled_by_id")
        batch_op.drop_column("cancelled_at")
