"""The letters' tests use the youth fund of the reports' tests and the committee of the
committees' tests, to make every kind of letter."""

from tests.committees.conftest import cw  # noqa: F401
from tests.reports.conftest import youth  # noqa: F401
