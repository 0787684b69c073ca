from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core import clock
from grants.core.auditing import Audited, Record
from grants.extensions import Model


class Letter(Model):
    """A letter as it was sent: its bytes, their SHA-256, and what it was made from."""

    __tablename__ = "letter"
    __audit__ = Audited(
        added=Record(
            lambda letter: f"letter.{letter.kind}",
            ("sha256", "filename"),
            actor="created_by_id",
            case="application_id",
        )
    )
    # One letter of a kind per case and edition: a letter is never silently made again; a
    # reconsidered decision is a new edition that replaces the one before, which stays.
    __table_args__ = (UniqueConstraint("application_id", "kind", "edition"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # "decision", later "settlement"
    language: Mapped[str] = mapped_column(String(8))
    template: Mapped[str] = mapped_column(String(200))
    # The case data the letter was rendered from, so it can be explained later.
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    filename: Mapped[str] = mapped_column(String(200))
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The version of the fund's letter text it was made from; None: the standard text.
    text_id: Mapped[int | None] = mapped_column(ForeignKey("letter_text.id"))
    # When the PDF was deleted with the case's personal data (grants.privacy); the hash,
    # kind, date and size stay as proof of what was sent.
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The code printed on the letter (and in its QR code) that the public verification page
    # answers to (grants.letters.verification); None for letters made before codes.
    verification_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    # 1 for the first letter of its kind in the case; a reconsidered decision's letter is the
    # next edition and ``replaced_by`` the one before (both stay in the case file).
    edition: Mapped[int] = mapped_column(default=1, server_default="1")
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"))
    replaced_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    application = relationship("Application")
    created_by = relationship("User")
    text = relationship("LetterText")
    replaced_by = relationship("Letter", remote_side=[id], post_update=True)


class LetterText(Model):
    """A fund's own text for the letters of one outcome, in versions: saving adds one.

    The body is a Jinja text with the placeholders of ``grants.letters.texts.PLACEHOLDERS``
    only, rendered in a sandbox."""

    __tablename__ = "letter_text"
    __audit__ = Audited(setting_added=True)
    __table_args__ = (UniqueConstraint("fund_id", "outcome", "language", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    # granted, partly_granted, refused or settlement
    outcome: Mapped[str] = mapped_column(String(40))
    # The language of the letters it is used in: a letter is in its recipient's language
    # throughout, so each language has its own versions.
    language: Mapped[str] = mapped_column(String(8), default="da", server_default="da")
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
