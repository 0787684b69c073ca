from __future__ import annotations

import datetime as dt
import enum
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from grants.core import clock
from grants.core.auditing import NOT_AUDITED, Audited, Record
from grants.core.models import enum_type
from grants.extensions import Model


class CaseRole(enum.StrEnum):
    """A person's relation to one case, which the transition table grants actions to."""

    APPLICANT = "applicant"  # the person who made the application
    MANAGER = "manager"  # the manager named on the application
    CASEWORKER = "caseworker"  # anyone in the secretariat
    BOARD_MEMBER = "board_member"  # a member of the fund's board
    # The chair or secretary recording a committee's decisions (grants.committees)
    COMMITTEE = "committee"


class Route(Model):
    __tablename__ = "workflow_route"
    # Loaded from the route files: versioned data, never changed in place.
    __audit__ = NOT_AUDITED
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(200))
    initial_state: Mapped[str] = mapped_column(String(40))

    transitions: Mapped[list[Transition]] = relationship(
        back_populates="route",
        cascade="all, delete-orphan",
        order_by="Transition.position",
        lazy="selectin",
    )

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if t.from_state == state]

    def states(self) -> list[str]:
        seen: dict[str, None] = {self.initial_state: None}
        for t in self.transitions:
            seen.setdefault(t.from_state)
            seen.setdefault(t.to_state)
        return list(seen)


class Transition(Model):
    """One row of a route: in ``from_state``, a person in ``role`` may take ``action``,
    which moves the case to ``to_state`` (if ``guard``, a named condition, holds)."""

    __tablename__ = "workflow_transition"
    # Part of its route (see Route).
    __audit__ = NOT_AUDITED
    __table_args__ = (UniqueConstraint("route_id", "from_state", "action", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("workflow_route.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    from_state: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    role: Mapped[CaseRole] = mapped_column(enum_type(CaseRole))
    guard: Mapped[str] = mapped_column(String(60), default="")
    # The action asks for a comment (e.g. a manager who does not endorse says why).
    comment_required: Mapped[bool] = mapped_column(default=False)
    # Set on the decision actions: the outcome the action records.
    outcome: Mapped[str] = mapped_column(String(40), default="")
    # Whether the journal entry is shown to the applicant.
    visible_to_applicant: Mapped[bool] = mapped_column(default=True)
    # Whether the people who may take this step are told that the case waits for them.
    # Off for steps that are possible but not expected (withdrawing, cancelling a grant).
    notifies: Mapped[bool] = mapped_column(default=True)

    route: Mapped[Route] = relationship(back_populates="transitions")


class Step(NamedTuple):
    """A transition's columns as read, not an object of the session: the steps of every
    route are kept across requests this way (``engine.available_steps``, the case page's
    buttons). Routes are versioned data, never changed in place."""

    id: int
    route_id: int
    position: int
    from_state: str
    action: str
    to_state: str
    role: CaseRole
    guard: str
    comment_required: bool
    outcome: str
    visible_to_applicant: bool
    notifies: bool


class JournalEntry(Model):
    """The case's journal: every step, who took it and when. Appended, never changed."""

    __tablename__ = "journal_entry"
    # Who applied for which case, and which contact person left it (grants.workflow.interest):
    # the work queue, the search and the menu's count leave those cases out of a person's
    # lists on every request, by these two small reads instead of the whole journal.
    __table_args__ = (
        Index("ix_journal_entry_actor_id_action", "actor_id", "action"),
        Index(
            "ix_journal_entry_representative_removed",
            "application_id",
            postgresql_where=text("action = 'representative_removed'"),
            sqlite_where=text("action = 'representative_removed'"),
        ),
    )
    __audit__ = Audited(
        added=Record(
            lambda entry: f"case.{entry.action}",
            lambda entry: {"from": entry.from_state, "to": entry.to_state},
            actor="actor_id",
            case="application_id",
        )
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(40), default="")
    to_state: Mapped[str] = mapped_column(String(40), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    visible_to_applicant: Mapped[bool] = mapped_column(default=True)
    # The facts of the step, where it has more than a comment: a resubmission's changes
    # field by field, a document received (grants.applications.changes, .documents), what a
    # system step did (a message key and its facts: grants.workflow.journal_texts). Facts,
    # never formatted text: the pages render them in the reader's language.
    details: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))

    actor = relationship("User")


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(JournalEntry, "before_update")
@event.listens_for(JournalEntry, "before_delete")
def _journal_is_append_only(mapper: Mapper[Any], connection: Connection, target: object) -> None:
    raise AppendOnlyError("The journal is appended to, never changed.")
