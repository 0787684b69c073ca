"""the login seam: a person may have no password (they log in another way), and an identity
at another login method (backend, subject) links to one person

Revision ID: e8a3c5d7f9b1
Revises: d7e2b9c4a1f6
Create Date: 2026-12-06 04:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e8a3c5d7f9b1"
down_revision = "d7e2b9c4a1f6"
branch_labels = None
depends_on = None

# What a password-less account gets on the way down, where a password is required again: not a
# hash of any password (check_password_hash answers False to it), so nobody can log in with it.
NO_PASSWORD = "!"


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("password_hash", existing_type=sa.String(length=255), nullable=True)
    op.create_table(
        "user_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("backend", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_user_identity_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_identity")),
        sa.UniqueConstraint("backend", "subject", name=op.f("uq_user_identity_backend")),
    )
    with op.batch_alter_table("user_identity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_identity_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("user_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_identity_user_id"))
    op.drop_table("user_identity")
    user = sa.table("user", sa.column("password_hash", sa.String))
    op.execute(
        user.update().where(user.c.password_hash.is_(None)).values(password_hash=NO_PASSWORD)
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("password_hash", existing_type=sa.String(length=255), nullable=False)
