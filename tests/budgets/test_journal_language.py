"""A case moved to next year's budget when its year closed says so in the reader's language,
not in the finance officer's (issue 15, point 4)."""

from __future__ import annotations

from grants.budgets.closing import WAITING_MOVE, close_year
from grants.extensions import db
from tests.budgets.test_closing_waiting import undecided  # noqa: F401 - the fixture
from tests.journal_reading import in_english, read_in_both_languages


def test_a_moved_case_is_worded_for_the_reader(world, undecided, client, auth):  # noqa: F811
    with in_english():
        close_year(2026, world.finance, waiting=WAITING_MOVE)
    db.session.commit()

    danish, english = read_in_both_languages(client, auth, world.caseworker, undecided)
    assert "Budgetåret 2026 blev lukket, før sagen var afgjort." in danish
    assert "afgøres på budgettet for 2027" in danish and "The budget year" not in danish
    assert "The budget year 2026 was closed before the case was decided." in english
    assert "budget for 2027" in english and "Budgetåret" not in english
