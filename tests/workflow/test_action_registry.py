"""The action registry: the workflow's own steps, and the case's registered from above."""

from __future__ import annotations

import dataclasses

import pytest

from grants.workflow import actions
from grants.workflow.actions import ACTIONS, Action, register

CASE_STEPS = ("endorse", "not_endorse", "grant", "grant_part", "refuse", "give_up_grant")


def test_the_cases_steps_are_registered_when_the_app_is_built(app):
    """grants.applications.actions, imported by create_app before any route is loaded."""
    assert set(CASE_STEPS) | {"cancel_grant"} <= set(ACTIONS)
    assert {name for name, action in ACTIONS.items() if action.decides} == {
        "grant",
        "grant_part",
        "refuse",
    }
    assert ACTIONS["give_up_grant"].effect.__module__ == "grants.applications.operations"


def test_registering_the_same_action_again_keeps_it(app):
    endorse = ACTIONS["endorse"]
    register(endorse)
    assert ACTIONS["endorse"] is endorse


def test_a_different_action_under_a_known_name_is_refused(app):
    changed = dataclasses.replace(ACTIONS["endorse"], secondary=True)
    with pytest.raises(ValueError, match="registered twice"):
        register(changed)
    assert ACTIONS["endorse"] is not changed
    assert actions.action("endorse") == dataclasses.replace(changed, secondary=False)


def test_a_new_action_is_added(app, monkeypatch):
    monkeypatch.setattr(actions, "ACTIONS", dict(ACTIONS))
    register(Action("look_again", "Se igen"))  # type: ignore[arg-type]
    assert actions.action("look_again") is not None
