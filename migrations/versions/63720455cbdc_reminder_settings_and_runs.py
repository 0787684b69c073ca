"""reminders in the app (issue 21 point 6): which reminder about the report is sent, when and
to whom, as settings the secretariat changes (the rows written here are what the command did
until now: a week, or the fund's own days, before the deadline and the day after it, to the
applicant and every member of the organisation), and a log of each run and what it sent

Revision ID: 63720455cbdc
Revises: 8ff0ff67d8b2
Create Date: 2026-12-06 09:15:43.574109

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '63720455cbdc'
down_revision = '8ff0ff67d8b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_setting',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=True),
    sa.Column('recipients', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_reminder_setting'))
    )
    op.create_table('reminder_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_reminder_run_actor_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_run'))
    )
    setting = sa.table(
        "reminder_setting",
        sa.column("kind", sa.String),
        sa.column("active", sa.Boolean),
        sa.column("days", sa.Integer),
        sa.column("recipients", sa.String),
    )
    op.bulk_insert(
        setting,
        [
            # Before the deadline: each fund's own number of days (Fund.remind_days_before).
            {"kind": "before_due", "active": True, "days": None, "recipients": "applicant_side"},
            # From the day after the deadline.
            {"kind": "overdue", "active": True, "days": 1, "recipients": "applicant_side"},
        ],
    )
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('run_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recipients', sa.Text(), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_reminder_log_run_id'), ['run_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_reminder_log_run_id_reminder_run'), 'reminder_run', ['run_id'], ['id'])



def downgrade():
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reminder_log_run_id_reminder_run'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reminder_log_run_id'))
        batch_op.drop_column('recipients')
        batch_op.drop_column('run_id')

    op.drop_table('reminder_run')
    op.drop_table('reminder_setting')
