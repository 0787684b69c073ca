"""A reply of the applicant side to a request for information that takes no step of the
route (asked as a message while the case awaited a decision or stood on a committee's
agenda, or answered after the case had moved on) is kept as unread (``case_reply_unread``)
until a caseworker has read it: the case waits for the caseworkers meanwhile (their task
list, the menu's count) and the case page marks the reply unread.

Replies written before this are not marked: which of them were read cannot be known.

Revision ID: f6b8d0a2c4e7
Revises: e5a7c9b1d3f6
Create Date: 2026-12-07 16:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f6b8d0a2c4e7"
down_revision = "e5a7c9b1d3f6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_reply_unread",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_case_reply_unread_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["case_message.id"],
            name=op.f("fk_case_reply_unread_message_id_case_message"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_reply_unread")),
        sa.UniqueConstraint("message_id", name=op.f("uq_case_reply_unread_message_id")),
    )
    op.create_index(
        "ix_case_reply_unread_application_id", "case_reply_unread", ["application_id"]
    )


def downgrade():
    op.drop_index("ix_case_reply_unread_application_id", table_name="case_reply_unread")
    op.drop_table("case_reply_unread")
