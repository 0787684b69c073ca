"""form drafts (issue 21 point 9): what a person typed into an application or report form and
did not save or send, kept per person and form until saved, sent, discarded or purged

Revision ID: d7a1f3c5e9b2
Revises: b7d2e4f6a8c1
Create Date: 2026-12-06 12:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a1f3c5e9b2'
down_revision = 'b7d2e4f6a8c1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('form_key', sa.String(length=80), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_form_draft_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_draft')),
    sa.UniqueConstraint('user_id', 'form_key', name=op.f('uq_form_draft_user_id'))
    )
    with op.batch_alter_table('form_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_draft_saved_at'), ['saved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_draft_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('form_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_draft_user_id'))
        batch_op.drop_index(batch_op.f('ix_form_draft_saved_at'))
    op.drop_table('form_draft')
