"""A declaration of interest the committee never ruled on (the meeting cancelled, no quorum
for the ruling), or a ruling that the member is disqualified, goes with the case to its
next agenda item: the new declaration points to the one it was carried from. Declarations
made before this were made on their item (none carried).

Revision ID: a3c5e7f9b1d2
Revises: 9bbb559fb3c0
Create Date: 2026-12-07 22:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a3c5e7f9b1d2"
down_revision = "9bbb559fb3c0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("interest_declaration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carried_from_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_interest_declaration_carried_from_id"), ["carried_from_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_interest_declaration_carried_from_id_interest_declaration"),
            "interest_declaration",
            ["carried_from_id"],
            ["id"],
        )


def downgrade():
    # A carried declaration stays on its item as if declared there.
    with op.batch_alter_table("interest_declaration", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_interest_declaration_carried_from_id_interest_declaration"),
            type_="foreignkey",
        )
        batch_op.drop_index(batch_op.f("ix_interest_declaration_carried_from_id"))
        batch_op.drop_column("carried_from_id")
