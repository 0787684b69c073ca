"""Fixtures of the people's tests."""

from __future__ import annotations

import pytest

from grants.people import operations


@pytest.fixture
def hash_checks(monkeypatch) -> list[str]:
    """The password hashes the login checks, in order."""
    checked: list[str] = []
    real = operations.check_password_hash

    def counting(stored, password):
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(operations, "check_password_hash", counting)
    return checked
