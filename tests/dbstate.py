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


# What a refused application or report form keeps of the person's typing: their own draft
# (grants/drafts, issue 21 point 9), not a change to any case. tests/drafts and the form fuzzer
# (KEPT_AS_DRAFT in tests/core/test_fuzz_forms.py) check which forms may write it.
KEPT_AS_TYPED = frozenset({"form_draft"})


def table_fingerprint(
    skip: frozenset[str] | set[str] = frozenset(), *, drafts: bool = False
) -> dict[str, tuple]:
    """Every table's fingerprint but those in ``skip`` and, unless ``drafts``, the drafts."""
    prints = {}
    for table in db.metadata.sorted_tables:
        if table.name in skip or (not drafts and table.name in KEPT_AS_TYPED):
            continue
        count = db.session.scalar(select(func.count()).select_from(table))
        digest = hashlib.sha256()
        order = list(table.primary_key.columns) or list(table.columns)
        for row in db.session.execute(select(table).order_by(*order)):
            digest.update(repr(tuple(row)).encode())
        prints[table.name] = (count, digest.hexdigest())
    return prints
