"""committees, meetings, agendas, interests and jobs

Revision ID: 617dfaace984
Revises: 822f39ac07b3
Create Date: 2026-11-25 00:12:36.143811

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '617dfaace984'
down_revision = '822f39ac07b3'
branch_labels = None
depends_on = None


ROLES_BEFORE = "role IN ('applicant', 'manager', 'caseworker', 'board_member')"
ROLES_AFTER = "role IN ('applicant', 'manager', 'caseworker', 'board_member', 'committee')"


def _case_roles(check: str) -> None:
    """The transition table's role is an enum checked by the database: a new role (the
    committee recording its decisions) needs the check replaced."""
    with op.batch_alter_table('workflow_transition', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_workflow_transition_caserole'), type_='check')
        batch_op.create_check_constraint(op.f('ck_workflow_transition_caserole'), check)


def upgrade():
    _case_roles(ROLES_AFTER)
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='jobstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_job_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job'))
    )
    op.create_table('committee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('standing', 'finance', 'council', name='committeekind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('period_first', sa.Integer(), nullable=False),
    sa.Column('period_last', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_committee_fund_id_fund')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee')),
    sa.UniqueConstraint('fund_id', name=op.f('uq_committee_fund_id'))
    )
    op.create_table('committee_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('planned', 'closed', name='meetingstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('minutes_pdf', sa.LargeBinary(), nullable=True),
    sa.Column('minutes_sha256', sa.String(length=64), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_committee_meeting_closed_by_id_user')),
    sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], name=op.f('fk_committee_meeting_committee_id_committee')),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_committee_meeting_job_id_job')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_meeting'))
    )
    with op.batch_alter_table('committee_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_meeting_committee_id'), ['committee_id'], unique=False)

    op.create_table('committee_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('member', 'chair', 'secretary', name='memberrole', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], name=op.f('fk_committee_membership_committee_id_committee'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_committee_membership_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_membership'))
    )
    with op.batch_alter_table('committee_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_membership_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_committee_membership_user_id'), ['user_id'], unique=False)

    op.create_table('agenda_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('decision', 'report_approval', name='agendakind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recommendation', sa.Text(), nullable=False),
    sa.Column('decision', sa.Enum('grant', 'grant_part', 'refuse', 'postpone', 'approve_report', 'return_report', name='decision', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('issue_status', sa.Enum('pending', 'issued', 'failed', name='issuestatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('failure_reason', sa.Text(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_agenda_item_application_id_application')),
    sa.ForeignKeyConstraint(['meeting_id'], ['committee_meeting.id'], name=op.f('fk_agenda_item_meeting_id_committee_meeting')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_agenda_item_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_item')),
    sa.UniqueConstraint('meeting_id', 'application_id', 'kind', name=op.f('uq_agenda_item_meeting_id'))
    )
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_item_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_item_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('committee_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['committee_meeting.id'], name=op.f('fk_committee_attendance_meeting_id_committee_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_committee_attendance_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_attendance')),
    sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_committee_attendance_meeting_id'))
    )
    with op.batch_alter_table('committee_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_attendance_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('interest_declaration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('system', 'declared', name='interestsource', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('disqualified', sa.Boolean(), nullable=True),
    sa.Column('ruled_by_id', sa.Integer(), nullable=True),
    sa.Column('ruled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name=op.f('fk_interest_declaration_agenda_item_id_agenda_item')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_interest_declaration_application_id_application')),
    sa.ForeignKeyConstraint(['ruled_by_id'], ['user.id'], name=op.f('fk_interest_declaration_ruled_by_id_user')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_interest_declaration_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_declaration')),
    sa.UniqueConstraint('agenda_item_id', 'user_id', name=op.f('uq_interest_declaration_agenda_item_id'))
    )
    with op.batch_alter_table('interest_declaration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interest_declaration_agenda_item_id'), ['agenda_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_declaration_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_declaration_user_id'), ['user_id'], unique=False)



def downgrade():
    op.execute("DELETE FROM workflow_transition WHERE role = 'committee'")
    with op.batch_alter_table('interest_declaration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interest_declaration_user_id'))
        batch_op.drop_index(batch_op.f('ix_interest_declaration_application_id'))
        batch_op.drop_index(batch_op.f('ix_interest_declaration_agenda_item_id'))

    op.drop_table('interest_declaration')
    with op.batch_alter_table('committee_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_attendance_meeting_id'))

    op.drop_table('committee_attendance')
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_item_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_agenda_item_application_id'))

    op.drop_table('agenda_item')
    with op.batch_alter_table('committee_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_membership_user_id'))
        batch_op.drop_index(batch_op.f('ix_committee_membership_committee_id'))

    op.drop_table('committee_membership')
    with op.batch_alter_table('committee_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_meeting_committee_id'))

    op.drop_table('committee_meeting')
    op.drop_table('committee')
    op.drop_table('job')
    _case_roles(ROLES_BEFORE)
