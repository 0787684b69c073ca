from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core import clock
from grants.core.auditing import NOT_AUDITED
from grants.extensions import Model


class JournalisationStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Journalisation(Model):
    """One document of a case handed to the ESDH: which, when, to where, by which adapter,
    under which KLE number and handling code. A document is handed over once, unless
    someone asks for it again (then a new row)."""

    __tablename__ = "journalisation"
    # Each sending is written in the case's journal, which is audited.
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    # "application", "attachment:<id>", "letter:<id>", "message:<journal entry id>"
    document: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    adapter: Mapped[str] = mapped_column(String(40))
    destination: Mapped[str] = mapped_column(String(254), default="")
    kle_number: Mapped[str] = mapped_column(String(8), default="")
    handling_code: Mapped[str] = mapped_column(String(3), default="")
    status: Mapped[str] = mapped_column(String(20), default=JournalisationStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(500), default="")
    # None: journalised automatically on an event of the case.
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    application = relationship("Application")
    requested_by = relationship("User")
