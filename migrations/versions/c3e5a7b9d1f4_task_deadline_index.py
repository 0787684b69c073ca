"""The task list sorted by deadline from an index (issue 24): a case's deadline is the
report's while the report is due, else the decision's (the departure) while it is undecided
(grants.desk.tasks.deadline_column). Nothing indexed it, so a caseworker's list sorted by
deadline gathered and sorted all of their ~7,700 tasks at 100,000 cases (15-27 ms) to show
the first 20. The index on the same expression, and the case's id after it, gives them in
the order of the list's first page. PostgreSQL only (the expression must be the query's to
the letter, states written out; SQLite sorts). An expression, not a partial index: the
planner weighs an expression only against the sort and the conditions on it, while a partial
index's condition would be tried against every statement on the cases.

Revision ID: c3e5a7b9d1f4
Revises: a7c9e1b3d5f8
Create Date: 2026-12-07 04:40:00

"""

from alembic import op

revision = "c3e5a7b9d1f4"
down_revision = "a7c9e1b3d5f8"
branch_labels = None
depends_on = None

# grants.desk.tasks.deadline_column as it is sent to PostgreSQL (REPORT_DUE_STATES inline).
DEADLINE = (
    "CASE WHEN (state IN ('granted', 'partly_granted', 'report_returned')) THEN report_due "
    "WHEN (outcome IS NULL) THEN departure_date END"
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX ix_application_deadline_id ON application (({DEADLINE}), id)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_application_deadline_id")
