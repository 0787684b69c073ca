"""A state is named in one place (grants/cases/states.py): code and templates outside the
workflow say ``State.GRANTED``, never ``"granted"``. A route's states and actions are the
workflow's own: the loader refuses others."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from grants.cases.models import Outcome
from grants.cases.states import APPLICANT_STATE_LABELS, STATE_LABELS, State
from grants.workflow.actions import ACTIONS
from grants.workflow.loader import STANDARD_ROUTES, RouteFileError, load_route_file

ROOT = Path(__file__).resolve().parents[2]
STATES = {state.value for state in State}
# Three states share their names with a decision's outcomes (and "granted" is a column of the
# budgets' figures): those are found where the code speaks of a state. Any other state's
# name is found wherever it is written.
SHARED = {outcome.value for outcome in Outcome}


def _mentions_state(node: ast.AST) -> bool:
    """An expression about a case's state: ``application.state``, ``from_state``, ``state``,
    ``NOT_PAYABLE_STATES``, ``self.states()``..."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return "state" in node.attr.lower()
    if isinstance(node, ast.Name):
        return "state" in node.id.lower()
    return False


def _literals(node: ast.AST) -> list[str]:
    """The state names written out as strings in ``node`` (a string, or a tuple, list or set
    of them)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if node.value in STATES else []
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [name for element in node.elts for name in _literals(element)]
    if isinstance(node, ast.Starred):
        return _literals(node.value)
    return []


def state_literals(source: str) -> list[tuple[int, str]]:
    """(line, name) of every state written as a string: anywhere for a name that means
    nothing else; for the names shared with the outcomes, where code speaks of a state (a
    comparison with a state, ``.in_``/``.not_in`` on one, ``state="..."`` as an argument, a
    constant named ``*STATE*``)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        operands: list[ast.AST] = []
        if isinstance(node, ast.Constant) and node.value in STATES - SHARED:
            operands = [node]
        elif isinstance(node, ast.Compare):
            parts = [node.left, *node.comparators]
            if any(_mentions_state(part) for part in parts):
                operands = parts
        elif isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("in_", "not_in")
                and _mentions_state(func.value)
            ):
                operands = list(node.args)
            operands += [k.value for k in node.keywords if k.arg and "state" in k.arg.lower()]
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None and any(_mentions_state(t) for t in targets):
                operands = [node.value]
        found |= {(node.lineno, name) for operand in operands for name in _literals(operand)}
    return sorted(found)


# In a template: a state's name in quotes next to ``.state`` (``application.state ==
# 'draft'``, ``state in ('granted', ...)``).
TEMPLATE_STATE = re.compile(
    r"state\s*(?:==|!=|\bin\b|\bnot in\b)\s*\(?\s*['\"](" + "|".join(sorted(STATES)) + r")['\"]"
)


def test_the_checker_finds_a_state_written_out_and_leaves_other_words_alone():
    flagged = state_literals(
        "if application.state == 'granted': pass\n"
        "x = Application.state.in_(('draft', 'screening'))\n"
        "WAITING_STATES = ('settled',)\n"
        "record(a, 'x', b, to_state='refused')\n"
        "if outcome == 'granted': pass\n"  # an outcome, not a state
        "totals = {'granted': 1}\n"
        "STEPS = {'x': ('put_on_agenda', 'screening')}\n"
    )
    assert flagged == [
        (1, "granted"),
        (2, "draft"),
        (2, "screening"),
        (3, "settled"),
        (4, "refused"),
        (7, "screening"),
    ]
    assert TEMPLATE_STATE.search("{% if application.state in ('granted', 'x') %}")
    assert not TEMPLATE_STATE.search("{% if letter.outcome == 'granted' %}")


def test_no_state_is_written_out_in_code_outside_the_workflow():
    found = []
    for path in sorted((ROOT / "grants").rglob("*.py")):
        relative = path.relative_to(ROOT)
        # The workflow, and the case's states themselves (grants/cases/states.py: below
        # the budgets and the letters, which name states too).
        if relative.parts[:2] == ("grants", "workflow") or relative.parts[1:] == (
            "cases",
            "states.py",
        ):
            continue
        found += [
            f"{relative}:{line}: {name!r}"
            for line, name in state_literals(path.read_text(encoding="utf-8"))
        ]
    assert not found, "say State.X (grants.cases.states), not the name:\n" + "\n".join(found)


def test_no_state_is_written_out_in_a_template():
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for match in TEMPLATE_STATE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, "say State.X (a template global), not the name:\n" + "\n".join(found)


def test_every_state_has_a_label_and_the_applicant_labels_are_of_states():
    assert set(STATE_LABELS) == set(State)
    assert set(APPLICANT_STATE_LABELS) <= set(State)


def test_the_standard_routes_use_only_the_workflows_states_and_actions(app):
    """(With the app: the case's actions are registered when it is built.)"""
    import tomllib

    for path in STANDARD_ROUTES.glob("*.toml"):
        route = tomllib.loads(path.read_text(encoding="utf-8"))
        assert route["initial_state"] in STATES
        for row in route["transition"]:
            assert {row["from"], row["to"]} <= STATES, (path.name, row)
            assert row["action"] in ACTIONS, (path.name, row)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("action", "fly_to_the_moon", "unknown action"), ("to", "on_the_moon", "on_the_moon")],
)
def test_a_route_with_an_unknown_action_or_state_is_refused(app, tmp_path, field, value, message):
    source = (STANDARD_ROUTES / "study_trip.toml").read_text(encoding="utf-8")
    source = source.replace('code = "study_trip"', 'code = "test_unknown"', 1)
    source = source.replace(
        'action = "submit"' if field == "action" else 'to = "awaiting_endorsement"',
        f'{field} = "{value}"',
        1,
    )
    path = tmp_path / "unknown.toml"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(RouteFileError, match=message):
        load_route_file(path)
