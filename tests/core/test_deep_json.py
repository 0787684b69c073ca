"""Every route that reads a JSON body refuses one nested deeper than the parser goes with a
4xx, never a 500 (a RecursionError is no ValueError, so ``get_json(silent=True)`` let it
through): the drafts' autosave, the live subsidy calculation and the API's payment (tested
in tests/api/test_api_language.py). They all read it through ``grants.core.input.json_body``,
and no other code of the app reads a request's JSON."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from grants.drafts.models import FormDraft
from grants.extensions import db
from tests.factories import make_application
from tests.reports.helpers import granted_case

GRANTS = Path(__file__).resolve().parents[2] / "grants"
NESTED = ("[" * 100_000, '{"a":' * 5000, '{"fields": ' + "[" * 100_000)


def drafts() -> int:
    return db.session.scalar(select(func.count()).select_from(FormDraft))


@pytest.mark.parametrize("body", NESTED, ids=["arrays", "objects", "inside-fields"])
def test_a_deeply_nested_body_is_refused_by_every_json_route(world, client, auth, body):
    application = make_application(world.employee, world.fund, title="Min kladde")
    granted = granted_case(world, 8000)
    db.session.commit()
    auth.login(world.employee)
    before = drafts()
    for url in (
        f"/ansoegninger/ny/{world.fund.code}/kladde",
        f"/ansoegninger/{application.id}/rediger/kladde",
        f"/ansoegninger/{granted.id}/rapport/kladde",
        f"/tilskud/beregn/{world.fund.code}",
    ):
        response = client.post(url, data=body, content_type="application/json")
        assert response.status_code == 400, (url, response.status_code)
    assert drafts() == before


def test_the_same_routes_still_read_ordinary_json(world, client, auth):
    auth.login(world.employee)
    response = client.post(
        f"/ansoegninger/ny/{world.fund.code}/kladde", json={"fields": {"title": "Helsinki"}}
    )
    assert response.status_code == 200
    response = client.post(f"/tilskud/beregn/{world.fund.code}", json={})
    assert response.status_code == 200


def test_no_code_reads_a_requests_json_but_the_one_helper():
    reading = re.compile(r"\bget_json\(|\brequest\.json\b")
    found = [
        f"{path.relative_to(GRANTS.parent)}:{number}"
        for path in sorted(GRANTS.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if reading.search(line) and path != GRANTS / "core" / "input.py"
    ]
    assert found == [], "read a request's JSON with grants.core.input.json_body"
