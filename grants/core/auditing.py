"""How a model says it is audited: a class attribute ``__audit__`` on every mapped model,
read by the audit trail's flush listener (``grants.audit.listeners``), which knows no model.

    class UserRole(Model):
        __audit__ = Audited(
            added=Record("roles.granted", ("user_id", "role")),
            removed=Record("roles.revoked", ("user_id", "role")),
        )

    class Route(Model):
        __audit__ = NOT_AUDITED  # with a comment saying why

A model without ``__audit__`` of its own fails tests/audit/test_audit_specs.py, so a new
model cannot slip past the trail unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# An attribute of the row, or a function of it.
Of = str | Callable[[Any], Any]


@dataclass(frozen=True)
class Record:
    """One audit event a new, changed or removed row makes.

    ``action``: the event's name ("roles.granted"), or a function of the row giving it (None:
    no event this time). ``details``: the columns copied into the event, or a function of the
    row giving the details. ``actor``: the column naming who acted; None: the person signed
    in; or a function ``(row, signed_in_id)``. ``case``: the column naming the application."""

    action: str | Callable[[Any], str | None]
    details: tuple[str, ...] | Callable[[Any], dict] = ()
    actor: str | Callable[[Any, int | None], int | None] | None = None
    case: str | None = None


@dataclass(frozen=True)
class Audited:
    """How the rows of a model are audited.

    ``added``, ``changed``, ``removed``: the event each makes (None: none). The row is a
    setting: ``setting_added``, a new row is recorded as ``settings.<table>_added`` with its
    values (unless ``added`` says otherwise); ``setting_changed``, every change is recorded as
    ``settings.<table>_changed`` with the changed columns before and after, except the
    ``quiet`` ones (bookkeeping and secrets never are). ``personal``: the columns
    that hold a person's own values (a name, an e-mail, an address); they are kept apart from
    the append-only trail so that the purge can erase them (grants.audit.models.Personal).
    ``subject``: whose they are (a function of the row); while that person's data is being
    purged, their row's changes make no event."""

    added: Record | None = None
    changed: Record | None = None
    removed: Record | None = None
    setting_added: bool = False
    setting_changed: bool = False
    quiet: frozenset[str] = frozenset()
    personal: frozenset[str] = frozenset()
    subject: Callable[[Any], int | None] | None = None


class NotAudited:
    """A model whose rows make no audit event: said on purpose, with the reason beside it."""

    def __repr__(self) -> str:
        return "NOT_AUDITED"


NOT_AUDITED = NotAudited()


def audit_of(model: type) -> Audited | NotAudited | None:
    """The model's own declaration, or None when it has none (inherited ones do not count)."""
    return model.__dict__.get("__audit__")
