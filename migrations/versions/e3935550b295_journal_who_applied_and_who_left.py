"""The journal read by who applied and by the contact persons who left.

The work queue, the search and the menu's count leave out of a person's lists the
organisations' cases they applied for or left as contact person (grants.workflow.interest).
Without these two indexes PostgreSQL read the whole journal for it on every page a
caseworker opened.

Revision ID: e3935550b295
Revises: f0a2c4e6b8d1
Create Date: 2026-12-07 20:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e3935550b295"
down_revision = "f0a2c4e6b8d1"
branch_labels = None
depends_on = None

LEFT = sa.text("action = 'representative_removed'")


def upgrade():
    with op.batch_alter_table("journal_entry", schema=None) as batch_op:
        batch_op.create_index("ix_journal_entry_actor_id_action", ["actor_id", "action"])
        batch_op.create_index(
            "ix_journal_entry_representative_removed",
            ["application_id"],
            postgresql_where=LEFT,
            sqlite_where=LEFT,
        )


def downgrade():
    with op.batch_alter_table("journal_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_journal_entry_representative_removed")
        batch_op.drop_index("ix_journal_entry_actor_id_action")
