"""A fingerprint of every table (row count and a hash of the rows), to show that a refused
request changed nothing."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from grants.extensions import db


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
