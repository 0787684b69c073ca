"""Write the audit events of every flush, in the same flush (and so the same transaction) as
the rows themselves. Each model says how it is audited (``__audit__``, grants.core.auditing);
this listener reads that and knows no model."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from grants.audit.models import PERSONAL, AuditEvent, AuditPersonalValue, Personal, write_event
from grants.core import clock
from grants.core.auditing import Audited, Record
from grants.people.signals import account_event


def _current_user_id() -> int | None:
    if not has_request_context():
        return None
    from flask_login import current_user

    return current_user.id if current_user and current_user.is_authenticated else None


def _audit_of(obj) -> Audited | None:
    spec = getattr(type(obj), "__audit__", None)
    return spec if isinstance(spec, Audited) else None


def _plain(value: Any) -> Any:
    """A value as JSON can hold it."""
    import datetime as dt
    import enum
    from decimal import Decimal

    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"({len(value)} bytes)"
    return value


def _kept(obj, spec: Audited, key: str, value: Any) -> Any:
    """A column's value for the trail: a person's own value goes apart (``Personal``)."""
    if key in spec.personal:
        return Personal(spec.subject(obj) if spec.subject else None, value)
    return value


# Columns whose changes are not settings: bookkeeping, secrets, and the row lock.
_NOT_SETTINGS = {
    "updated_at",
    "created_at",
    "ledger_version",
    "password_hash",
    "session_token",
}


def _values(obj, spec: Audited) -> dict[str, Any]:
    from sqlalchemy import inspect

    state = inspect(obj)
    return {
        attr.key: _kept(obj, spec, attr.key, _plain(getattr(obj, attr.key)))
        for attr in state.mapper.column_attrs
        if attr.key not in _NOT_SETTINGS and attr.key not in state.unloaded
    }


def _event(obj, spec: Audited, record: Record) -> dict[str, Any] | None:
    """The event ``record`` describes for ``obj``, or None when its action says none."""
    action = record.action(obj) if callable(record.action) else record.action
    if action is None:
        return None
    if callable(record.details):
        details = record.details(obj)
    else:
        details = {key: _kept(obj, spec, key, _plain(getattr(obj, key))) for key in record.details}
    if record.actor is None:
        actor_id = _current_user_id()
    elif callable(record.actor):
        actor_id = record.actor(obj, _current_user_id())
    else:
        actor_id = getattr(obj, record.actor)
    return dict(
        action=action,
        actor_id=actor_id,
        application_id=getattr(obj, record.case) if record.case else None,
        details=details,
    )


def _added(obj) -> list[dict[str, Any]]:
    spec = _audit_of(obj)
    if spec is None:
        return []
    if spec.added is not None:
        return [event for event in [_event(obj, spec, spec.added)] if event]
    if spec.setting_added:
        return [
            dict(
                action=f"settings.{type(obj).__tablename__}_added",
                actor_id=_current_user_id(),
                details={"before": None, "after": _values(obj, spec)},
            )
        ]
    return []


PURGING = "audit_purging_people"


def _being_purged(obj, spec: Audited) -> bool:
    """A row of a person whose data the purge is erasing: it records one event of its own
    (privacy.person_purged), never their values before."""
    from sqlalchemy.orm import object_session

    session = object_session(obj)
    return (
        spec.subject is not None
        and session is not None
        and spec.subject(obj) in session.info.get(PURGING, ())
    )


def _setting_changed(obj, spec: Audited) -> dict[str, Any] | None:
    """A changed setting: the columns that changed, before and after."""
    from sqlalchemy import inspect

    state = inspect(obj)
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        if attr.key in _NOT_SETTINGS or attr.key in spec.quiet:
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        before[attr.key] = _kept(obj, spec, attr.key, _plain(old))
        after[attr.key] = _kept(obj, spec, attr.key, _plain(new))
    if not after:
        return None
    return dict(
        action=f"settings.{type(obj).__tablename__}_changed",
        actor_id=_current_user_id(),
        details={"before": before, "after": after},
    )


def _changed(obj) -> list[dict[str, Any]]:
    spec = _audit_of(obj)
    if spec is None or _being_purged(obj, spec):
        return []
    events = []
    if spec.setting_changed:
        events.append(_setting_changed(obj, spec))
    if spec.changed is not None:
        events.append(_event(obj, spec, spec.changed))
    return [event for event in events if event]


def _removed(obj) -> list[dict[str, Any]]:
    spec = _audit_of(obj)
    if spec is None or spec.removed is None:
        return []
    return [event for event in [_event(obj, spec, spec.removed)] if event]


@event.listens_for(Session, "after_flush")
def _audit(session: Session, flush_context) -> None:
    rows = []
    for obj, events in (
        [(o, _added(o)) for o in session.new]
        + [(o, _changed(o)) for o in session.dirty]
        + [(o, _removed(o)) for o in session.deleted]
    ):
        for described in events:
            rows.append(
                {
                    "at": clock.now(),
                    "object_type": type(obj).__tablename__,
                    "object_id": getattr(obj, "id", None),
                    "application_id": described.pop("application_id", None),
                    # Every row names every column: one INSERT for all of them.
                    "details": described.pop("details", {}),
                    "actor_id": described.pop("actor_id", None),
                    **described,
                }
            )
    if rows:
        connection = session.connection()
        for row in rows:
            row["details"] = _store_personal(connection, row["details"])
        connection.execute(insert(AuditEvent), rows)


def _store_personal(connection, details: Any) -> Any:
    """Each personal value stored apart (the purge may erase it) and referred to by its id."""
    if isinstance(details, Personal):
        if details.value in (None, ""):
            return details.value
        stored = connection.execute(
            insert(AuditPersonalValue).values(subject_id=details.subject_id, value=details.value)
        )
        return {PERSONAL: stored.inserted_primary_key[0]}
    if isinstance(details, dict):
        return {key: _store_personal(connection, value) for key, value in details.items()}
    if isinstance(details, list):
        return [_store_personal(connection, value) for value in details]
    return details


@account_event.connect
def _record_account_event(user, *, action: str, actor, details: dict) -> None:
    """An event on a person's account (grants.people.signals.account_event), in the trail."""
    write_event(action, "user", user.id if user is not None else None, actor=actor, details=details)
