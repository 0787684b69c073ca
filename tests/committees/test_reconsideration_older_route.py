"""Reconsideration of a case on an older version of the committees' route (version 1 had
no reconsideration; it came with version 2). Routes are versioned data: version 1 stays as
it was, and so do its cases, until one asks for reconsideration; that case then moves onto
the newest version, which keeps every step of version 1, and the journal says so. The
committee decides again and the ledger moves by the difference, as on version 2."""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest
from sqlalchemy import select

from grants.applications.operations import request_reconsideration
from grants.budgets.balances import application_money
from grants.cases.states import RECONSIDERING_STATES, State
from grants.committees.models import Decision
from grants.core.errors import NotAllowed
from grants.extensions import db
from grants.workflow.engine import newer_route
from grants.workflow.loader import STANDARD_ROUTES, current_route, load_route_file
from grants.workflow.models import JournalEntry, Route
from tests import html
from tests.committees.conftest import make_case, on_agenda
from tests.committees.test_reconsideration import (  # noqa: F401  (next_meeting: a fixture)
    REASONS,
    available,
    decide_at,
    decisions,
    next_meeting,
)

RECONSIDERATION = {str(state) for state in RECONSIDERING_STATES}


def _write_route(path, data: dict) -> None:
    lines = [
        f'code = "{data["code"]}"',
        f"version = {data['version']}",
        f'name = "{data["name"]}"',
        f'initial_state = "{data["initial_state"]}"',
    ]
    for row in data["transition"]:
        lines.append("[[transition]]")
        for key, value in row.items():
            lines.append(f"{key} = {value!r}".replace("'", '"').replace("True", "true"))
    path.write_text("\n".join(lines).replace("False", "false") + "\n", encoding="utf-8")


def _route_variant(tmp_path, version: int, *, reconsideration: bool, drop: str = "") -> Route:
    """The committees' route (version 3), as ``version``: without the reconsideration steps
    and the cancelled meeting's step (as version 1 was), and without the step ``drop`` (a
    version that does not keep them all)."""
    data = tomllib.loads((STANDARD_ROUTES / "committee_decision.toml").read_text("utf-8"))
    data["version"] = version

    def reconsiders(row: dict) -> bool:
        return (
            row["action"] in ("request_reconsideration", "take_off_agenda")
            or row["from"] in RECONSIDERATION
            or row["to"] in RECONSIDERATION
        )

    data["transition"] = [
        row
        for row in data["transition"]
        if (reconsideration or not reconsiders(row)) and row["action"] != drop
    ]
    path = tmp_path / f"committee_decision_v{version}.toml"
    _write_route(path, data)
    route = load_route_file(path)
    db.session.commit()
    return route


@pytest.fixture
def v1(cw, tmp_path):
    """The committees' route version 1, and the committee's fund pointing at it."""
    route = _route_variant(tmp_path, 1, reconsideration=False)
    cw.fund.route = route
    db.session.commit()
    assert current_route("committee_decision").version == 3
    return route


@pytest.fixture
def granted_on_v1(cw, v1):
    """A case on version 1 the committee granted 5.000 of 8.000 kr."""
    application = make_case(cw)
    assert application.route_id == v1.id
    decide_at(cw, on_agenda(cw, application), Decision.GRANT_PART, Decimal(5000), "Kun rejsen.")
    assert application.state == State.PARTLY_GRANTED
    assert application.route_id == v1.id
    return application


def _moves(application) -> list[JournalEntry]:
    return list(
        db.session.scalars(
            select(JournalEntry).where(
                JournalEntry.application_id == application.id,
                JournalEntry.action == "route_version_changed",
            )
        )
    )


