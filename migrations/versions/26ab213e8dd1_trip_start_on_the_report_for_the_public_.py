"""trip start on the report, for the public list's order

The openness pages list published trips newest first, a page at a time. Their order was
coalesce(report's actual departure, application's departure), across two tables, which no
index serves: every page sorted every published trip. The report now keeps that date itself.

Revision ID: 26ab213e8dd1
Revises: 6b0994578e53
Create Date: 2026-11-25 00:07:45.686222

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "26ab213e8dd1"
down_revision = "6b0994578e53"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("trip_report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trip_start", sa.Date(), nullable=True))
        batch_op.create_index(
            "ix_trip_report_trip_start", ["trip_start", "application_id"], unique=False
        )
    op.execute(
        "UPDATE trip_report SET trip_start = coalesce(actual_departure, "
        "(SELECT departure_date FROM application WHERE application.id = trip_report.application_id))"
    )


def downgrade():
    with op.batch_alter_table("trip_report", schema=None) as batch_op:
        batch_op.drop_index("ix_trip_report_trip_start")
        batch_op.drop_column("trip_start")
