"""The steps of a case's route in the permission layer (grants.core.access).

Which step a person may take on a case is data (the transition table, see
``grants.workflow.engine``); the rule ``case.step`` asks the engine, so a forged form post
gets no further than a missing button."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grants.core import access
from grants.workflow import engine
from grants.workflow.actions import ACTIONS

if TYPE_CHECKING:
    from grants.cases.models import Application
    from grants.people.models import User


@access.rule("case.step")
def can_take_step(user: User, application: Application, step: str = "", **_: object) -> bool:
    """A step of the case's route, by the transition table (roles on the case, guards)."""
    return any(t.action == step for t in engine.available_transitions(application, user))


@access.rule("case.decide")
def can_decide(user: User, application: Application, **_: object) -> bool:
    """One of the decision form's outcomes is the person's to choose now."""
    return any(ACTIONS[t.action].decides for t in engine.available_transitions(application, user))
