"""Write an audit event for every new record of the kinds that matter, in the same flush
(and so the same transaction) as the record itself."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from grants.audit.models import PERSONAL, AuditEvent, AuditPersonalValue, Personal
from grants.core import clock
from grants.extensions import db
from grants.people.two_factor import account_event


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
            details={
                "email": Personal(obj.user_id, obj.email),
                "ip": Personal(obj.user_id, obj.ip),
            },
        )
    if isinstance(obj, UserRole):
        details = {"user_id": obj.user_id, "role": str(obj.role)}
        if obj.granted_by_group is not None:  # by the group mapping, at a login
            details["group"] = obj.granted_by_group
        return dict(action="roles.granted", actor_id=_current_user_id(), details=details)
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
    from grants.committees.models import Committee, CommitteeMembership, InterestDeclaration

    if isinstance(obj, Committee):
        return dict(
            action="settings.committee_added",
            actor_id=_current_user_id(),
            details={"name": obj.name, "fund_id": obj.fund_id, "period": obj.period},
        )
    if isinstance(obj, CommitteeMembership):
        return dict(
            action="committee.member_added",
            actor_id=_current_user_id(),
            details={
                "committee_id": obj.committee_id,
                "user_id": obj.user_id,
                "role": str(obj.role),
                "valid_from": obj.valid_from.isoformat(),
                "valid_to": obj.valid_to.isoformat() if obj.valid_to else None,
            },
        )
    if isinstance(obj, InterestDeclaration):
        return dict(
            action=f"committee.interest_{obj.source.value}",
            actor_id=_current_user_id(),
            application_id=obj.application_id,
            details={"user_id": obj.user_id, "disqualified": obj.disqualified},
        )
    if isinstance(obj, BudgetEvent):
        return dict(
            action=f"budget.{obj.action}",
            actor_id=obj.actor_id,
            details={"year": obj.year, **(obj.details or {})},
        )
    return None


def _deleted(obj) -> dict[str, Any] | None:
    from grants.funds.models import FundBoardMember
    from grants.organisations.models import Membership
    from grants.people.models import UserRole

    if isinstance(obj, FundBoardMember):
        return dict(
            action="settings.fund_board_member_removed",
            actor_id=_current_user_id(),
            details={"before": {"fund_id": obj.fund_id, "user_id": obj.user_id}, "after": None},
        )
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


# A person's own values: kept out of the append-only trail (grants.audit.models.Personal).
PERSONAL_USER_COLUMNS = frozenset({"email", "name", "title", "department"})

# Columns whose changes are not settings: bookkeeping, secrets, and the row lock.
_NOT_SETTINGS = {
    "updated_at",
    "created_at",
    "ledger_version",
    "password_hash",
    "session_token",
}


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


def _settings_types():
    from grants.core.models import Municipality
    from grants.funds.models import Fund
    from grants.partners.models import PartnerCity
    from grants.people.models import User

    return (Municipality, Fund, PartnerCity, User)


def _values(obj) -> dict[str, Any]:
    from sqlalchemy import inspect

    state = inspect(obj)
    return {
        attr.key: _plain(getattr(obj, attr.key))
        for attr in state.mapper.column_attrs
        if attr.key not in _NOT_SETTINGS and attr.key not in state.unloaded
    }


def _settings_added(obj) -> dict[str, Any] | None:
    """A new fund, partner city, form version or letter text: what it was made with."""
    from grants.funds.models import FundBoardMember
    from grants.letters.models import LetterText
    from grants.people.models import User
    from grants.questions.models import FormVersion, Question

    if isinstance(obj, User):
        return None  # sign-ups and invitations are not settings
    if isinstance(obj, (*_settings_types(), LetterText, FormVersion, Question, FundBoardMember)):
        return dict(
            action=f"settings.{type(obj).__tablename__}_added",
            actor_id=_current_user_id(),
            details={"before": None, "after": _values(obj)},
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


PURGING = "audit_purging_people"


def _being_purged(obj) -> bool:
    """A person whose data the purge is erasing: it records one event of its own
    (privacy.person_purged), never their values before."""
    from sqlalchemy.orm import object_session

    session = object_session(obj)
    return session is not None and getattr(obj, "id", None) in session.info.get(PURGING, ())


def _settings_changed(obj) -> dict[str, Any] | None:
    """A changed setting: the columns that changed, before and after."""
    from sqlalchemy import inspect

    if not isinstance(obj, _settings_types()) or _being_purged(obj):
        return None
    state = inspect(obj)
    before, after = {}, {}
    personal = PERSONAL_USER_COLUMNS if type(obj).__tablename__ == "user" else frozenset()
    # A person's account switched on or off is its own event (_account_changed), not also
    # a changed setting.
    reported_elsewhere = {"active"} if type(obj).__tablename__ == "user" else set()
    for attr in state.mapper.column_attrs:
        if attr.key in _NOT_SETTINGS or attr.key in reported_elsewhere:
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        before[attr.key], after[attr.key] = _plain(old), _plain(new)
        if attr.key in personal:
            before[attr.key] = Personal(obj.id, before[attr.key])
            after[attr.key] = Personal(obj.id, after[attr.key])
    if not after:
        return None
    return dict(
        action=f"settings.{type(obj).__tablename__}_changed",
        actor_id=_current_user_id(),
        details={"before": before, "after": after},
    )


def _account_changed(obj) -> dict[str, Any] | None:
    """A person's password changed, or their account switched on or off."""
    from sqlalchemy import inspect as inspect_object

    from grants.people.models import User

    if not isinstance(obj, User) or _being_purged(obj):
        return None
    state = inspect_object(obj)
    if state.attrs["password_hash"].history.has_changes():
        return dict(action="people.password_changed", actor_id=_current_user_id())
    if state.attrs["active"].history.has_changes():
        return dict(
            action="people.activated" if obj.active else "people.deactivated",
            actor_id=_current_user_id(),
        )
    return None


@event.listens_for(Session, "after_flush")
def _audit(session: Session, flush_context) -> None:
    rows = []
    for obj, describe in (
        [(o, _describe) for o in session.new]
        + [(o, _created_elsewhere) for o in session.new]
        + [(o, _settings_added) for o in session.new]
        + [(o, _settings_changed) for o in session.dirty]
        + [(o, _account_changed) for o in session.dirty]
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
    """An event on a person's account (grants.people.two_factor.audit), in the trail."""
    db.session.add(
        AuditEvent(
            at=clock.now(),
            actor_id=actor.id if actor is not None else None,
            action=action,
            object_type="user",
            object_id=user.id if user is not None else None,
            details=details,
        )
    )
