"""A committee meeting can be cancelled (aflyst) before it is held: its status, when, by whom
and why.

Revision ID: e9eb4261018b
Revises: 8db72a4340f9
Create Date: 2026-12-07 18:49:18.243795

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e9eb4261018b"
down_revision = "8db72a4340f9"
branch_labels = None
depends_on = None

CHECK = "ck_committee_meeting_meetingstatus"


def upgrade():
    with op.batch_alter_table("committee_meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("cancel_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_committee_meeting_cancelled_by_id_user"),
            "user",
            ["cancelled_by_id"],
            ["id"],
        )
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(op.f(CHECK), "status IN ('planned', 'closed', 'called_off')")


def downgrade():
    bind = op.get_bind()
    if bind.execute(
        sa.text("SELECT count(*) FROM committee_meeting WHERE status = 'called_off'")
    ).scalar():
        raise RuntimeError("Meetings have been cancelled; it cannot go back before that.")
    with op.batch_alter_table("committee_meeting", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(op.f(CHECK), "status IN ('planned', 'closed')")
        batch_op.drop_constraint(
            batch_op.f("fk_committee_meeting_cancelled_by_id_user"), type_="foreignkey"
        )
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_by_id")
        batch_op.drop_column("cancelled_at")
