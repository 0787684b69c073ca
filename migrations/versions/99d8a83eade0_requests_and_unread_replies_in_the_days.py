"""The days a case keeps for the applicant side and the caseworkers (``waits_for_applicant``,
``waits_for_caseworker``, grants.workflow.waits_for) now hold what grants.messages makes a
case wait for besides its route's steps: an unanswered request for information waits for the
applicant side at once (unless the case is a draft or has ended), an unread reply
(``case_reply_unread``) for the caseworkers at once. The work queue, the menu's count and the
task list read only the columns again, where they tested a subquery over the thread on every
case (PostgreSQL's time of the filtered work queue doubled).

Up: those cases' days set to the earliest a date keeps (the day a case waits from "at once",
which is before any day the route gives). Down: their days worked out from their routes
alone, as the app before this keeps them (it reads the thread itself); written out as the
guards are today, like d4f6a8c0e2b7, so this migration does not change when they do.

Revision ID: 99d8a83eade0
Revises: f6b8d0a2c4e7
Create Date: 2026-12-07 16:50:00

"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "99d8a83eade0"
down_revision = "f6b8d0a2c4e7"
branch_labels = None
depends_on = None

ALWAYS = dt.date(1, 1, 1)
NOTHING_ASKED_STATES = ("draft", "withdrawn", "refused", "cancelled", "settled")

application = sa.table(
    "application",
    sa.column("id", sa.Integer),
    sa.column("route_id", sa.Integer),
    sa.column("state", sa.String),
    sa.column("fund_id", sa.Integer),
    sa.column("amount_applied", sa.Numeric),
    sa.column("return_date", sa.Date),
    sa.column("waits_for_applicant", sa.Date),
    sa.column("waits_for_caseworker", sa.Date),
)
message = sa.table(
    "case_message",
    sa.column("id", sa.Integer),
    sa.column("application_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("from_applicant", sa.Boolean),
)
unread = sa.table("case_reply_unread", sa.column("application_id", sa.Integer))


def _asked():
    """The case has a request for information no message of the applicant side came after."""
    request, answer = message.alias("request"), message.alias("answer")
    answered = sa.exists().where(
        answer.c.application_id == request.c.application_id,
        answer.c.from_applicant.is_(True),
        answer.c.id > request.c.id,
    )
    return sa.and_(
        application.c.state.not_in(NOTHING_ASKED_STATES),
        sa.exists().where(
            request.c.application_id == application.c.id,
            request.c.kind == "request",
            ~answered,
        ),
    )


def _unread():
    return sa.exists().where(unread.c.application_id == application.c.id)


def upgrade():
    always = sa.literal(ALWAYS, sa.Date)
    op.execute(sa.update(application).where(_asked()).values(waits_for_applicant=always))
    op.execute(sa.update(application).where(_unread()).values(waits_for_caseworker=always))


def _since(role):
    """The case's day for ``role`` from its route's notifying transitions and their guards
    (as d4f6a8c0e2b7 works it out)."""
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
    always = sa.literal(ALWAYS, sa.Date)
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


def downgrade():
    op.execute(
        sa.update(application).where(_asked()).values(waits_for_applicant=_since("applicant"))
    )
    op.execute(
        sa.update(application).where(_unread()).values(waits_for_caseworker=_since("caseworker"))
    )
