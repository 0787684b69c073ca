"""The youth travel fund of the youth journey's tests, for the association's drafts."""

from tests.applications.test_youth_journey import youth  # noqa: F401  - a fixture
