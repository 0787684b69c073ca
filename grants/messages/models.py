"""A message on a case, a request for information or an internal note. Kept as written (a
document of the case, offentlighedsloven § 15): never changed, never removed by the app;
only the privacy purge blanks the texts after the retention period, with a bulk statement."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, String, Table, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.cases.models import Application, Attachment
from grants.core import clock
from grants.core.auditing import NOT_AUDITED
from grants.extensions import Model, db

MESSAGE = "message"  # to the other side
REQUEST = "request"  # the secretariat asks for information, by a deadline
NOTE = "note"  # internal: staff only, an internal working document (offentlighedsloven § 23)
KINDS = (MESSAGE, REQUEST, NOTE)

# A message's files are documents received in the case (Attachment, purpose "message").
message_attachment = Table(
    "case_message_attachment",
    db.metadata,
    Column("message_id", ForeignKey("case_message.id", ondelete="CASCADE"), primary_key=True),
    Column("attachment_id", ForeignKey("attachment.id", ondelete="CASCADE"), primary_key=True),
)


class CaseMessage(Model):
    """One message of a case's thread, or an internal note."""

    __tablename__ = "case_message"
    # Each message is journalised on the case (JournalEntry, which is audited).
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(20), default=MESSAGE)
    # Written by the applicant side (else by staff).
    from_applicant: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text, default="")
    # A request's deadline for the answer.
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"))
    # Who the message was e-mailed to when it was written ([{"id", "name"}], shown on the
    # case); None: told by the step's own e-mail, or written before this was kept.
    sent_to: Mapped[list | None] = mapped_column(JSON(none_as_null=True))

    application: Mapped[Application] = relationship()
    author = relationship("User")
    attachments: Mapped[list[Attachment]] = relationship(
        secondary=message_attachment, order_by=Attachment.id
    )

    @property
    def sent_to_shown(self) -> list[str]:
        """Who it was e-mailed to, as the case shows it: names, a mailbox's address."""
        return [p.get("name") or p.get("email") or "" for p in self.sent_to or ()]

    @property
    def internal(self) -> bool:
        return self.kind == NOTE


class MessageIsKept(RuntimeError):
    """Raised when code tries to change or remove a message of a case."""


@event.listens_for(CaseMessage, "before_update")
@event.listens_for(CaseMessage, "before_delete")
def _messages_are_kept(mapper: Any, connection: Any, target: object) -> None:
    raise MessageIsKept("A message of a case is kept as written.")


class UnreadReply(Model):
    """A message of the applicant side that took no step of the route: a reply to a request
    for information made as a message (or answered after the case had moved on), or a
    message that answers no request at all (a new date, a question, a complaint). The case
    waits for the caseworkers until one has read it (marked it read, answered in the thread
    or taken a step on the case), when the row is removed. Who read it and when is in the
    case's journal (``reply_read``)."""

    __tablename__ = "case_reply_unread"
    # Derived from the thread and the journal, which are kept (and audited) on their own.
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int] = mapped_column(
        ForeignKey("case_message.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    # Set with the message it marks, so that both are written in one flush (the case's days
    # worked out once, ``waits_for``).
    message: Mapped[CaseMessage] = relationship()
