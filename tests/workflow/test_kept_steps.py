"""The case page's buttons come from every route's steps kept across requests
(``engine.available_steps``), not from the route's transitions read on every request: the
same steps, in the same order, for every person and state, and read again when a route is
loaded or a route is not among those kept."""

from __future__ import annotations

from flask import current_app

from grants.workflow import engine
from grants.workflow.models import Step
from tests.factories import cases_before_and_after_the_trip, world_people
from tests.workflow.test_transition_table import STATES


def test_the_kept_steps_are_the_routes_transitions_for_everyone_in_every_state(world):
    cases = cases_before_and_after_the_trip(world, STATES)
    for case in cases:
        for person in world_people(world):
            kept = engine.available_steps(case, person)
            read = engine.available_transitions(case, person)
            assert all(isinstance(step, Step) for step in kept)
            assert [(s.id, s.action, s.to_state, s.comment_required) for s in kept] == [
                (t.id, t.action, t.to_state, t.comment_required) for t in read
            ], (case.state, person.email)


def test_the_steps_are_read_again_for_a_route_not_kept_and_after_a_route_is_loaded(world):
    route = world.fund.route
    kept = engine.kept_steps(route.id)
    assert kept and engine.kept_steps(route.id) is kept  # kept, not read again
    # A route made since the steps were kept (by another process): read again.
    current_app.extensions["grants.workflow.route_steps"][1].pop(route.id)
    again = engine.kept_steps(route.id)
    assert again == kept and again is not kept
    engine.forget_steps()  # what loading a route does
    assert engine.kept_steps(route.id) is not again
