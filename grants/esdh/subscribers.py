"""The events that put a case's documents in the ESDH (grants.esdh.operations): a case
submitted (the application and its documents), a letter issued, a message written with a
step. Listed in ``grants.SUBSCRIBER_MODULES``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grants.cases.states import State
from grants.esdh import operations
from grants.letters.signals import letter_issued
from grants.workflow.signals import step_taken

if TYPE_CHECKING:
    from grants.cases.models import Application
    from grants.letters.models import Letter
    from grants.people.models import User
    from grants.workflow.models import JournalEntry


@step_taken.connect
def _step_taken(
    application: Application,
    *,
    actor: User,
    from_state: str,
    entry: JournalEntry,
    comment: str = "",
    **_facts: object,
) -> None:
    if not operations.active_for(application):
        return
    keys = []
    if from_state == State.DRAFT:  # a new case: the application and what came with it
        keys += [operations.APPLICATION]
        keys += [f"attachment:{a.id}" for a in application.attachments]
    if comment.strip():
        if entry.id is None:
            from grants.extensions import db

            db.session.flush()
        keys.append(f"message:{entry.id}")
    if keys:
        operations.journalise(application, keys, actor)


@letter_issued.connect
def _letter_issued(
    application: Application, *, letter: Letter, actor: User, **_facts: object
) -> None:
    if not operations.active_for(application):
        return
    if letter.id is None:
        from grants.extensions import db

        db.session.flush()
    operations.journalise(application, [f"letter:{letter.id}"], actor)
