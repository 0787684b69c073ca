from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grants.core import clock
from grants.core.auditing import NOT_AUDITED
from grants.extensions import Model


class OutboxMessage(Model):
    __tablename__ = "outbox_message"
    # A copy of what a step or an event already recorded.
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), index=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
