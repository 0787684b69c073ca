"""Each case keeps from which day it waits for a step of each role (issue 24): the columns
``waits_for_applicant``, ``waits_for_manager``, ``waits_for_caseworker`` and
``waits_for_board`` (grants.workflow.waits_for). The work queue, the menu's count and the
task list tested the whole transition table, route by route with its guards, on every case:
PostgreSQL planned that condition anew on every request (1-2.5 ms a statement, three or
four statements a page). They now compare a column with today.

Partial indexes on (fund, day) for the caseworker's and the board's days serve the
menu's and the task list's counts, which read the rule per role (the caseworker's
thousands up to the count's cap). An index on (fund, submitted, id) serves the queue filtered by a fund in its order (the
first page read in index order from the fund's own cases, where it walked every fund's:
1,600 cases passed over for 21 shown at 100,000).

The days are worked out here for every case, from the transition table and the guards as
they are today (written out: this migration must not change when the app's guards do).

Revision ID: d4f6a8c0e2b7
Revises: c3e5a7b9d1f4
Create Date: 2026-12-07 10:20:00

"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "d4f6a8c0e2b7"
down_revision = "c3e5a7b9d1f4"
branch_labels = None
depends_on = None

COLUMNS = {
    "applicant": "waits_for_applicant",
    "manager": "waits_for_manager",
    "caseworker": "waits_for_caseworker",
    "board_member": "waits_for_board",
}


def _backfill():
    application = sa.table(
        "application",
        sa.column("id", sa.Integer),
        sa.column("route_id", sa.Integer),
        sa.column("state", sa.String),
        sa.column("fund_id", sa.Integer),
        sa.column("amount_applied", sa.Numeric),
        sa.column("return_date", sa.Date),
        *(sa.column(name, sa.Date) for name in COLUMNS.values()),
    )
    fund = sa.table(
        "fund",
        sa.column("id", sa.Integer),
        sa.column("delegated_limit", sa.Numeric),
        sa.column("report_before_return", sa.Boolean),
    )
    transition = sa.table(
        "workflow_transition",
        sa.column("route_id", sa.Integer),
        sa.column("from_state", sa.String),
        sa.column("role", sa.String),
        sa.column("guard", sa.String),
        sa.column("notifies", sa.Boolean),
    )
    always = sa.literal(dt.date(1, 1, 1), sa.Date)
    within = application.c.amount_applied <= fund.c.delegated_limit
    first_day = sa.case(
        (transition.c.guard == "", always),
        (transition.c.guard == "within_delegated_limit", sa.case((within, always))),
        (transition.c.guard == "above_delegated_limit", sa.case((~within, always))),
        (
            transition.c.guard == "report_allowed",
            sa.case(
                (fund.c.report_before_return.is_(True), always),
                else_=application.c.return_date,
            ),
        ),
        (transition.c.guard == "trip_over", application.c.return_date),
    )

    def since(role):
        return (
            sa.select(sa.func.min(first_day))
            .select_from(transition)
            .join(fund, fund.c.id == application.c.fund_id)
            .where(
                transition.c.route_id == application.c.route_id,
                transition.c.from_state == application.c.state,
                transition.c.role == role,
                transition.c.notifies,
            )
            .correlate(application)
            .scalar_subquery()
        )

    op.execute(
        sa.update(application).values(
            {application.c[name]: since(role) for role, name in COLUMNS.items()}
        )
    )


def upgrade():
    with op.batch_alter_table("application") as batch:
        for name in COLUMNS.values():
            batch.add_column(sa.Column(name, sa.Date(), nullable=True))
    _backfill()
    op.create_index(
        "ix_application_fund_submitted_id", "application", ["fund_id", "submitted_at", "id"]
    )
    for role in ("caseworker", "board"):
        column = f"waits_for_{role}"
        op.create_index(
            f"ix_application_{column}",
            "application",
            ["fund_id", column],
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
            sqlite_where=sa.text(f"{column} IS NOT NULL"),
        )


def downgrade():
    for role in ("caseworker", "board"):
        op.drop_index(f"ix_application_waits_for_{role}", table_name="application")
    op.drop_index("ix_application_fund_submitted_id", table_name="application")
    with op.batch_alter_table("application") as batch:
        for name in COLUMNS.values():
            batch.drop_column(name)
