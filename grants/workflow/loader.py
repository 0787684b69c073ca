"""Load routes from their TOML files into the transition table."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from sqlalchemy import insert, select

from grants.cases.states import State
from grants.extensions import db
from grants.workflow.actions import ACTIONS
from grants.workflow.engine import forget_steps
from grants.workflow.guards import guard
from grants.workflow.models import CaseRole, Route, Transition

STANDARD_ROUTES = Path(__file__).parent / "routes"


class RouteFileError(ValueError):
    pass


def load_route_file(path: Path) -> Route:
    """Add the route in ``path`` unless that code and version are already loaded."""
    stat = path.stat()
    route_values, transitions = _read_route_file(path, stat.st_mtime_ns, stat.st_size)
    existing = db.session.scalar(
        select(Route).filter_by(code=route_values["code"], version=route_values["version"])
    )
    if existing:
        return existing
    route = Route(**route_values)
    db.session.add(route)
    db.session.flush()
    # The transitions in one statement: a route has dozens, and the tests load the standard
    # routes for almost every test (an object and a round trip each took 0.1 s a test).
    db.session.execute(insert(Transition), [{**row, "route_id": route.id} for row in transitions])
    db.session.expire(route, ["transitions"])
    forget_steps()
    return route


@functools.cache
def _read_route_file(path: Path, _mtime_ns: int, _size: int) -> tuple[dict, list[dict]]:
    """The route and its transitions as column values, checked: read again only when the
    file changes (the modification time and size are part of the key)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        route = {
            "code": data["code"],
            "version": int(data.get("version", 1)),
            "name": data["name"],
            "initial_state": State(data["initial_state"]),
        }
        transitions = []
        for position, row in enumerate(data["transition"]):
            guard(row.get("guard", ""))  # refuses unknown guards
            # A route is written in the workflow's states and actions, nothing else: an
            # action is what the case page and the step view know how to take.
            for state in (row["from"], row["to"]):
                State(state)  # a ValueError for a state that is not the workflow's
            if row["action"] not in ACTIONS:
                raise ValueError(f"unknown action {row['action']!r}; known: {sorted(ACTIONS)}")
            transitions.append(
                {
                    "position": position,
                    "from_state": row["from"],
                    "action": row["action"],
                    "to_state": row["to"],
                    "role": CaseRole(row["role"]),
                    "guard": row.get("guard", ""),
                    "comment_required": bool(row.get("comment_required", False)),
                    "outcome": row.get("outcome", ""),
                    "visible_to_applicant": bool(row.get("visible_to_applicant", True)),
                    "notifies": bool(row.get("notifies", True)),
                }
            )
    except (KeyError, ValueError) as exc:
        raise RouteFileError(f"{path.name}: {exc}") from exc
    return route, transitions


def load_standard_routes() -> dict[str, Route]:
    return {path.stem: load_route_file(path) for path in sorted(STANDARD_ROUTES.glob("*.toml"))}


def current_route(code: str) -> Route | None:
    """The newest version of the route ``code``; None when there is none."""
    return db.session.scalar(
        select(Route).filter_by(code=code).order_by(Route.version.desc()).limit(1)
    )
