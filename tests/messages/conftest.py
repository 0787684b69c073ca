"""The messages' tests share a case waiting for the board's decision."""

from __future__ import annotations

import pytest

from grants.cases.states import State
from grants.extensions import db
from tests.factories import make_application


@pytest.fixture
def before_the_board(world):
    """A case above the caseworker's limit, waiting for the board's decision: nothing in it
    waits for the applicant side or the caseworkers as the route stands."""
    application = make_application(
        world.outsider,
        world.fund,
        state=State.AWAITING_DECISION,
        amount=20000,
        title="Til bestyrelsen",
    )
    db.session.commit()
    return application
