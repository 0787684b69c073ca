"""letters in the recipient's language throughout: a fund's letter texts are kept per
language (the existing ones are Danish), and the municipality's own complaint guidance may
be given in English too

Revision ID: d7e2b9c4a1f6
Revises: c4f1a7d2e8b3
Create Date: 2026-12-06 03:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d7e2b9c4a1f6"
down_revision = "c4f1a7d2e8b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("letter_text", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), server_default="da", nullable=False)
        )
        batch_op.drop_constraint("uq_letter_text_fund_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_letter_text_fund_id", ["fund_id", "outcome", "language", "version"]
        )
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("complaint_guidance_en", sa.Text(), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.drop_column("complaint_guidance_en")
    # Only the Danish texts can stay under the old rule of one version number per outcome.
    op.execute("DELETE FROM letter_text WHERE language <> 'da'")
    with op.batch_alter_table("letter_text", schema=None) as batch_op:
        batch_op.drop_constraint("uq_letter_text_fund_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_letter_text_fund_id", ["fund_id", "outcome", "version"]
        )
        batch_op.drop_column("language")
