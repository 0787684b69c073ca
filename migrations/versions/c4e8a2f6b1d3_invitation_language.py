"""An invitation keeps the language its e-mail was written in, so the word that it is
cancelled goes out in the same. Invitations sent before this: the language of the account
with the invited address if there is one (the e-mail went out in it), else the inviter's,
else Danish.

Revision ID: c4e8a2f6b1d3
Revises: a3c5e7f9b1d2
Create Date: 2026-12-07 22:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c4e8a2f6b1d3"
down_revision = "a3c5e7f9b1d2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("locale", sa.String(length=8), server_default="da", nullable=False)
        )
    op.execute(
        """
        UPDATE invitation SET locale = COALESCE(
            (SELECT min(u.locale) FROM "user" u WHERE lower(u.email) = lower(invitation.email)),
            (SELECT u.locale FROM "user" u WHERE u.id = invitation.invited_by_id),
            'da'
        )
        """
    )


def downgrade():
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("locale")
