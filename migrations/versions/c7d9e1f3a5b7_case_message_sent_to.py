"""who an applicant's message goes to: a fund's caseworkers' shared mailbox (its
funktionspostkasse), and who each message on a case was e-mailed to, shown on the case

Revision ID: c7d9e1f3a5b7
Revises: d7a1f3c5e9b2
Create Date: 2026-12-06 13:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c7d9e1f3a5b7"
down_revision = "d7a1f3c5e9b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("fund") as batch_op:
        batch_op.add_column(
            sa.Column("caseworker_email", sa.String(length=254), server_default="", nullable=False)
        )
    with op.batch_alter_table("case_message") as batch_op:
        batch_op.add_column(sa.Column("sent_to", sa.JSON(none_as_null=True), nullable=True))


def downgrade():
    with op.batch_alter_table("case_message") as batch_op:
        batch_op.drop_column("sent_to")
    with op.batch_alter_table("fund") as batch_op:
        batch_op.drop_column("caseworker_email")
