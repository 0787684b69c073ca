"""the standard partial-grant text, worded for every recipient: funds still on the text that
said "du søgte om" (to an association too) get the corrected wording as their next version

Revision ID: f1b3d5a7c9e2
Revises: e8a3c5d7f9b1
Create Date: 2026-12-06 04:50:00

"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "f1b3d5a7c9e2"
down_revision = "e8a3c5d7f9b1"
branch_labels = None
depends_on = None

# The standard text as shipped until now, and as corrected (grants/letters/texts.py). Written
# out here: a migration must not change when the code's texts change later.
OLD = (
    "{{ pulje }} støtter rejsen »{{ rejse }}« med {{ bevilget_beloeb }} "
    "af de {{ ansoegt_beloeb }}, du søgte om. "
    "Husk rapport og regnskab senest {{ frist_rapport }}."
)
NEW = OLD.replace(", du søgte om.", ", der er søgt om.")

letter_text = sa.table(
    "letter_text",
    sa.column("id", sa.Integer),
    sa.column("fund_id", sa.Integer),
    sa.column("outcome", sa.String),
    sa.column("language", sa.String),
    sa.column("version", sa.Integer),
    sa.column("body", sa.Text),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("created_by_id", sa.Integer),
)


def upgrade():
    """A fund whose newest Danish partial-grant text is the old standard text gets the new one
    as its next version (texts are versioned, never overwritten: letters issued keep theirs).
    A text the fund wrote itself is left as written."""
    connection = op.get_bind()
    newest = (
        sa.select(
            letter_text.c.fund_id,
            sa.func.max(letter_text.c.version).label("version"),
        )
        .where(letter_text.c.outcome == "partly_granted", letter_text.c.language == "da")
        .group_by(letter_text.c.fund_id)
        .subquery()
    )
    rows = connection.execute(
        sa.select(letter_text.c.fund_id, letter_text.c.version, letter_text.c.body)
        .join(
            newest,
            sa.and_(
                newest.c.fund_id == letter_text.c.fund_id,
                newest.c.version == letter_text.c.version,
            ),
        )
        .where(letter_text.c.outcome == "partly_granted", letter_text.c.language == "da")
    ).all()
    now = dt.datetime.now(dt.UTC)
    for fund_id, version, body in rows:
        if body == OLD:
            connection.execute(
                letter_text.insert().values(
                    fund_id=fund_id,
                    outcome="partly_granted",
                    language="da",
                    version=version + 1,
                    body=NEW,
                    created_at=now,
                    created_by_id=None,
                )
            )


def downgrade():
    """The added versions go again (only those this migration added: the new standard text,
    by nobody, as the newest version)."""
    connection = op.get_bind()
    connection.execute(
        letter_text.delete().where(
            letter_text.c.outcome == "partly_granted",
            letter_text.c.language == "da",
            letter_text.c.body == NEW,
            letter_text.c.created_by_id.is_(None),
            letter_text.c.version > 1,
        )
    )
