"""When each case came into its state (the task list's waiting time), and on PostgreSQL the
search's indexes: Danish full-text search over the application's text and trigram indexes
(pg_trgm) for names and partial words (issue 21 points 1 and 2)

Revision ID: d4a6c8e0f2b4
Revises: e5f7a9b1c3d8
Create Date: 2026-12-06 09:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d4a6c8e0f2b4"
down_revision = "e5f7a9b1c3d8"
branch_labels = None
depends_on = None

# The text searched with the 'danish' configuration: the same expression as
# grants.desk.search.SEARCHED_TEXT, so that PostgreSQL uses this index for it.
SEARCHED_TEXT = (
    "to_tsvector('danish'::regconfig, coalesce(title, '') || ' ' || coalesce(purpose, '') "
    "|| ' ' || coalesce(destination_city, '') || ' ' || coalesce(programme, '') || ' ' "
    "|| coalesce(expected_benefit, '') || ' ' || coalesce(direct_contact, ''))"
)
# Trigram indexes: names and partial words ("Ungdomsork", "Madsn"), ILIKE '%...%' too.
TRIGRAM = (
    ("ix_application_title_trgm", "application", "title"),
    ("ix_application_case_number_trgm", "application", "case_number"),
    ("ix_application_destination_city_trgm", "application", "destination_city"),
    ("ix_user_name_trgm", '"user"', "name"),
    ("ix_organisation_name_trgm", "organisation", "name"),
)


def upgrade():
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state_since", sa.DateTime(timezone=True), nullable=True))
    # Since the last step that brought the case into its state, else since it was made.
    op.execute(
        "UPDATE application SET state_since = coalesce("
        "(SELECT max(j.created_at) FROM journal_entry j WHERE j.application_id = application.id"
        " AND j.to_state = application.state), submitted_at, created_at)"
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index("ix_application_state_since_id", ["state_since", "id"], unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    # A trusted extension from PostgreSQL 13: the database's owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"CREATE INDEX ix_application_search_text ON application USING gin ({SEARCHED_TEXT})")
    for name, table, column in TRIGRAM:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, _table, _column in TRIGRAM:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute("DROP INDEX IF EXISTS ix_application_search_text")
        # The extension stays: other objects of the database may use it by now.
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index("ix_application_state_since_id")
        batch_op.drop_column("state_since")
