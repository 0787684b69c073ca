"""A request for information, and the applicant's answer to it, taken as a step on its own
page (the case page's button, the application's form) become messages of the case's thread.
Subscribes to ``workflow.signals.step_taken`` (listed in ``grants.SUBSCRIBER_MODULES``).
Importing it also adds the thread to the case's archive (``grants.messages.case_file``
registers itself with ``grants.applications.case_file.contributes``)."""

from __future__ import annotations

from typing import Any

from grants.cases.models import Application
from grants.core import access
from grants.messages import (
    case_file,  # noqa: F401  - registers the archive's part
    operations,
)
from grants.workflow.signals import step_taken


@step_taken.connect
def _message_of_the_step(application: Application, *, actor: Any, entry: Any, **_: Any) -> None:
    if operations.taking_step_from_thread():
        return  # the thread writes its own message
    operations.message_of_step(application, entry, actor)


@step_taken.connect
def _replies_read_by_the_step(application: Application, *, actor: Any, **_: Any) -> None:
    """Staff who take a step on the case have read what it holds: its unread replies are
    read (the applicant side's own steps read nothing)."""
    if actor is not None and not access.may(actor, "case.act_as_applicant", application):
        operations.replies_read(application)
