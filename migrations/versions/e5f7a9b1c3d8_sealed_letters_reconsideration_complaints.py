"""sealed and verifiable letters: a verification code on each letter, and editions (a
reconsidered decision's letter replaces the one before, which stays); complaints forwarded
to the complaints body and their outcome

Revision ID: e5f7a9b1c3d8
Revises: d4f6a8c0e2b3
Create Date: 2026-12-06 09:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5f7a9b1c3d8"
down_revision = "d4f6a8c0e2b3"
branch_labels = None
depends_on = None

OUTCOMES = ("upheld", "changed", "remitted", "dismissed")


def upgrade():
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verification_code", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("edition", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("replaced_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_letter_verification_code"), ["verification_code"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_letter_replaced_by_id_letter"), "letter", ["replaced_by_id"], ["id"]
        )
        batch_op.drop_constraint("uq_letter_application_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_letter_application_id", ["application_id", "kind", "edition"]
        )
    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.String(length=200), nullable=False),
        sa.Column("forwarded_on", sa.Date(), nullable=False),
        sa.Column("forwarded_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                *OUTCOMES,
                name="complaintoutcome",
                native_enum=False,
                length=32,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("outcome_note", sa.Text(), server_default="", nullable=False),
        sa.Column("outcome_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_complaint_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letter.id"], name=op.f("fk_complaint_letter_id_letter")
        ),
        sa.ForeignKeyConstraint(
            ["forwarded_by_id"], ["user.id"], name=op.f("fk_complaint_forwarded_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["outcome_by_id"], ["user.id"], name=op.f("fk_complaint_outcome_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
    )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_application_id"), ["application_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_application_id"))
    op.drop_table("complaint")
    # Only the first edition of each letter fits the old rule of one letter per kind; the
    # later ones (reconsidered decisions) go.
    op.execute("UPDATE letter SET replaced_by_id = NULL")
    op.execute("DELETE FROM letter WHERE edition > 1")
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_constraint("uq_letter_application_id", type_="unique")
        batch_op.create_unique_constraint("uq_letter_application_id", ["application_id", "kind"])
        batch_op.drop_constraint(batch_op.f("fk_letter_replaced_by_id_letter"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_letter_verification_code"), type_="unique")
        batch_op.drop_column("replaced_at")
        batch_op.drop_column("replaced_by_id")
        batch_op.drop_column("edition")
        batch_op.drop_column("verification_code")
