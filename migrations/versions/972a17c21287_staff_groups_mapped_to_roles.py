"""staff log in by OpenID Connect: the administrator's mapping of the identity provider's groups
to roles (per fund or committee where the role needs one), and which group granted a role,
a fund board seat or a committee seat (None: granted by hand)

Revision ID: 972a17c21287
Revises: a9f4c2e6b8d1
Create Date: 2026-12-06 05:55:34.506104

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "972a17c21287"
down_revision = "a9f4c2e6b8d1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "group_role_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_name", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "employee",
                "manager",
                "caseworker",
                "finance",
                "admin",
                "board_member",
                "committee_member",
                "committee_chair",
                "committee_secretary",
                name="grouprole",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("fund_id", sa.Integer(), nullable=True),
        sa.Column("committee_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(role = 'board_member') = (fund_id IS NOT NULL)",
            name=op.f("ck_group_role_mapping_fund_iff_board_member"),
        ),
        sa.CheckConstraint(
            "(role LIKE 'committee_%') = (committee_id IS NOT NULL)",
            name=op.f("ck_group_role_mapping_committee_iff_committee_role"),
        ),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committee.id"],
            name=op.f("fk_group_role_mapping_committee_id_committee"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["fund.id"],
            name=op.f("fk_group_role_mapping_fund_id_fund"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_role_mapping")),
    )
    with op.batch_alter_table("group_role_mapping", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_role_mapping_group_name"), ["group_name"], unique=False
        )

    with op.batch_alter_table("committee_membership", schema=None) as batch_op:
        batch_op.add_column(sa.Column("granted_by_group", sa.String(length=255), nullable=True))

    with op.batch_alter_table("fund_board_member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("granted_by_group", sa.String(length=255), nullable=True))

    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.add_column(sa.Column("granted_by_group", sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.drop_column("granted_by_group")

    with op.batch_alter_table("fund_board_member", schema=None) as batch_op:
        batch_op.drop_column("granted_by_group")

    with op.batch_alter_table("committee_membership", schema=None) as batch_op:
        batch_op.drop_column("granted_by_group")

    with op.batch_alter_table("group_role_mapping", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_role_mapping_group_name"))

    op.drop_table("group_role_mapping")
