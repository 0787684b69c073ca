"""A fund's own questions on the application form, in versions.

Changing the questions adds a new version; an application keeps the version it was filled in
with (``Application.form_version_id``) and its answers (``Application.answers``), so an old
case still shows exactly what was asked and answered.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core import clock
from grants.core.auditing import Audited
from grants.core.models import enum_type
from grants.extensions import Model, db


class QuestionKind(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    AMOUNT = "amount"
    YES_NO = "yes_no"
    CHOICE = "choice"
    DATE = "date"
    FILE = "file"


class FormVersion(Model):
    __tablename__ = "form_version"
    __audit__ = Audited(setting_added=True)
    __table_args__ = (UniqueConstraint("fund_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    version: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    questions: Mapped[list[Question]] = relationship(
        back_populates="form_version",
        cascade="all, delete-orphan",
        order_by="Question.position",
        lazy="selectin",
    )


class Question(Model):
    __tablename__ = "form_question"
    __audit__ = Audited(setting_added=True)
    __table_args__ = (UniqueConstraint("form_version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_version_id: Mapped[int] = mapped_column(
        ForeignKey("form_version.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    # Stable across versions: the answers are stored under it.
    key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[QuestionKind] = mapped_column(enum_type(QuestionKind))
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(default=False)
    # For a choice: the options, in order.
    choices: Mapped[list] = mapped_column(JSON, default=list)

    form_version: Mapped[FormVersion] = relationship(back_populates="questions")

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "kind": self.kind.value,
            "label": self.label,
            "help_text": self.help_text,
            "required": self.required,
            "choices": list(self.choices or []),
        }


def current_form(fund_id: int) -> FormVersion | None:
    return db.session.scalar(
        select(FormVersion)
        .where(FormVersion.fund_id == fund_id)
        .order_by(FormVersion.version.desc())
        .limit(1)
    )


def next_version(fund_id: int) -> int:
    return (
        db.session.scalar(
            select(func.max(FormVersion.version)).where(FormVersion.fund_id == fund_id)
        )
        or 0
    ) + 1
