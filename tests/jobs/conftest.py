"""The jobs' tests use the committees' world: a meeting's decisions are the jobs there are."""

from tests.committees.conftest import cw  # noqa: F401
