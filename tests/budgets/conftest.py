"""Fixtures of the budgets' tests (quick password hashes: tests/conftest.py)."""
