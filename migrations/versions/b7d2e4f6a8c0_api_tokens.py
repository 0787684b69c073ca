"""API tokens an administrator issues, and the answers kept per idempotency key (issue 23)

Revision ID: b7d2e4f6a8c0
Revises: d0f2a4c6e8b3
Create Date: 2026-12-06 07:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b7d2e4f6a8c0"
down_revision = "d0f2a4c6e8b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"], name=op.f("fk_api_token_owner_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("digest", name=op.f("uq_api_token_digest")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_owner_id"), ["owner_id"], unique=False)
    op.create_table(
        "api_idempotent_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_token.id"], name=op.f("fk_api_idempotent_answer_token_id_api_token")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotent_answer")),
        sa.UniqueConstraint("token_id", "key", name=op.f("uq_api_idempotent_answer_token_id")),
    )
    with op.batch_alter_table("api_idempotent_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_idempotent_answer_token_id"), ["token_id"], unique=False
        )


def downgrade():
    op.drop_table("api_idempotent_answer")
    op.drop_table("api_token")
