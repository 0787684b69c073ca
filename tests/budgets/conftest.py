"""Fixtures of the budgets' tests."""

from __future__ import annotations

from functools import partial

import pytest
from werkzeug.security import generate_password_hash


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    """The test people's passwords hashed with one round instead of scrypt: these tests are
    about money, and the world's seven people would otherwise cost half a second a test."""
    monkeypatch.setattr(
        "grants.people.models.generate_password_hash",
        partial(generate_password_hash, method="pbkdf2:sha256:1"),
    )
