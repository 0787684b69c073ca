"""A form draft: the text a person typed into one form, as typed (an amount may be "6.500"
or "abc": nothing is read or checked until the form itself is sent)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grants.core import clock
from grants.core.auditing import NOT_AUDITED
from grants.extensions import Model


class FormDraft(Model):
    """One person's draft of one form (``form_key``: which form, e.g. "application:12").

    Personal, also for an organisation's application: it holds what this person typed and
    has not saved, and another member typing at the same time must neither see it nor
    overwrite it. What the organisation shares is the application saved as a draft case.
    """

    __tablename__ = "form_draft"
    # Not a document of any case and never a decision: the purge deletes it after
    # FORM_DRAFT_KEEP_DAYS (grants.privacy), and saving it is not a case event.
    __audit__ = NOT_AUDITED
    __table_args__ = (UniqueConstraint("user_id", "form_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    form_key: Mapped[str] = mapped_column(String(80))
    # {field name: text typed} or {field name: [texts]} for a field of several values.
    fields: Mapped[dict] = mapped_column(JSON)
    saved_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, index=True
    )
