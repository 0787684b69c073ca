"""the case file keeps every document version; a resubmission's facts; after the trip

A document received in a case is kept (journaliseringspligt, offentlighedsloven § 15): a new
upload is a new version that supersedes the one before, and nothing is updated or deleted.
On PostgreSQL a trigger refuses UPDATE and DELETE on ``attachment`` unless the transaction
has set ``grants.erasing_documents`` (the privacy purge, grants.applications.documents).

The journal's entries get their facts (``details``: a resubmission's changes, a document
received); the application keeps the applicant's reply while it is written; a fund may take
reports before the return date (``report_before_return``), and the routes' report steps get
their guards: a report once the trip is over (or the fund allows it), a settlement never
before the return date. Existing cases keep their routes, so their transitions are updated.

Revision ID: 5e7a2c4b9d13
Revises: 5e7b2c4d9a13
Create Date: 2026-11-25 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e7a2c4b9d13"
down_revision = "5e7b2c4d9a13"
branch_labels = None
depends_on = None

# The guards the report steps carry (grants/workflow/guards.py, the routes' TOML files).
REPORT_GUARDS = {"submit_report": "report_allowed", "approve_report": "trip_over"}


def upgrade():
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_attachment_supersedes_id_attachment"),
            "attachment",
            ["supersedes_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_attachment_supersedes_id"), ["supersedes_id"]
        )
    _number_the_versions()

    with op.batch_alter_table("journal_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details", sa.JSON(none_as_null=True), nullable=True))
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reply_draft", sa.Text(), server_default="", nullable=False)
        )
    with op.batch_alter_table("fund", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "report_before_return", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    transition = sa.table(
        "workflow_transition", sa.column("action", sa.String), sa.column("guard", sa.String)
    )
    for action, guard in REPORT_GUARDS.items():
        op.execute(
            transition.update()
            .where(transition.c.action == action, transition.c.guard == "")
            .values(guard=guard)
        )

    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION attachment_is_kept() RETURNS trigger AS $$
            BEGIN
                IF current_setting('grants.erasing_documents', true) = 'on' THEN
                    IF TG_OP = 'DELETE' THEN
                        RETURN OLD;
                    END IF;
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION 'attachment: a document received in a case is kept; '
                    'a new upload is a new version (only the privacy purge erases)';
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER attachment_kept
            BEFORE UPDATE OR DELETE ON attachment
            FOR EACH ROW EXECUTE FUNCTION attachment_is_kept()
        """)


def _number_the_versions() -> None:
    """Files kept so far: each is version 1 of its document, unless a case holds several
    for one purpose (other than receipts, which add up); those become versions in the order
    they came."""
    connection = op.get_bind()
    attachment = sa.table(
        "attachment",
        sa.column("id", sa.Integer),
        sa.column("application_id", sa.Integer),
        sa.column("purpose", sa.String),
        sa.column("version", sa.Integer),
        sa.column("supersedes_id", sa.Integer),
    )
    rows = connection.execute(
        sa.select(attachment.c.id, attachment.c.application_id, attachment.c.purpose)
        .where(attachment.c.purpose != "receipt")
        .order_by(attachment.c.application_id, attachment.c.purpose, attachment.c.id)
    ).all()
    previous: dict[tuple[int, str], tuple[int, int]] = {}
    for row_id, application_id, purpose in rows:
        before = previous.get((application_id, purpose))
        if before is not None:
            connection.execute(
                attachment.update()
                .where(attachment.c.id == row_id)
                .values(version=before[1] + 1, supersedes_id=before[0])
            )
        previous[(application_id, purpose)] = (row_id, before[1] + 1 if before else 1)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS attachment_kept ON attachment")
        op.execute("DROP FUNCTION IF EXISTS attachment_is_kept()")
    transition = sa.table(
        "workflow_transition", sa.column("action", sa.String), sa.column("guard", sa.String)
    )
    for action, guard in REPORT_GUARDS.items():
        op.execute(
            transition.update()
            .where(transition.c.action == action, transition.c.guard == guard)
            .values(guard="")
        )
    with op.batch_alter_table("fund", schema=None) as batch_op:
        batch_op.drop_column("report_before_return")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("reply_draft")
    with op.batch_alter_table("journal_entry", schema=None) as batch_op:
        batch_op.drop_column("details")
    # Versions cannot be undone into one file per purpose without deleting documents; the
    # columns go, the files stay.
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_attachment_supersedes_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_attachment_supersedes_id_attachment"), type_="foreignkey"
        )
        batch_op.drop_column("supersedes_id")
        batch_op.drop_column("version")
