"""a document taken back before it was sent (issue 21 point 12): a row of its own, so the
document itself stays in the case file unchanged, marked withdrawn; existing documents have
none and read as before

Revision ID: b7d2e4f6a8c1
Revises: 63720455cbdc
Create Date: 2026-12-06 12:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2e4f6a8c1'
down_revision = '63720455cbdc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attachment_withdrawal',
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_attachment_withdrawal_attachment_id_attachment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user.id'], name=op.f('fk_attachment_withdrawal_withdrawn_by_id_user')),
    sa.PrimaryKeyConstraint('attachment_id', name=op.f('pk_attachment_withdrawal'))
    )


def downgrade():
    op.drop_table('attachment_withdrawal')
