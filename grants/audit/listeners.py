"""Write an audit event for every new record of the kinds that matter, in the same flush
(and so the same transaction) as the record itself."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from grants.audit.models import AuditEvent
from grants.core import clock


def _current_user_id() -> int | None:
    if not has_request_context():
        return None
    from flask_login import current_user

    return current_user.id if current_user and current_user.is_authenticated else None


def _describe(obj) -> dict[str, Any] | None:
    """What to record about a new object, or None for objects that are not audited."""
    from grants.budgets.models import BudgetEntry, BudgetEvent
    from grants.letters.models import Letter
    from grants.organisations.models import Membership
    from grants.people.models import LoginAttempt, UserRole
    from grants.subsidies.models import RuleSet
    from grants.workflow.models import JournalEntry

    if isinstance(obj, JournalEntry):
        return dict(
            action=f"case.{obj.action}",
            actor_id=obj.actor_id,
            application_id=obj.application_id,
            details={"from": obj.from_state, "to": obj.to_state},
        )
    if isinstance(obj, BudgetEntry):
        return dict(
            action=f"money.{obj.kind.value}",
            actor_id=obj.created_by_id,
            application_id=obj.application_id,
            details={
                "fund_id": obj.fund_id,
                "year": obj.year,
                "amount": str(obj.amount),
                "voucher": obj.voucher,
            },
        )
    if isinstance(obj, Letter):
        return dict(
            action=f"letter.{obj.kind}",
            actor_id=obj.created_by_id,
            application_id=obj.application_id,
            details={"sha256": obj.sha256, "filename": obj.filename},
        )
    if isinstance(obj, LoginAttempt):
        return dict(
            action="login.succeeded" if obj.succeeded else "login.failed",
            actor_id=obj.user_id,
            details={"email": obj.email, "ip": obj.ip},
        )
    if isinstance(obj, UserRole):
        return dict(
            action="roles.granted",
            actor_id=_current_user_id(),
            details={"user_id": obj.user_id, "role": str(obj.role)},
        )
    if isinstance(obj, Membership):
        return dict(
            action="organisation.member_added",
            actor_id=_current_user_id(),
            details={"organisation_id": obj.organisation_id, "user_id": obj.user_id},
        )
    if isinstance(obj, RuleSet):
        return dict(
            action="settings.rule_set_added",
            actor_id=obj.created_by_id,
            details={"fund_id": obj.fund_id, "version": obj.version},
        )
    if isinstance(obj, BudgetEvent):
        return dict(
            action=f"budget.{obj.action}",
            actor_id=obj.actor_id,
            details={"year": obj.year, **(obj.details or {})},
        )
    return None


def _deleted(obj) -> dict[str, Any] | None:
    from grants.organisations.models import Membership
    from grants.people.models import UserRole

    if isinstance(obj, UserRole):
        return dict(
            action="roles.revoked",
            actor_id=_current_user_id(),
            details={"user_id": obj.user_id, "role": str(obj.role)},
        )
    if isinstance(obj, Membership):
        return dict(
            action="organisation.member_removed",
            actor_id=_current_user_id(),
            details={"organisation_id": obj.organisation_id, "user_id": obj.user_id},
        )
    return None


def _created_elsewhere(obj) -> dict[str, Any] | None:
    """New accounts and organisations, and invitations: who may act in the system."""
    from grants.organisations.models import Invitation, Organisation
    from grants.people.models import User

    if isinstance(obj, User):
        return dict(action="people.account_created", actor_id=_current_user_id() or obj.id)
    if isinstance(obj, Organisation):
        return dict(
            action="organisation.registered",
            actor_id=_current_user_id(),
            details={"name": obj.name, "cvr": obj.cvr},
        )
    if isinstance(obj, Invitation):
        return dict(
            action="organisation.invitation_sent",
            actor_id=obj.invited_by_id,
            details={"organisation_id": obj.organisation_id},
        )
    return None


# Settings: a change to any of these columns is recorded with the old and new value.
SETTINGS = {"fund", "municipality"}


def _changed(obj) -> dict[str, Any] | None:
    """Changes to existing records that matter: a password, a fund's or the municipality's
    settings, an account switched on or off."""
    from sqlalchemy import inspect as inspect_object

    from grants.people.models import User

    state = inspect_object(obj)
    changes = {}
    for attribute in state.mapper.column_attrs:
        history = state.attrs[attribute.key].history
        if attribute.key != "updated_at" and history.has_changes():
            old = history.deleted[0] if history.deleted else None
            changes[attribute.key] = (old, history.added[0] if history.added else None)
    if not changes:
        return None
    if isinstance(obj, User):
        if "password_hash" in changes:
            return dict(action="people.password_changed", actor_id=_current_user_id())
        if "active" in changes:
            return dict(
                action="people.activated" if obj.active else "people.deactivated",
                actor_id=_current_user_id(),
            )
        return None
    if getattr(obj, "__tablename__", None) in SETTINGS:
        return dict(
            action=f"settings.{obj.__tablename__}_changed",
            actor_id=_current_user_id(),
            details={key: [str(old), str(new)] for key, (old, new) in changes.items()},
        )
    return None


def _new(obj) -> dict[str, Any] | None:
    return _describe(obj) or _created_elsewhere(obj)


@event.listens_for(Session, "after_flush")
def _audit(session: Session, flush_context) -> None:
    rows = []
    for obj, describe in (
        [(o, _new) for o in session.new]
        + [(o, _changed) for o in session.dirty]
        + [(o, _deleted) for o in session.deleted]
    ):
        described = describe(obj)
        if described is None:
            continue
        rows.append(
            {
                "at": clock.now(),
                "object_type": type(obj).__tablename__,
                "object_id": getattr(obj, "id", None),
                "application_id": described.pop("application_id", None),
                **described,
            }
        )
    if rows:
        session.connection().execute(insert(AuditEvent), rows)
