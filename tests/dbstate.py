"""A fingerprint of every table (row count and a hash of the rows), to show that a refused
request changed nothing."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from grants.extensions import db

# What signing in writes (the login, the session, a second factor's last code, their audit):
# not what a refused request changes.
SIGNING_IN = frozenset(
    {"login_attempt", "user_session", "audit_event", "audit_personal_value", "user", "two_factor"}
)


def table_fingerprint(skip: frozenset[str] | set[str] = frozenset()) -> dict[str, tuple]:
    prints = {}
    for table in db.metadata.sorted_tables:
        if table.name in skip:
            continue
        count = db.session.scalar(select(func.count()).select_from(table))
        digest = hashlib.sha256()
        order = list(table.primary_key.columns) or list(table.columns)
        for row in db.session.execute(select(table).order_by(*order)):
            digest.update(repr(tuple(row)).encode())
        prints[table.name] = (count, digest.hexdigest())
    return prints
