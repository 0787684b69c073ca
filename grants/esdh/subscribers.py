"""The events that put a case's documents in the ESDH (grants.esdh.operations): a case
submitted (the application and its documents), a letter issued, a step's comment, and a
message of the case's thread (grants.messages) with its files. Each goes through the same
record-then-job path; a document already on its way is not sent twice. Listed in
``grants.SUBSCRIBER_MODULES``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grants.cases.states import State
from grants.esdh import operations
from grants.letters.signals import letter_issued
from grants.messages.signals import message_written
from grants.workflow.signals import step_taken

if TYPE_CHECKING:
    from grants.cases.models import Application
    from grants.letters.models import Letter
    from grants.messages.models import CaseMessage
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


@message_written.connect
def _message_written(
    application: Application, *, message: CaseMessage, actor: User | None, **_facts: object
) -> None:
    """A message, a request or an internal note (an internal working document, journalised
    all the same: offentlighedsloven § 15), and each file that came with it."""
    if not operations.active_for(application):
        return
    keys = []
    if message.journal_entry_id is not None:
        keys.append(f"message:{message.journal_entry_id}")
    keys += [f"attachment:{a.id}" for a in message.attachments]
    if keys:
        operations.journalise(application, keys, actor)
