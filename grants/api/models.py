"""An API token an administrator issues to a system, and the answers kept per idempotency
key. Only a token's SHA-256 digest is stored: the token itself is shown once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core import clock
from grants.core.auditing import NOT_AUDITED, Audited, Record
from grants.extensions import db

SCOPE_READ = "read"
SCOPE_PAYMENTS = "payments"
SCOPES = (SCOPE_READ, SCOPE_PAYMENTS)


class ApiToken(db.Model):
    __tablename__ = "api_token"
    # Issuing and revoking, by the administrator signed in; the digest never goes to the trail.
    __audit__ = Audited(
        added=Record("api.token_issued", ("name", "scope", "owner_id", "expires_on")),
        changed=Record(lambda token: "api.token_revoked" if token.revoked_at else None, ("name",)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # "read" or "payments" (payments includes read).
    scope: Mapped[str] = mapped_column(String(20), default=SCOPE_READ)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The administrator who issued it: the token reads with that person's access rules.
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    owner = relationship("User", foreign_keys=[owner_id])

    def usable(self, today: dt.date) -> bool:
        return self.revoked_at is None and today <= self.expires_on

    def allows(self, scope: str) -> bool:
        return scope == SCOPE_READ or self.scope == scope


class ApiIdempotentAnswer(db.Model):
    """The first answer to a write with an ``Idempotency-Key``: a repeat with the same key and
    body gets it again; the same key with another body is refused."""

    __tablename__ = "api_idempotent_answer"
    # A cache of answers; the write itself is audited (the ledger entry, the token's use).
    __audit__ = NOT_AUDITED
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    request_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    body: Mapped[dict] = mapped_column(JSON)
    content_type: Mapped[str] = mapped_column(Text, default="application/json")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
