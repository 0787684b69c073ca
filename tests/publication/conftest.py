"""Fixtures of the publication tests: the app with the publication and payments blueprints
(registered here too until grants/__init__.py does)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.payments.conftest import app  # noqa: F401
from tests.publication.helpers import TODAY


@pytest.fixture(autouse=True)
def a_fixed_today(monkeypatch):
    """The public pages show the trips that are over, from this year and the four before:
    the tests run on a fixed day late in a year, so that "this year" has trips behind it
    whatever day they run on (a test that needs another day moves the clock itself)."""
    from grants.core import clock

    moment = dt.datetime.combine(TODAY, dt.time(10), tzinfo=clock.LOCAL)
    monkeypatch.setattr(clock, "now", lambda: moment.astimezone(dt.UTC))
