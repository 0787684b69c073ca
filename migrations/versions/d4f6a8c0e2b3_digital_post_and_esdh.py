"""Digital Post of the letters and journalisation to the ESDH (issue 22 points 1 and 3):
per fund whether its letters go by Digital Post and its KLE number and handling code; each
letter's delivery (channel, status, the secure link's hash); each document journalised.

Revision ID: d4f6a8c0e2b3
Revises: d4f6a8c0e2b5
Create Date: 2026-12-06 09:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d4f6a8c0e2b3"
down_revision = "d4f6a8c0e2b5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("fund", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("digital_post", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("kle_number", sa.String(length=8), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("handling_code", sa.String(length=3), server_default="", nullable=False)
        )
    op.create_table(
        "letter_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("transaction_id", sa.String(length=64), nullable=False),
        sa.Column("message_uuid", sa.String(length=64), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=True),
        sa.Column("link_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("link_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("printed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_letter_delivery_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letter.id"], name=op.f("fk_letter_delivery_letter_id_letter")
        ),
        sa.ForeignKeyConstraint(
            ["printed_by_id"], ["user.id"], name=op.f("fk_letter_delivery_printed_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_delivery")),
        sa.UniqueConstraint("letter_id", name=op.f("uq_letter_delivery_letter_id")),
        sa.UniqueConstraint("link_hash", name=op.f("uq_letter_delivery_link_hash")),
    )
    with op.batch_alter_table("letter_delivery", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_letter_delivery_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_letter_delivery_status"), ["status"], unique=False)
    op.create_table(
        "journalisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("adapter", sa.String(length=40), nullable=False),
        sa.Column("destination", sa.String(length=254), nullable=False),
        sa.Column("kle_number", sa.String(length=8), nullable=False),
        sa.Column("handling_code", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_journalisation_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["user.id"], name=op.f("fk_journalisation_requested_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journalisation")),
    )
    with op.batch_alter_table("journalisation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_journalisation_application_id"), ["application_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("journalisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journalisation_application_id"))
    op.drop_table("journalisation")
    with op.batch_alter_table("letter_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_delivery_status"))
        batch_op.drop_index(batch_op.f("ix_letter_delivery_application_id"))
    op.drop_table("letter_delivery")
    with op.batch_alter_table("fund", schema=None) as batch_op:
        batch_op.drop_column("handling_code")
        batch_op.drop_column("kle_number")
        batch_op.drop_column("digital_post")
