"""A fingerprint of every table (row count and a hash of the rows), to show that a refused
request changed nothing."""

from __future__ import annotations

import hashlib

from sqlalchemy import select, text

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
    """Every table's fingerprint but those in ``skip`` and, unless ``drafts``, the drafts."""
    tables = [
        table
        for table in db.metadata.sorted_tables
        if table.name not in skip and (drafts or table.name not in KEPT_AS_TYPED)
    ]
    if db.session.get_bind().dialect.name == "postgresql":
        return _fingerprint_in_the_database(tables)
    prints = {}
    for table in tables:
        digest, count = hashlib.sha256(), 0
        order = list(table.primary_key.columns) or list(table.columns)
        for row in db.session.execute(select(table).order_by(*order)):
            digest.update(repr(tuple(row)).encode())
            count += 1
        prints[table.name] = (count, digest.hexdigest())
    return prints


def _fingerprint_in_the_database(tables) -> dict[str, tuple]:
    """PostgreSQL hashes each table's rows (as text, in order) itself, every table in one
    statement: the form fuzzer takes a fingerprint after each refused example, and a hundred
    statements each time took minutes of the run."""
    parts = []
    for table in tables:
        name = db.session.get_bind().dialect.identifier_preparer.quote(table.name)
        parts.append(
            f"SELECT '{table.name}' AS name, count(*) AS rows,"
            f" md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest"
            f" FROM {name} t"
        )
    statement = text(" UNION ALL ".join(parts))
    return {name: (rows, digest) for name, rows, digest in db.session.execute(statement)}
