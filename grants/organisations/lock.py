"""The organisation's lock, taken before its members change.

"Someone must remain" holds only if two removals at the same moment cannot both count the
members before either is gone: each takes the organisation's lock first and then reads the
members again. A row lock on PostgreSQL (FOR NO KEY UPDATE: a new case or member that merely
refers to the organisation does not wait); on SQLite, which has one writer, an UPDATE of the
row takes the database's write lock, as the fund's lock does (grants.budgets.lock). Both wait
at most BUDGET_LOCK_TIMEOUT; longer is ``OrganisationBusy``, a clear refusal.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError

from grants.core.locks import Busy, is_lock_timeout, lock_timeout_ms
from grants.extensions import db
from grants.organisations.models import Organisation


class OrganisationBusy(Busy):
    """The organisation's lock could not be had in time; nothing was changed."""


def lock_members(organisation: Organisation) -> None:
    """Take the organisation's lock until the transaction ends, then forget its members as
    loaded: the next read of ``organisation.members`` is what the last change left."""
    timeout_ms = lock_timeout_ms()
    dialect = db.session.get_bind().dialect.name
    try:
        # Nothing the caller changed is written before the lock is had.
        with db.session.no_autoflush:
            if dialect == "postgresql":
                db.session.execute(text(f"SET LOCAL lock_timeout = {timeout_ms}"))
                db.session.execute(
                    select(Organisation.id)
                    .where(Organisation.id == organisation.id)
                    .with_for_update(key_share=True)
                )
            else:
                if dialect == "sqlite":
                    db.session.execute(text(f"PRAGMA busy_timeout = {timeout_ms}"))
                db.session.execute(
                    update(Organisation)
                    .where(Organisation.id == organisation.id)
                    # A lock, not an edit: updated_at stays.
                    .values(updated_at=Organisation.updated_at)
                    .execution_options(synchronize_session=False)
                )
    except OperationalError as error:
        if is_lock_timeout(error):
            raise OrganisationBusy(
                _("Organisationen ændres af en anden lige nu. Prøv igen om lidt.")
            ) from error
        raise
    db.session.expire(organisation, ["members"])
