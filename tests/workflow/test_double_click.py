"""A double click on a decision or step button gives one decision: one transition, one
ledger entry, one letter. Consecutive clicks meet the state check; simultaneous ones the
compare-and-set in grants.workflow.engine (the second finds the case moved on)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text

from grants.applications import operations
from grants.budgets.models import BudgetEntry
from grants.core.errors import NotAllowed
from grants.extensions import db
from grants.letters.models import Letter
from grants.workflow.models import JournalEntry
from tests.confirming import token_in
from tests.factories import make_application
from tests.html import page_text


def count(model, application_id, **where) -> int:
    return db.session.scalar(
        select(func.count()).select_from(model).filter_by(application_id=application_id, **where)
    )


def test_a_double_clicked_decision_is_one_decision(world, client, auth):
    application = make_application(world.employee, world.fund, state="awaiting_decision")
    db.session.commit()
    auth.login(world.caseworker)
    url = f"/ansoegninger/{application.id}/afgoerelse"
    shown = client.post(url, data={"action": "grant"})
    confirmation = {"confirmation": token_in(shown)}
    first = client.post(url, data=confirmation)
    second = client.post(url, data=confirmation)
    assert first.status_code == 302
    # The case is decided: the second click is told so, and nothing more is made.
    assert second.status_code == 409
    assert "Sagen er allerede afgjort" in page_text(second)
    db.session.expire_all()
    assert application.state == "granted"
    assert count(JournalEntry, application.id, action="grant") == 1
    assert count(BudgetEntry, application.id) == 1
    assert count(Letter, application.id) == 1


def test_a_double_clicked_step_is_one_step(world, client, auth):
    application = make_application(world.employee, world.fund, state="awaiting_endorsement")
    db.session.commit()
    auth.login(world.manager)
    url = f"/ansoegninger/{application.id}/trin/endorse"
    assert client.post(url, data={"comment": ""}).status_code == 302
    assert client.post(url, data={"comment": ""}).status_code == 403
    assert count(JournalEntry, application.id, action="endorse") == 1


def test_a_step_on_a_case_that_moved_on_meanwhile_is_refused(world, database_url):
    """The race itself, without the cost of two processes: this request read the case,
    then another one moved it on before this one wrote (tests/budgets/test_concurrency.py
    runs real simultaneous deciders)."""
    application = make_application(world.employee, world.fund, state="awaiting_decision")
    db.session.commit()
    _ = application.state  # read, as the first request did
    other = create_engine(database_url)
    with other.begin() as conn:
        conn.execute(
            text("UPDATE application SET state = 'refused' WHERE id = :id"),
            {"id": application.id},
        )
    other.dispose()
    with pytest.raises(NotAllowed):
        operations.decide(application, world.caseworker, "grant", None, "")
    db.session.rollback()
    assert count(BudgetEntry, application.id) == 0
    assert count(Letter, application.id) == 0
