"""payment batches for the finance system, and each fund's account string (kontostreng)
(issue 23 point 2)

Revision ID: c8e3f5a7b9d1
Revises: b7d2e4f6a8c0
Create Date: 2026-12-06 07:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c8e3f5a7b9d1"
down_revision = "b7d2e4f6a8c0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("fund", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("account_string", sa.String(length=60), server_default="", nullable=False)
        )
    op.create_table(
        "payment_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_payment_batch_created_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_batch")),
        sa.UniqueConstraint("number", name=op.f("uq_payment_batch_number")),
    )
    op.create_table(
        "payment_batch_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("voucher", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_payment_batch_line_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["payment_batch.id"], name=op.f("fk_payment_batch_line_batch_id_payment_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_batch_line")),
        sa.UniqueConstraint("batch_id", "position", name=op.f("uq_payment_batch_line_batch_id")),
    )
    with op.batch_alter_table("payment_batch_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_batch_line_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_payment_batch_line_batch_id"), ["batch_id"], unique=False
        )


def downgrade():
    op.drop_table("payment_batch_line")
    op.drop_table("payment_batch")
    with op.batch_alter_table("fund", schema=None) as batch_op:
        batch_op.drop_column("account_string")
