from __future__ import annotations

import datetime as dt
import enum
import secrets

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from grants.core import clock
from grants.core.auditing import NOT_AUDITED, Audited, Record
from grants.core.models import Timestamp, enum_type
from grants.extensions import Model


class Role(enum.StrEnum):
    """What a person may do in general. What they may do to a given case follows from the
    case's route (``grants.workflow``)."""

    EMPLOYEE = "employee"
    MANAGER = "manager"
    CASEWORKER = "caseworker"
    BOARD_MEMBER = "board_member"
    FINANCE = "finance"
    ADMIN = "admin"


def _account_change(user: User) -> str | None:
    """The event of a password changed or an account switched on or off, if any."""
    from sqlalchemy import inspect

    state = inspect(user)
    if state.attrs["password_hash"].history.has_changes():
        return "people.password_changed"
    if state.attrs["active"].history.has_changes():
        return "people.activated" if user.active else "people.deactivated"
    return None


class User(UserMixin, Timestamp, Model):
    __tablename__ = "user"
    __audit__ = Audited(
        # Sign-ups and invitations are not settings: a new account is an event of its own.
        added=Record("people.account_created", actor=lambda user, signed_in: signed_in or user.id),
        setting_changed=True,
        # A password changed or an account switched on or off: an event of its own.
        changed=Record(_account_change),
        quiet=frozenset({"active"}),
        personal=frozenset({"email", "name", "title", "department"}),
        subject=lambda user: user.id,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    # None: the person has no password here and logs in another way (an identity provider,
    # ``UserIdentity``); the password backend refuses them like a wrong password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(8), default="da")
    active: Mapped[bool] = mapped_column(default=True)
    # The employee's own manager, proposed as the endorsing manager on new applications.
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Part of the id kept in the session cookie: a new one (on a password change) ends every
    # other session of the person.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))

    manager: Mapped[User | None] = relationship(remote_side=[id])
    role_grants: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    # The second factor (grants.people.two_factor): read only where it is needed.
    two_factor: Mapped[TwoFactor | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", uselist=False
    )
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    # The identities elsewhere the person logs in with (grants.people.authentication): read
    # only where they are needed (the administrator's list loads them for its people), not
    # with every person every page loads (one query a page, and again for each case's
    # applicant).
    identities: Mapped[list[UserIdentity]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.renew_session_token()

    def renew_session_token(self) -> None:
        """End every session of the person (the cookie holds "<id>.<token>")."""
        self.session_token = secrets.token_hex(16)

    def get_id(self) -> str:  # Flask-Login: what the session cookie holds
        return f"{self.id}.{self.session_token}"

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def roles(self) -> set[Role]:
        return {grant.role for grant in self.role_grants}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def grant_role(self, role: Role) -> None:
        if role not in self.roles:
            self.role_grants.append(UserRole(role=role))

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def has_second_factor(self) -> bool:
        return self.two_factor is not None and self.two_factor.confirmed_at is not None

    def __repr__(self) -> str:
        return f"<User {self.email}>"


def _role_details(role: UserRole) -> dict:
    details = {"user_id": role.user_id, "role": str(role.role)}
    if role.granted_by_group is not None:
        details["group"] = role.granted_by_group
    return details


class UserRole(Model):
    __tablename__ = "user_role"
    __audit__ = Audited(
        # A role the group mapping gave at a login names its group (grants.people.oidc).
        added=Record("roles.granted", lambda role: _role_details(role)),
        removed=Record("roles.revoked", ("user_id", "role")),
    )
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    # The provider's group whose mapping granted the role at the last login (staff logging
    # in by OpenID Connect, grants.people.oidc); None: granted by hand in the app. The next
    # login replaces the roles with a group; those granted by hand stay.
    granted_by_group: Mapped[str | None] = mapped_column(String(255))
    user: Mapped[User] = relationship(back_populates="role_grants")


class LoginAttempt(Model):
    """Every attempt to log in, kept for throttling and for the audit (who, when, from where,
    whether it succeeded). Failed attempts are counted to lock an account or an address out
    for a while."""

    __tablename__ = "login_attempt"
    __audit__ = Audited(
        added=Record(
            lambda attempt: "login.succeeded" if attempt.succeeded else "login.failed",
            ("email", "ip"),
            actor="user_id",
        ),
        personal=frozenset({"email", "ip"}),
        subject=lambda attempt: attempt.user_id,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now, index=True)


class SignupMail(Model):
    """A sign-up e-mail sent (``grants.people.operations.request_signup``): to which address,
    for which network address, when. Counted to send at most a few an hour to one address
    and from one network address (the sign-up sends to any address typed, without a login),
    and kept only that hour: forgotten at the next sign-up and by the privacy purge (``flask
    privacy purge``, docs/operations.md)."""

    __tablename__ = "signup_mail"
    # Throttling's bookkeeping, deleted within the hour; the e-mail itself is in the outbox.
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now, index=True)


class TwoFactor(Timestamp, Model):
    """A person's authenticator app (TOTP, RFC 6238). The shared secret is stored encrypted
    (``grants.people.two_factor``) and shown only while it is being set up; until the first
    code from the app confirms it (``confirmed_at``), it is not asked for at login."""

    __tablename__ = "two_factor"
    # Two-factor changes are account events (grants.people.two_factor.audit).
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The time step of the last code accepted: a code is good once (no replay), and so is
    # every code of an earlier step.
    last_used_step: Mapped[int | None] = mapped_column(Integer)
    user: Mapped[User] = relationship(back_populates="two_factor")


class RecoveryCode(Model):
    """A one-time code for when the authenticator app is lost: kept hashed, good once."""

    __tablename__ = "recovery_code"
    # Two-factor changes are account events (grants.people.two_factor.audit).
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship(back_populates="recovery_codes")


class UserIdentity(Model):
    """A person's identity at a login method other than the app's own password: the method
    (an authentication backend's name, ``grants.people.authentication``) and the subject it
    names the person by (an OpenID Connect ``sub``, a SAML NameID). One identity belongs to one
    person; a person may have several (and a password besides)."""

    __tablename__ = "user_identity"
    # Not audited yet: a login linked at an identity provider (issue 18, point 6).
    __audit__ = NOT_AUDITED
    __table_args__ = (UniqueConstraint("backend", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    backend: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship(back_populates="identities")
