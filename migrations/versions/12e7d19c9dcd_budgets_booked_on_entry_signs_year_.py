"""Budgets: booked_on, entry signs, year closings, budget journal

Revision ID: 12e7d19c9dcd
Revises: 4ba2e912e869
Create Date: 2026-11-24 22:06:55.868115

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '12e7d19c9dcd'
down_revision = '4ba2e912e869'
branch_labels = None
depends_on = None

# The sign of each kind of entry (grants/budgets/models.py): these are always negative,
# those always positive; allocations and adjustments may be either.
SIGN = (
    "(kind NOT IN ('carry_over_out', 'release', 'refund') OR amount < 0) "
    "AND (kind NOT IN ('carry_over_in', 'reservation', 'payment') OR amount > 0)"
)


def upgrade():
    op.create_table('budget_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_budget_event_actor_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_event'))
    )
    op.create_table('budget_year_closing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('carried', 'lapsed', 'none', name='closingoutcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_budget_year_closing_closed_by_id_user')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_budget_year_closing_fund_id_fund')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_year_closing')),
    sa.UniqueConstraint('fund_id', 'year', name='uq_budget_year_closing_fund_year')
    )

    # booked_on: the day an entry counts from. Existing entries count from the day they
    # were recorded (in Danish time where the database knows time zones).
    with op.batch_alter_table('budget_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('booked_on', sa.Date(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "UPDATE budget_entry SET booked_on = "
            "(created_at AT TIME ZONE 'Europe/Copenhagen')::date"
        )
    else:
        op.execute("UPDATE budget_entry SET booked_on = DATE(created_at)")
    with op.batch_alter_table('budget_entry', schema=None) as batch_op:
        batch_op.alter_column('booked_on', existing_type=sa.Date(), nullable=False)
        batch_op.create_index(batch_op.f('ix_budget_entry_booked_on'), ['booked_on'], unique=False)
        batch_op.create_check_constraint(op.f('ck_budget_entry_sign'), SIGN)


def downgrade():
    with op.batch_alter_table('budget_entry', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_budget_entry_sign'), type_='check')
        batch_op.drop_index(batch_op.f('ix_budget_entry_booked_on'))
        batch_op.drop_column('booked_on')

    op.drop_table('budget_year_closing')
    op.drop_table('budget_event')
