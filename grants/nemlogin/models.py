from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from grants.core import clock
from grants.core.auditing import NOT_AUDITED
from grants.extensions import Model


class UsedAssertion(Model):
    """A SAML assertion from NemLog-in that logged someone in: a second use of its ID is a
    replay, refused. Kept until the assertion could no longer be accepted anyway."""

    __tablename__ = "used_assertion"
    # Bookkeeping for refusing replays; the login it made is audited (LoginAttempt).
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    assertion_id: Mapped[str] = mapped_column(String(255), unique=True)
    used_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    keep_until: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