def test_a_case_on_version_1_is_reconsidered_end_to_end(
    cw,
    v1,
    granted_on_v1,
    client,
    auth,
    next_meeting,  # noqa: F811
):
    application = granted_on_v1
    before = available(application)
    auth.login(cw.outsider)
    url = f"/ansoegninger/{application.id}/genoptagelse"
    assert url in html.links(client.get(f"/ansoegninger/{application.id}"))

    done = client.post(url, data={"reasons": REASONS}, content_type="multipart/form-data")

    assert done.status_code == 302
    db.session.expire_all()
    application = db.session.get(type(application), application.id)
    assert application.state == State.RECONSIDERATION
    v3 = current_route("committee_decision")
    assert application.route_id == v3.id
    (moved,) = _moves(application)
    assert (moved.details["old"], moved.details["new"]) == (1, 3)
    assert moved.actor_id == cw.outsider.id
    assert not moved.visible_to_applicant
    # Version 1 and the fund are as they were: new cases still start on it.
    assert db.session.get(Route, v1.id).version == 1
    assert cw.fund.route_id == v1.id
    assert make_case(cw).route_id == v1.id

    # The committee decides again; the ledger moves by the difference.
    decide_at(cw, on_agenda(cw, application, next_meeting), Decision.GRANT)
    assert application.state == State.GRANTED
    assert application_money(application).granted == Decimal(8000)
    assert available(application) == before - Decimal(3000)
    first, second = decisions(application)
    assert first.replaced_by_id == second.id

    # The staff's journal says it, in both languages.
    auth.login(cw.caseworker)
    rows = html.table_rows(
        client.get(f"/ansoegninger/{application.id}"),
        "section[aria-labelledby=journal-heading] table",
    )
    (row,) = [r for r in rows if r[2] == "Flyttet til en nyere version af sagsgangen"]
    assert "fra version 1 til version 3" in row[4] and "Bed om genoptagelse" in row[4]
    client.post("/sprog", data={"locale": "en"})
    rows = html.table_rows(
        client.get(f"/ansoegninger/{application.id}"),
        "section[aria-labelledby=journal-heading] table",
    )
    (row,) = [r for r in rows if r[2] == "Moved to a newer version of the case route"]
    assert "from version 1 to version 3" in row[4] and "Ask for reconsideration" in row[4]


def test_a_refused_request_leaves_the_case_on_its_version(cw, granted_on_v1, client, auth):
    auth.login(cw.outsider)
    url = f"/ansoegninger/{granted_on_v1.id}/genoptagelse"
    empty = client.post(url, data={"reasons": ""}, content_type="multipart/form-data")
    assert empty.status_code == 422 and html.field_error(empty, "reasons")
    db.session.expire_all()
    assert granted_on_v1.state == State.PARTLY_GRANTED
    assert granted_on_v1.route.version == 1
    assert _moves(granted_on_v1) == []


def test_only_the_applicant_asks_on_version_1_too(cw, granted_on_v1):
    for person in (cw.caseworker, cw.chair, cw.member, cw.secretary):
        with pytest.raises(NotAllowed):
            request_reconsideration(granted_on_v1, person, "request_reconsideration", REASONS)
    db.session.rollback()
    assert granted_on_v1.route.version == 1
    assert _moves(granted_on_v1) == []


def test_a_case_not_yet_decided_stays_on_version_1(cw, v1):
    application = make_case(cw)
    on_agenda(cw, application)
    assert application.route_id == v1.id
    assert _moves(application) == []


def test_a_newer_version_that_drops_a_step_is_not_moved_onto(cw, v1, granted_on_v1, tmp_path):
    """Version 4 has reconsideration but no "withdraw": a case of version 1 would lose a way
    it had, so it is not moved onto it, and cannot ask."""
    _route_variant(tmp_path, 4, reconsideration=True, drop="withdraw")
    assert current_route("committee_decision").version == 4
    assert newer_route(granted_on_v1) is None
    with pytest.raises(NotAllowed):
        request_reconsideration(granted_on_v1, cw.outsider, "request_reconsideration", REASONS)
    db.session.rollback()
    assert granted_on_v1.route.version == 1
