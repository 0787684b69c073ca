"""The steps of a case's route in the permission layer (grants.core.access).

Which step a person may take on a case is data (the transition table, see
``grants.workflow.engine``); the rule ``case.step`` asks the engine, so a forged form post
gets no further than a missing button."""

from __future__ import annotations

from grants.core import access
from grants.workflow import engine
from grants.workflow.actions import ACTIONS


@access.rule("case.step")
def can_take_step(user, application, step: str = "", **_) -> bool:
    """A step of the case's route, by the transition table (roles on the case, guards)."""
    return any(t.action == step for t in engine.available_transitions(application, user))


@access.rule("case.decide")
def can_decide(user, application, **_) -> bool:
    """One of the decision form's outcomes is the person's to choose now."""
    return any(ACTIONS[t.action].decides for t in engine.available_transitions(application, user))
