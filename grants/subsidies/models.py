from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core import clock
from grants.core.auditing import Audited, Record
from grants.extensions import Model, db


class RuleSet(Model):
    """One version of a fund's subsidy rules. Append-only: a change is a new version, so a
    case that keeps the version it was computed with never changes when rates do.

    ``rules`` holds the validated, normalised rules (``grants.subsidies.rulefile.parse``);
    ``source`` the TOML exactly as it was imported or saved, comments and all."""

    __tablename__ = "rule_set"
    __audit__ = Audited(
        added=Record("settings.rule_set_added", ("fund_id", "version"), actor="created_by_id")
    )
    __table_args__ = (
        UniqueConstraint("fund_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    version: Mapped[int]
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    rules: Mapped[dict] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    fund = relationship("Fund")
    created_by = relationship("User")

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def __repr__(self) -> str:
        return f"<RuleSet fund={self.fund_id} v{self.version}>"


def rule_set_for(fund, on_date: dt.date) -> RuleSet | None:
    """The rules for a trip departing on ``on_date``: the newest version valid that day."""
    return db.session.scalar(
        select(RuleSet)
        .where(
            RuleSet.fund_id == fund.id,
            RuleSet.valid_from <= on_date,
            or_(RuleSet.valid_to.is_(None), RuleSet.valid_to >= on_date),
        )
        .order_by(RuleSet.version.desc())
        .limit(1)
    )


def versions_of(fund) -> list[RuleSet]:
    """Every version of a fund's rules, newest first."""
    return list(
        db.session.scalars(
            select(RuleSet).where(RuleSet.fund_id == fund.id).order_by(RuleSet.version.desc())
        )
    )


def newest_version(fund) -> RuleSet | None:
    return db.session.scalar(
        select(RuleSet).where(RuleSet.fund_id == fund.id).order_by(RuleSet.version.desc()).limit(1)
    )
