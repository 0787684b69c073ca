"""A step's side effects subscribe to ``step_taken`` (grants.core.events): the engine sends it,
and the e-mails, the journal and the audit trail follow in the step's own transaction, so a
rolled-back step leaves none of them behind."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import func, select

from grants.audit.models import AuditEvent
from grants.core import events
from grants.core.errors import NotAllowed
from grants.extensions import db
from grants.notifications.models import OutboxMessage
from grants.workflow import engine
from grants.workflow.models import JournalEntry
from grants.workflow.signals import step_taken
from tests.factories import make_application


def effects(application_id: int) -> dict[str, int]:
    """What an endorsement leaves: its journal entry, its audit event, its queued e-mails."""

    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return {
        "journal": count(
            JournalEntry,
            JournalEntry.application_id == application_id,
            JournalEntry.action == "endorse",
        ),
        "audit": count(
            AuditEvent,
            AuditEvent.application_id == application_id,
            AuditEvent.action == "case.endorse",
        ),
        "mails": count(OutboxMessage, OutboxMessage.application_id == application_id),
    }


@pytest.fixture
def waiting(world):
    application = make_application(world.employee, world.fund, state="awaiting_endorsement")
    db.session.commit()
    return application


@pytest.fixture
def heard():
    """The step_taken signals sent while the test runs."""
    sent = []

    def listen(application, **facts):
        sent.append((application, facts))

    step_taken.connect(listen)
    yield sent
    step_taken.disconnect(listen)


def test_a_step_sends_step_taken_with_its_facts(world, waiting, heard, app):
    with app.test_request_context():
        entry = engine.take(waiting, "endorse", world.manager, "God idé")
    [(application, facts)] = heard
    assert application is waiting and application.state == facts["transition"].to_state
    assert facts["transition"].action == "endorse"
    assert facts["actor"] is world.manager
    assert facts["comment"] == "God idé"
    assert facts["from_state"] == "awaiting_endorsement"
    assert facts["entry"] is entry


def test_a_step_queues_its_mails_journals_and_audits_in_one_transaction(world, waiting, app):
    with app.test_request_context():
        engine.take(waiting, "endorse", world.manager)
        db.session.flush()
        # All three are in the step's transaction, none committed yet ...
        done = effects(waiting.id)
        assert done["journal"] == 1 and done["audit"] == 1 and done["mails"] >= 1
        queued = g.outbox
        # ... so a rollback takes all of them back.
        db.session.rollback()
    assert effects(waiting.id) == {"journal": 0, "audit": 0, "mails": 0}
    assert queued  # the request's list, which the sender only reads after a commit
    db.session.expire_all()
    assert waiting.state == "awaiting_endorsement"


def test_a_step_through_the_page_leaves_its_effects(world, waiting, client, auth):
    auth.login(world.manager)
    response = client.post(f"/ansoegninger/{waiting.id}/trin/endorse", data={"comment": ""})
    assert response.status_code == 302
    db.session.expire_all()
    done = effects(waiting.id)
    assert done["journal"] == 1 and done["audit"] == 1 and done["mails"] >= 1
    mailed = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.application_id == waiting.id)
    ).all()
    # The caseworkers are told it is their turn; the applicant of the new status.
    assert world.caseworker.id in {m.recipient_id for m in mailed}
    assert world.employee.id in {m.recipient_id for m in mailed}


def test_a_step_refused_by_a_later_subscriber_leaves_nothing(world, waiting, client, auth):
    """A subscriber that refuses after the others have run: the request rolls back the state,
    the journal, the audit event and the queued e-mails together, and sends nothing."""

    def refuse(application, **facts):
        raise NotAllowed("Nej.")

    step_taken.connect(refuse)
    try:
        auth.login(world.manager)
        response = client.post(f"/ansoegninger/{waiting.id}/trin/endorse", data={"comment": ""})
    finally:
        step_taken.disconnect(refuse)
    assert response.status_code == 403
    db.session.expire_all()
    assert effects(waiting.id) == {"journal": 0, "audit": 0, "mails": 0}
    assert waiting.state == "awaiting_endorsement"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_an_event_nobody_subscribes_to_is_refused():
    lonely = events.signal("tests.nobody-listens", "A signal without subscribers.")
    with pytest.raises(events.NobodyListens):
        events.send(lonely, object())


def test_the_engine_calls_no_side_effect():
    """The engine imports neither the mails nor the notifications: they subscribe."""
    import ast
    from pathlib import Path

    import grants.workflow.engine as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not {m for m in imported if m.startswith(("grants.notifications", "grants.audit"))}
    assert "grants.workflow.mails" not in imported
