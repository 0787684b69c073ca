"""Fixtures for the subsidy rules: a municipality with Ballerup's youth funds, their shipped
rule sets, the partner cities, an organisation and the people who use the rules."""

from __future__ import annotations

import pytest

from grants.subsidies import models  # noqa: F401  - the rule set table, emptied between tests
from tests.subsidies import helpers


@pytest.fixture
def youth(app, routes, snapshot) -> helpers.YouthWorld:
    return snapshot("subsidies.youth", helpers.youth_world)
