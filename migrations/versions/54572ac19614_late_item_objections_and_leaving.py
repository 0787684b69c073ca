"""An item added late is decided only if no member objects or it is recorded as urgent: the
members' objections (who, when, withdrawn when) and the urgency (reason, who, when) are
kept. A member who leaves a meeting before it ends has the time kept, so they take no part
in (nor count for the quorum of) the items decided after.

Revision ID: 54572ac19614
Revises: d7a1c3e5f9b2
Create Date: 2026-12-08 00:56:58

"""

import sqlalchemy as sa
from alembic import op

revision = "54572ac19614"
down_revision = "d7a1c3e5f9b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "late_item_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("objected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_item.id"],
            name=op.f("fk_late_item_objection_agenda_item_id_agenda_item"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_late_item_objection_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_item_objection")),
        sa.UniqueConstraint(
            "agenda_item_id", "user_id", name=op.f("uq_late_item_objection_agenda_item_id")
        ),
    )
    with op.batch_alter_table("late_item_objection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_late_item_objection_agenda_item_id"), ["agenda_item_id"], unique=False
        )

    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("urgent_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("urgent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "taken_off_for_objection", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(sa.Column("urgent_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_agenda_item_urgent_by_id_user"), "user", ["urgent_by_id"], ["id"]
        )

    with op.batch_alter_table("committee_attendance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("committee_attendance", schema=None) as batch_op:
        batch_op.drop_column("left_at")

    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_agenda_item_urgent_by_id_user"), type_="foreignkey")
        batch_op.drop_column("urgent_by_id")
        batch_op.drop_column("taken_off_for_objection")
        batch_op.drop_column("urgent_at")
        batch_op.drop_column("urgent_reason")

    with op.batch_alter_table("late_item_objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_late_item_objection_agenda_item_id"))

    op.drop_table("late_item_objection")
