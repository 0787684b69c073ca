"""fund kinds from the registry (grants.funds.kinds): the database no longer lists the
codes, so a new kind of fund needs no migration

Revision ID: a9f4c2e6b8d1
Revises: a4c6e8f0b2d3
Create Date: 2026-12-06 06:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a9f4c2e6b8d1"
down_revision = "a4c6e8f0b2d3"
branch_labels = None
depends_on = None

# The kinds the CHECK constraint allowed before.
OLD_KINDS = ("study_trip", "youth_trip", "hosting", "pupil_exchange", "committee")


def upgrade():
    with op.batch_alter_table("fund", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_fund_fundkind"), type_="check")


def downgrade():
    listed = ", ".join(f"'{kind}'" for kind in OLD_KINDS)
    newer = op.get_bind().execute(
        sa.text(f"SELECT code, kind FROM fund WHERE kind NOT IN ({listed})")
    ).all()
    if newer:
        raise RuntimeError(
            "Cannot go below a9f4c2e6b8d1: these funds are of kinds the old schema does not "
            f"know: {', '.join(f'{code} ({kind})' for code, kind in newer)}"
        )
    with op.batch_alter_table("fund", schema=None) as batch_op:
        batch_op.create_check_constraint("fundkind", sa.text(f"kind IN ({listed})"))
