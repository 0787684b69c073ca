"""committees decide by the book: a quorum rule per committee, meetings held on their day,
agendas published, substitutes; meeting times stored in UTC

Each committee holds its rules of procedure as data: the quorum (at least half of its
members present and not disqualified on an item, kommunestyrelsesloven § 11, stk. 2 and
§ 20, or more than half) and what happens to an item without one (postponed, or a
substitute called in). A meeting records when it was held and when its agenda was sent; an
item records that it was postponed without a quorum. Meeting times written on SQLite before
this revision were Copenhagen's wall-clock time without a zone: they are turned into UTC.

Revision ID: c0d1e2f3a4b5
Revises: 5e7a2c4b9d13
Create Date: 2026-12-06 03:10:00

"""

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c0d1e2f3a4b5"
down_revision = "5e7a2c4b9d13"
branch_labels = None
depends_on = None

QUORUM = sa.Enum(
    "at_least_half",
    "more_than_half",
    name="quorumrule",
    native_enum=False,
    create_constraint=True,
    length=32,
)
WITHOUT = sa.Enum(
    "postpone",
    "substitute",
    name="withoutquorum",
    native_enum=False,
    create_constraint=True,
    length=32,
)


def upgrade():
    with op.batch_alter_table("committee", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quorum_rule", QUORUM, server_default="at_least_half", nullable=False)
        )
        batch_op.add_column(
            sa.Column("without_quorum", WITHOUT, server_default="postpone", nullable=False)
        )
    with op.batch_alter_table("committee_meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("agenda_published_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("without_quorum", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "committee_substitute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("for_user_id", sa.Integer(), nullable=False),
        sa.Column("called_by_id", sa.Integer(), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_item.id"],
            name=op.f("fk_committee_substitute_agenda_item_id_agenda_item"),
        ),
        sa.ForeignKeyConstraint(
            ["called_by_id"], ["user.id"], name=op.f("fk_committee_substitute_called_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["for_user_id"], ["user.id"], name=op.f("fk_committee_substitute_for_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_committee_substitute_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_substitute")),
        sa.UniqueConstraint(
            "agenda_item_id", "user_id", name=op.f("uq_committee_substitute_agenda_item_id")
        ),
    )
    with op.batch_alter_table("committee_substitute", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_committee_substitute_agenda_item_id"), ["agenda_item_id"], unique=False
        )
    _meeting_times_in_utc()


def _meeting_times_in_utc():
    """SQLite kept the wall-clock time the meeting was entered with; make it UTC."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return  # PostgreSQL stored the moment with its zone already
    meeting = sa.table(
        "committee_meeting", sa.column("id", sa.Integer), sa.column("starts_at", sa.String)
    )
    local = ZoneInfo("Europe/Copenhagen")
    for row in bind.execute(sa.select(meeting.c.id, meeting.c.starts_at)).all():
        moment = dt.datetime.fromisoformat(str(row.starts_at))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=local)
        utc = moment.astimezone(dt.UTC).replace(tzinfo=None)
        bind.execute(
            meeting.update()
            .where(meeting.c.id == row.id)
            .values(starts_at=utc.isoformat(sep=" ", timespec="microseconds"))
        )


def downgrade():
    with op.batch_alter_table("committee_substitute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_substitute_agenda_item_id"))
    op.drop_table("committee_substitute")
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_column("without_quorum")
    with op.batch_alter_table("committee_meeting", schema=None) as batch_op:
        batch_op.drop_column("agenda_published_at")
        batch_op.drop_column("held_at")
    with op.batch_alter_table("committee", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_committee_withoutquorum"), type_="check")
        batch_op.drop_constraint(op.f("ck_committee_quorumrule"), type_="check")
        batch_op.drop_column("without_quorum")
        batch_op.drop_column("quorum_rule")
