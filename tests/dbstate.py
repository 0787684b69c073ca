"""A fingerprint of every table (row count and a hash of the rows), to show that a refused
request changed nothing."""

from __future__ import annotations

import hashlib

from sqlalchemy import text

from grants.extensions import db

# What signing in writes (the login, the session, a second factor's last code, their audit):
# not what a refused request changes.
SIGNING_IN = frozenset(
    {"login_attempt", "user_session", "audit_event", "audit_personal_value", "user", "two_factor"}
)


# What a refused application or report form keeps of the person's typing: their own draft
# (grants/drafts, issue 21 point 9), not a change to any case. tests/drafts and the form fuzzer
# (KEPT_AS_DRAFT in tests/core/test_fuzz_forms.py) check which forms may write it.
KEPT_AS_TYPED = frozenset({"form_draft"})


def table_fingerprint(
    skip: frozenset[str] | set[str] = frozenset(), *, drafts: bool = False
) -> dict[str, tuple]:
    """Every table's fingerprint but those in ``skip`` and, unless ``drafts``, the drafts:
    its row count and a hash of its rows, each row as the database writes it as text.

    All tables in one statement: the form fuzzer takes a fingerprint after each refused
    example and the CSRF test around each route, and a statement or two per table each time
    took minutes of the run."""
    tables = [
        table
        for table in db.metadata.sorted_tables
        if table.name not in skip and (drafts or table.name not in KEPT_AS_TYPED)
    ]
    dialect = db.session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    parts = []
    for table in tables:
        if dialect.name == "postgresql":
            # PostgreSQL writes a whole row as text, and hashes in the database.
            parts.append(
                f"SELECT '{table.name}', count(*),"
                f" md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                f" FROM {quote(table.name)} t"
            )
        else:
            row = " || ',' || ".join(f"quote({quote(column.name)})" for column in table.columns)
            parts.append(
                f"SELECT '{table.name}', count(*), coalesce(group_concat(r, '|'), '')"
                f" FROM (SELECT {row} AS r FROM {quote(table.name)} ORDER BY r)"
            )
    rows = db.session.execute(text(" UNION ALL ".join(parts)))
    if dialect.name == "postgresql":
        return {name: (count, digest) for name, count, digest in rows}
    return {
        name: (count, hashlib.sha256(rows_text.encode()).hexdigest())
        for name, count, rows_text in rows
    }
