"""per diem (diæter) as its own budget and accounts category, apart from meals, as other Danish
municipalities publish their trips' accounts (issue 23 point 4); lines written before keep
"meals" (then: meals and per diem)

Revision ID: c8e0a2b4d6f1
Revises: b4d6f8a0c2e4
Create Date: 2026-12-06 07:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c8e0a2b4d6f1"
down_revision = "b4d6f8a0c2e4"
branch_labels = None
depends_on = None

BEFORE = ("transport", "accommodation", "fees", "meals", "other")
AFTER = ("transport", "accommodation", "fees", "meals", "per_diem", "other")
TABLES = ("budget_line", "account_line")


def _check(categories: tuple[str, ...]) -> sa.TextClause:
    return sa.text("category IN ({})".format(", ".join(f"'{c}'" for c in categories)))


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_budgetcategory"), type_="check")
            batch_op.create_check_constraint("budgetcategory", _check(AFTER))


def downgrade():
    for table in TABLES:
        # Per diem goes back into meals (what "meals" meant before).
        op.execute(sa.text(f"UPDATE {table} SET category = 'meals' WHERE category = 'per_diem'"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_budgetcategory"), type_="check")
            batch_op.create_check_constraint("budgetcategory", _check(BEFORE))
