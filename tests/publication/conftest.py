"""Fixtures of the publication tests: the app with the publication and payments blueprints
(registered here too until grants/__init__.py does)."""

from __future__ import annotations

from tests.payments.conftest import app  # noqa: F401
