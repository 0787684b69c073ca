from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, event, select, update
from sqlalchemy.orm import Mapped, mapped_column

from grants.core import clock
from grants.core.auditing import NOT_AUDITED
from grants.extensions import Model, db


class AuditEvent(Model):
    __tablename__ = "audit_event"
    # The trail itself.
    __audit__ = NOT_AUDITED
    __table_args__ = (
        Index("ix_audit_event_object", "object_type", "object_id"),
        # The app's database role may only read and append (grants.core.database_roles).
        {"info": {"append_only": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[int | None]
    application_id: Mapped[int | None] = mapped_column(index=True)
    # Never a person's own value (a name, an e-mail, an address): those are kept in
    # AuditPersonalValue and the details refer to them as {"$personal": id}.
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    @property
    def shown_details(self) -> dict:
        """The details with each personal value filled in, or marked as erased."""
        from flask_babel import gettext

        return resolve(self.details or {}, erased=gettext("[slettet]"))


class AuditPersonalValue(Model):
    """A person's own value that an audit event refers to (a name or e-mail before and after
    a change, the e-mail and address of a login). The trail is append-only and kept for good;
    this table is not append-only: purging a person's data (grants.privacy) erases their
    values here, and the events keep only the reference, which then says "erased"."""

    __tablename__ = "audit_personal_value"
    # The trail's personal values (see AuditEvent).
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    # Whose data it is: the value is erased with the rest of that person's data.
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    value: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


PERSONAL = "$personal"
ERASED = "[slettet]"


class Personal:
    """A personal value on its way into the trail: ``grants.audit.listeners`` stores it as an
    AuditPersonalValue and writes the reference in its place."""

    __slots__ = ("subject_id", "value")

    def __init__(self, subject_id: int | None, value: Any) -> None:
        self.subject_id, self.value = subject_id, value


def write_event(
    action: str,
    object_type: str,
    object_id: int | None = None,
    *,
    actor: Any = None,
    details: dict | None = None,
) -> AuditEvent:
    """An event the flush listener does not see (a purge, an export of personal data, a
    setting kept outside the audited models, a person's account), added to the trail now by
    ``actor`` (None: the system)."""
    written = AuditEvent(
        at=clock.now(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details if details is not None else {},
    )
    db.session.add(written)
    return written


def is_reference(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {PERSONAL}


def resolve(
    details: Any, values: dict[int, AuditPersonalValue] | None = None, erased: str = ERASED
) -> Any:
    """``details`` with every reference replaced by its value, or by "[slettet]" once erased."""
    if values is None:
        ids = list(_references(details))
        values = (
            {
                row.id: row
                for row in db.session.scalars(
                    select(AuditPersonalValue).where(AuditPersonalValue.id.in_(ids))
                )
            }
            if ids
            else {}
        )
    if is_reference(details):
        row = values.get(details[PERSONAL])
        return erased if row is None or row.erased_at is not None else row.value
    if isinstance(details, dict):
        return {key: resolve(value, values, erased) for key, value in details.items()}
    if isinstance(details, list):
        return [resolve(value, values, erased) for value in details]
    return details


def _references(details: Any):
    if is_reference(details):
        yield details[PERSONAL]
    elif isinstance(details, dict):
        for value in details.values():
            yield from _references(value)
    elif isinstance(details, list):
        for value in details:
            yield from _references(value)


def erase_personal_values(subject_id: int) -> int:
    """Erase what the trail's events hold about one person (the purge); the events stay."""
    result = db.session.execute(
        update(AuditPersonalValue)
        .where(AuditPersonalValue.subject_id == subject_id, AuditPersonalValue.erased_at.is_(None))
        .values(value=None, erased_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


class AuditIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _append_only(mapper, connection, target) -> None:
    raise AuditIsAppendOnly("The audit trail is appended to, never changed.")
