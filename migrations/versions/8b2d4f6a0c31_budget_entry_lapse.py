"""the ledger records lapsed money: a LAPSE entry (bortfaldet), negative

Money that lapses when a year is closed (no carry-over, or the election period ends) was
written nowhere but the closing, so a closed year still showed it as available. It is now a
ledger entry; the closings made before are given theirs (booked on 31 December of their
year), with the running totals.

Revision ID: 8b2d4f6a0c31
Revises: 7a1c3e5b9d20
Create Date: 2026-12-06 03:40:00

"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "8b2d4f6a0c31"
down_revision = "7a1c3e5b9d20"
branch_labels = None
depends_on = None

OLD_KINDS = (
    "allocation",
    "carry_over_in",
    "carry_over_out",
    "reservation",
    "adjustment",
    "release",
    "payment",
    "refund",
)
NEW_KINDS = OLD_KINDS + ("lapse",)
OLD_SIGN = (
    "(kind NOT IN ('carry_over_out', 'release', 'refund') OR amount < 0) "
    "AND (kind NOT IN ('carry_over_in', 'reservation', 'payment') OR amount > 0)"
)
NEW_SIGN = (
    "(kind NOT IN ('carry_over_out', 'lapse', 'release', 'refund') OR amount < 0) "
    "AND (kind NOT IN ('carry_over_in', 'reservation', 'payment') OR amount > 0)"
)


def _kinds(kinds) -> str:
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def _checks(kinds, sign) -> None:
    with op.batch_alter_table("budget_entry", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_budget_entry_sign"), type_="check")
        batch_op.drop_constraint(op.f("ck_budget_entry_entrykind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_budget_entry_entrykind"), _kinds(kinds))
        batch_op.create_check_constraint(op.f("ck_budget_entry_sign"), sign)
    with op.batch_alter_table("budget_total", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_budget_total_entrykind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_budget_total_entrykind"), _kinds(kinds))


def upgrade():
    _checks(NEW_KINDS, NEW_SIGN)
    bind = op.get_bind()
    closing = sa.table(
        "budget_year_closing",
        sa.column("fund_id", sa.Integer),
        sa.column("year", sa.Integer),
        sa.column("outcome", sa.String),
        sa.column("amount", sa.BigInteger),
        sa.column("closed_at", sa.DateTime(timezone=True)),
        sa.column("closed_by_id", sa.Integer),
    )
    entry = sa.table(
        "budget_entry",
        sa.column("fund_id", sa.Integer),
        sa.column("year", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("amount", sa.BigInteger),
        sa.column("booked_on", sa.Date),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("created_by_id", sa.Integer),
        sa.column("note", sa.Text),
        sa.column("voucher", sa.String),
    )
    total = sa.table(
        "budget_total",
        sa.column("fund_id", sa.Integer),
        sa.column("year", sa.Integer),
        sa.column("booked_year", sa.Integer),
        sa.column("booked_month", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("amount", sa.BigInteger),
        sa.column("entries", sa.Integer),
    )
    lapsed = bind.execute(
        sa.select(closing).where(closing.c.outcome == "lapsed", closing.c.amount > 0)
    ).all()
    for row in lapsed:
        bind.execute(
            entry.insert().values(
                fund_id=row.fund_id,
                year=row.year,
                kind="lapse",
                amount=-row.amount,
                booked_on=dt.date(row.year, 12, 31),
                created_at=row.closed_at,
                created_by_id=row.closed_by_id,
                note=f"Bortfaldet ved lukning af {row.year}",
                voucher="",
            )
        )
        bind.execute(
            total.insert().values(
                fund_id=row.fund_id,
                year=row.year,
                booked_year=row.year,
                booked_month=12,
                kind="lapse",
                amount=-row.amount,
                entries=1,
            )
        )


def downgrade():
    # The ledger is append-only: lapse entries cannot become another kind, so a database
    # with any is not taken back.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM budget_entry WHERE kind = 'lapse'")).scalar():
        raise RuntimeError("The ledger has lapse entries; it cannot go back before them.")
    op.execute("DELETE FROM budget_total WHERE kind = 'lapse'")
    _checks(OLD_KINDS, OLD_SIGN)
