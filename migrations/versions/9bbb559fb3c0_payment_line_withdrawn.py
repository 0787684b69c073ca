"""A payment batch line the finance system will not pay (a wrong NemKonto, a CPR number it
cannot find) can be withdrawn by a finance officer: its status becomes "recalled", with the
reason, the moment and who withdrew it, and its money is due again for a later batch.
Lines made before this were never withdrawn: the reason is blank and the rest empty.

Revision ID: 9bbb559fb3c0
Revises: e3935550b295
Create Date: 2026-12-07 19:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "9bbb559fb3c0"
down_revision = "e3935550b295"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("payment_batch_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("withdrawn_reason", sa.String(length=500), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_payment_batch_line_withdrawn_by_id_user"),
            "user",
            ["withdrawn_by_id"],
            ["id"],
        )


def downgrade():
    # A withdrawn line keeps its status "recalled": the older app counts it neither as
    # sent (waiting) nor as paid, which is what it is.
    with op.batch_alter_table("payment_batch_line", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_payment_batch_line_withdrawn_by_id_user"), type_="foreignkey"
        )
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("withdrawn_reason")
