"""personal values out of the append-only audit trail; a deleted letter says when

A letter's PDF deleted by the purge was an empty file handed out with status 200; the
letter now records when it was deleted (``erased_at``), and those deleted before get the
date of their case's purge from the journal.

The audit trail is never purged, so it must not hold a person's own values (a name, an
e-mail, a title, a login's e-mail and address). They move to ``audit_personal_value``, a
table that is not append-only: the purge of a person's data (grants.privacy) erases them
there, and the event keeps only the reference ``{"$personal": id}``.

Existing events are rewritten once, here, by the tables' owner: on PostgreSQL the
append-only trigger is switched off for this transaction only (the owner may; the app's
role may not) and on again before it commits.

Revision ID: 7c1d3e5f9a21
Revises: 9c3e5a7b1d42
Create Date: 2026-12-06 03:10:00

"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c1d3e5f9a21"
down_revision = "9c3e5a7b1d42"
branch_labels = None
depends_on = None

PERSONAL = "$personal"
USER_COLUMNS = ("email", "name", "title", "department")
LOGIN_KEYS = ("email", "ip")

event = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("object_id", sa.Integer),
    sa.column("actor_id", sa.Integer),
    sa.column("details", sa.JSON),
)
value = sa.Table(
    "audit_personal_value",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("subject_id", sa.Integer),
    sa.Column("value", sa.JSON),
)


def upgrade():
    op.create_table(
        "audit_personal_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["user.id"], name=op.f("fk_audit_personal_value_subject_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_personal_value")),
    )
    with op.batch_alter_table("audit_personal_value", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_personal_value_subject_id"), ["subject_id"], unique=False
        )
    _move_personal_values()
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE letter SET erased_at = (SELECT max(j.created_at) FROM journal_entry j"
        " WHERE j.application_id = letter.application_id"
        " AND j.action = 'personal_data_purged') WHERE length(pdf) = 0"
    )


def _move_personal_values():
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    rows = bind.execute(
        sa.select(event.c.id, event.c.action, event.c.object_id, event.c.actor_id, event.c.details)
        .where(sa.or_(event.c.action == "settings.user_changed", event.c.action.like("login.%")))
        .order_by(event.c.id)
    ).all()
    if not rows:
        return
    if postgresql:
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    for row in rows:
        details = row.details
        if isinstance(details, str):
            details = json.loads(details)
        details = dict(details or {})

        def kept_apart(found, subject_id):
            if found in (None, "") or (isinstance(found, dict) and PERSONAL in found):
                return found
            stored = bind.execute(
                value.insert().values(subject_id=subject_id, value=found)
            ).inserted_primary_key[0]
            return {PERSONAL: stored}

        if row.action == "settings.user_changed":
            for side in ("before", "after"):
                values = dict(details.get(side) or {})
                for key in USER_COLUMNS:
                    if key in values:
                        values[key] = kept_apart(values[key], row.object_id)
                if side in details:
                    details[side] = values
        else:
            for key in LOGIN_KEYS:
                if key in details:
                    details[key] = kept_apart(details[key], row.actor_id)
        bind.execute(event.update().where(event.c.id == row.id).values(details=details))
    if postgresql:
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")


def downgrade():
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
    # The values go back into the events they came from (those not erased since).
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    stored = {row.id: row.value for row in bind.execute(sa.select(value.c.id, value.c.value))}
    if postgresql:
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")

    def restored(found):
        if isinstance(found, dict) and set(found) == {PERSONAL}:
            return stored.get(found[PERSONAL], "[slettet]") or "[slettet]"
        if isinstance(found, dict):
            return {key: restored(item) for key, item in found.items()}
        return found

    for row in bind.execute(sa.select(event.c.id, event.c.details)).all():
        text = row.details if isinstance(row.details, str) else json.dumps(row.details)
        if PERSONAL not in (text or ""):
            continue
        details = json.loads(text) if isinstance(row.details, str) else row.details
        bind.execute(event.update().where(event.c.id == row.id).values(details=restored(details)))
    if postgresql:
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
    with op.batch_alter_table("audit_personal_value", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_personal_value_subject_id"))
    op.drop_table("audit_personal_value")
