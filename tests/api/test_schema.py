"""schemathesis over the app's own OpenAPI description, in-process (WSGI): every operation,
with valid and invalid input, checked against the documented statuses, content types and
response schemas (the default checks: no server error, status and content type documented,
the body matches its schema, auth not ignored).

schemathesis's own pytest loader (``from_fixture``) does not run under pytest 9 yet, so each
operation is driven here through its Hypothesis strategy."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from grants.api import tokens
from grants.api.openapi import document
from grants.core import clock
from grants.extensions import db
from tests.api.test_api import granted

OPERATIONS = [
    (method.upper(), path) for path, item in document("")["paths"].items() for method in item
]


@pytest.mark.parametrize("method, path", OPERATIONS)
def test_every_operation_keeps_to_its_description(app, world, method, path):
    granted(world)
    _token, secret = tokens.issue(
        "schemathesis", "payments", clock.today() + dt.timedelta(days=30), world.finance
    )
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method]
    headers = {"Authorization": f"Bearer {secret}"}
    seen: set[int] = set()

    @given(case=operation.as_strategy())
    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call_and_validate(headers=headers)
        seen.add(response.status_code)

    check()
    assert seen, "no request was made"
