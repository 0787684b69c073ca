"""election periods per municipality: the first year of an election period and the period's
length (Danish municipal elections in November 2021 and 2025: periods 2022-2025, 2026-2029)

Revision ID: e3a8c5d1f7b2
Revises: f1b3d5a7c9e2
Create Date: 2026-12-06 04:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e3a8c5d1f7b2"
down_revision = "f1b3d5a7c9e2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("election_first_year", sa.Integer(), server_default="2022", nullable=False)
        )
        batch_op.add_column(
            sa.Column("election_period_years", sa.Integer(), server_default="4", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_municipality_election_period_years"), "election_period_years BETWEEN 1 AND 10"
        )


def downgrade():
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_municipality_election_period_years"), type_="check")
        batch_op.drop_column("election_period_years")
        batch_op.drop_column("election_first_year")
