"""indexes on application.updated_at and trip_report.updated_at: the public pages' ETag and
Last-Modified read the latest change of each (grants.publication.queries.publication_version)
with one cheap query, MAX over an index, at any number of applications

Revision ID: d4f6a8c0e2b5
Revises: c8e3f5a7b9d1
Create Date: 2026-12-06 09:30:00

"""

from alembic import op

revision = "d4f6a8c0e2b5"
down_revision = "c8e3f5a7b9d1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_application_updated_at", "application", ["updated_at"])
    op.create_index("ix_trip_report_updated_at", "trip_report", ["updated_at"])


def downgrade():
    op.drop_index("ix_trip_report_updated_at", table_name="trip_report")
    op.drop_index("ix_application_updated_at", table_name="application")
