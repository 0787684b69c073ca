"""An agenda item whose application was withdrawn while it stood on an open meeting's agenda
is marked withdrawn (``agenda_item.withdrawn_at``): the committee has nothing to decide on
it, and the meeting is closed without it (its minutes say the item was withdrawn). Before,
the item stayed "not issued" for good and the meeting could never be closed.

Items of cases already withdrawn from a meeting still open are marked here.

Revision ID: e5a7c9b1d3f6
Revises: 95e631c6f545
Create Date: 2026-12-07 15:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e5a7c9b1d3f6"
down_revision = "95e631c6f545"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agenda_item") as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
    item = sa.table(
        "agenda_item",
        sa.column("id", sa.Integer),
        sa.column("meeting_id", sa.Integer),
        sa.column("application_id", sa.Integer),
        sa.column("issue_status", sa.String),
        sa.column("withdrawn_at", sa.DateTime(timezone=True)),
    )
    meeting = sa.table("committee_meeting", sa.column("id", sa.Integer), sa.column("status", sa.String))
    application = sa.table(
        "application",
        sa.column("id", sa.Integer),
        sa.column("state", sa.String),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        item.update()
        .where(
            item.c.issue_status != "issued",
            item.c.meeting_id.in_(sa.select(meeting.c.id).where(meeting.c.status == "planned")),
            item.c.application_id.in_(
                sa.select(application.c.id).where(application.c.state == "withdrawn")
            ),
        )
        .values(
            withdrawn_at=sa.select(application.c.updated_at)
            .where(application.c.id == item.c.application_id)
            .scalar_subquery()
        )
    )


def downgrade():
    with op.batch_alter_table("agenda_item") as batch:
        batch.drop_column("withdrawn_at")
