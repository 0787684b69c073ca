"""the municipality's payment details for refunds: the account (reg. and account number) or
another payment method, written in every letter that asks for money back

Revision ID: c4f1a7d2e8b3
Revises: 7c1d3e5f9a21
Create Date: 2026-12-06 03:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4f1a7d2e8b3"
down_revision = "7c1d3e5f9a21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refund_reg_number", sa.String(length=4), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "refund_account_number", sa.String(length=10), server_default="", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("refund_payment_method", sa.Text(), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.drop_column("refund_payment_method")
        batch_op.drop_column("refund_account_number")
        batch_op.drop_column("refund_reg_number")
