"""NemLog-in: the SAML assertions that logged someone in, each accepted once (replay refused)

Revision ID: b4d6f8a0c2e4
Revises: 972a17c21287
Create Date: 2026-12-06 06:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b4d6f8a0c2e4"
down_revision = "972a17c21287"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "used_assertion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assertion_id", sa.String(length=255), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("keep_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_used_assertion")),
        sa.UniqueConstraint("assertion_id", name=op.f("uq_used_assertion_assertion_id")),
    )
    with op.batch_alter_table("used_assertion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_used_assertion_keep_until"), ["keep_until"], unique=False
        )


def downgrade():
    with op.batch_alter_table("used_assertion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_used_assertion_keep_until"))
    op.drop_table("used_assertion")
