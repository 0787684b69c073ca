"""The youth subsidies' own data in a table of its own (youth_subsidy, one row per case of a
kind whose form is "subsidy"), no longer columns of every application (issue 18 point 2)

Up: the table is made, the cases with youth data (or of the youth kinds) get their row, and
the columns leave ``application``. Down: the columns come back with the rows' values and the
table goes. On PostgreSQL the search's full-text index over the application's text loses the
direct contact, which gets an index of its own on the new table (grants.desk.search).

Revision ID: b8e0f2a4c6d9
Revises: c7d9e1f3a5b7
Create Date: 2026-12-06 16:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b8e0f2a4c6d9"
down_revision = "c7d9e1f3a5b7"
branch_labels = None
depends_on = None

# The kinds whose form was "subsidy" when this migration was written (grants.funds.kinds).
YOUTH_KINDS = ("youth_trip", "hosting", "pupil_exchange")
COLUMNS = (
    "partner_city_id",
    "participants_young",
    "participants_leaders",
    "participants_disabled",
    "birth_years",
    "host_group_size",
    "direct_contact",
    "rule_set_id",
    "computed_amount",
    "calculation",
    "dispensation_request",
    "dispensation_reason",
)
TEXTS = ("direct_contact", "dispensation_request", "dispensation_reason")
JSONS = ("birth_years", "calculation")
FOREIGN_KEYS = (("partner_city_id", "partner_city"), ("rule_set_id", "rule_set"))

# The search's index (migration d4a6c8e0f2b4), the same expression as
# grants.desk.search.SEARCHED_TEXT: before, and without the direct contact.
SEARCHED_TEXT_BEFORE = (
    "to_tsvector('danish'::regconfig, coalesce(title, '') || ' ' || coalesce(purpose, '') "
    "|| ' ' || coalesce(destination_city, '') || ' ' || coalesce(programme, '') || ' ' "
    "|| coalesce(expected_benefit, '') || ' ' || coalesce(direct_contact, ''))"
)
SEARCHED_TEXT = (
    "to_tsvector('danish'::regconfig, coalesce(title, '') || ' ' || coalesce(purpose, '') "
    "|| ' ' || coalesce(destination_city, '') || ' ' || coalesce(programme, '') || ' ' "
    "|| coalesce(expected_benefit, ''))"
)
DIRECT_CONTACT_TEXT = "to_tsvector('danish'::regconfig, coalesce(direct_contact, ''))"


def _columns() -> list[sa.Column]:
    return [
        sa.Column("partner_city_id", sa.Integer(), nullable=True),
        sa.Column("participants_young", sa.Integer(), nullable=True),
        sa.Column("participants_leaders", sa.Integer(), nullable=True),
        sa.Column("participants_disabled", sa.Integer(), nullable=True),
        sa.Column("birth_years", sa.JSON(), nullable=True),
        sa.Column("host_group_size", sa.Integer(), nullable=True),
        sa.Column("direct_contact", sa.Text(), server_default="", nullable=False),
        sa.Column("rule_set_id", sa.Integer(), nullable=True),
        sa.Column("computed_amount", sa.BigInteger(), nullable=True),
        sa.Column("calculation", sa.JSON(), nullable=True),
        sa.Column("dispensation_request", sa.Text(), server_default="", nullable=False),
        sa.Column("dispensation_reason", sa.Text(), server_default="", nullable=False),
    ]


def _has_youth_data(prefix: str = "") -> str:
    """SQL: the row holds some youth data (JSON null counts as none)."""
    p = prefix
    given = [f"{p}{name} IS NOT NULL" for name in COLUMNS if name not in TEXTS + JSONS]
    given += [f"coalesce({p}{name}, '') <> ''" for name in TEXTS]
    given += [f"coalesce(CAST({p}{name} AS TEXT), 'null') <> 'null'" for name in JSONS]
    return " OR ".join(given)


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "youth_subsidy",
        sa.Column("application_id", sa.Integer(), nullable=False),
        *_columns(),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_youth_subsidy_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_city_id"],
            ["partner_city.id"],
            name=op.f("fk_youth_subsidy_partner_city_id_partner_city"),
        ),
        sa.ForeignKeyConstraint(
            ["rule_set_id"], ["rule_set.id"], name=op.f("fk_youth_subsidy_rule_set_id_rule_set")
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_youth_subsidy")),
    )
    names = ", ".join(COLUMNS)
    kinds = ", ".join(f"'{kind}'" for kind in YOUTH_KINDS)
    op.execute(
        f"INSERT INTO youth_subsidy (application_id, {names}) "
        f"SELECT a.id, {', '.join('a.' + name for name in COLUMNS)} FROM application a "
        f"WHERE a.fund_id IN (SELECT id FROM fund WHERE kind IN ({kinds})) "
        f"OR {_has_youth_data('a.')}"
    )
    if postgres:
        op.execute("DROP INDEX IF EXISTS ix_application_search_text")
    with op.batch_alter_table("application", schema=None) as batch_op:
        for column, table in FOREIGN_KEYS:
            batch_op.drop_constraint(f"fk_application_{column}_{table}", type_="foreignkey")
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
    if postgres:
        op.execute(
            f"CREATE INDEX ix_application_search_text ON application USING gin ({SEARCHED_TEXT})"
        )
        op.execute(
            "CREATE INDEX ix_youth_subsidy_direct_contact_text ON youth_subsidy "
            f"USING gin ({DIRECT_CONTACT_TEXT})"
        )


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP INDEX IF EXISTS ix_youth_subsidy_direct_contact_text")
        op.execute("DROP INDEX IF EXISTS ix_application_search_text")
    with op.batch_alter_table("application", schema=None) as batch_op:
        for column in _columns():
            batch_op.add_column(column)
        for column, table in FOREIGN_KEYS:
            batch_op.create_foreign_key(f"fk_application_{column}_{table}", table, [column], ["id"])
    values = ", ".join(
        f"{name} = (SELECT y.{name} FROM youth_subsidy y WHERE y.application_id = application.id)"
        for name in COLUMNS
    )
    op.execute(
        f"UPDATE application SET {values} WHERE id IN (SELECT application_id FROM youth_subsidy)"
    )
    op.drop_table("youth_subsidy")
    if postgres:
        op.execute(
            "CREATE INDEX ix_application_search_text ON application "
            f"USING gin ({SEARCHED_TEXT_BEFORE})"
        )
