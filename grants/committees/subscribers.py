"""A case withdrawn by the applicant while it stands on the agenda of an open meeting: its
item is marked withdrawn (``operations.withdrawn_from_agenda``), so the meeting is held and
closed without it. Subscribes to ``workflow.signals.step_taken`` (listed in
``grants.SUBSCRIBER_MODULES``)."""

from __future__ import annotations

from typing import Any

from grants.cases.models import Application
from grants.cases.states import State
from grants.committees import operations
from grants.workflow.models import CaseRole
from grants.workflow.signals import step_taken

# The states of a case on a committee's agenda (its decision, its report, a reconsideration).
AGENDA_STATES = (State.ON_AGENDA, State.REPORT_ON_AGENDA, State.RECONSIDERATION_ON_AGENDA)


@step_taken.connect
def _off_the_agenda(
    application: Application, *, transition: Any, actor: Any, from_state: str = "", **_: Any
) -> None:
    """The applicant's own step took the case off the agenda (withdrawn): the committee's
    steps are its meeting's, and leave the item to the meeting."""
    if from_state in AGENDA_STATES and transition.role == CaseRole.APPLICANT:
        operations.withdrawn_from_agenda(application, actor)
