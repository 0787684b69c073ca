"""An index on the application's (fund, state, route): the task page's filter choices ask,
for each fund and each (state, route) where the person may have a step, whether a case waits
for them there; one probe of this index each, where a probe by (fund, state) alone read
every case of a fund in a state whose route gives the person no step (issue 24).

Revision ID: a4c6e8f0b2d4
Revises: b8e0f2a4c6d9
Create Date: 2026-12-06 19:40:00

"""

from alembic import op

revision = "a4c6e8f0b2d4"
down_revision = "b8e0f2a4c6d9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_application_fund_state_route",
        "application",
        ["fund_id", "state", "route_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_application_fund_state_route", table_name="application")
