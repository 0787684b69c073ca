"""application.form_key: the key of the new-application form a case was made from, unique, so
that a form sent twice (a double click) finds its case instead of making a second one

Revision ID: d0f2a4c6e8b3
Revises: c8e0a2b4d6f1
Create Date: 2026-12-06 07:55:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d0f2a4c6e8b3"
down_revision = "c8e0a2b4d6f1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_key", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(op.f("uq_application_form_key"), ["form_key"])


def downgrade():
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_application_form_key"), type_="unique")
        batch_op.drop_column("form_key")
