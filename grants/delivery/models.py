from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core import clock
from grants.core.auditing import NOT_AUDITED
from grants.extensions import Model


class Channel(enum.StrEnum):
    DIGITAL_POST = "digital_post"
    EMAIL = "email"  # an e-mail with a secure link to the letter
    PRINT = "print"  # printed and posted by the secretariat


class Status(enum.StrEnum):
    PENDING = "pending"  # waiting for (or between) attempts at Digital Post
    SENT = "sent"  # accepted by Serviceplatformen for delivery
    # made available in the recipient's mailbox, says the Beskedfordeler (statuses.py)
    DELIVERED = "delivered"
    EMAILED = "emailed"
    TO_PRINT = "to_print"
    PRINTED = "printed"


class LetterDelivery(Model):
    """How one letter went to its recipient: the channel, where it stands and why.

    Only the letters of a fund with Digital Post have one. The secure link's token is never
    stored: only its SHA-256, so a copy of the database opens no letter."""

    __tablename__ = "letter_delivery"
    # Every attempt and result is written in the case's journal, which is audited.
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20), default=Channel.DIGITAL_POST)
    status: Mapped[str] = mapped_column(String(20), default=Status.PENDING, index=True)
    # "CVR 12345678": whom Digital Post was addressed to ("" when nobody could be).
    recipient: Mapped[str] = mapped_column(String(20), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    # Why the letter went by another channel than Digital Post (a key of REASONS).
    reason: Mapped[str] = mapped_column(String(20), default="")
    # The platform's last answer or the network's error, as it came.
    last_error: Mapped[str] = mapped_column(String(500), default="")
    transaction_id: Mapped[str] = mapped_column(String(64), default="")
    message_uuid: Mapped[str] = mapped_column(String(64), default="")
    link_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    link_opened_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    letter = relationship("Letter")
    application = relationship("Application")
