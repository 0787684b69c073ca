"""Two members removing each other at the same moment: "someone must remain" is checked
under the organisation's lock against its members as the other removal left them, so
exactly one removal happens and the other is refused clearly (grants.organisations.lock)."""

from __future__ import annotations

import contextlib
import threading

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from grants.core.errors import DomainError
from grants.extensions import db
from grants.organisations import operations
from grants.organisations.models import Membership, Organisation
from grants.people.models import User
from tests.factories import make_organisation, make_user


def test_two_members_removing_each_other_at_once_leave_one(app):
    frida = make_user(name="Frida Frost")
    lars = make_user(name="Lars Larsen")
    organisation = make_organisation(frida, lars, name="Ballerup Ungdomsorkester")
    db.session.commit()
    organisation_id = organisation.id
    people = {"frida": frida.id, "lars": lars.id}
    # Each removes the other: Frida removes Lars, Lars removes Frida.
    targets = {"frida": lars.id, "lars": frida.id}
    # Both have read the members (two, so "someone remains") before either writes: each
    # waits at its first write for the other, or gives up waiting after a moment (with the
    # lock, the second is still waiting for the organisation's lock then).
    both_counted = threading.Barrier(2, timeout=3)

    def before_write(session, *_):
        if threading.current_thread().name.startswith("remover-"):
            with contextlib.suppress(threading.BrokenBarrierError):
                both_counted.wait()

    outcome: dict[str, object] = {}

    def remove(who: str):
        with app.app_context():
            try:
                actor = db.session.get(User, people[who])
                found = db.session.get(Organisation, organisation_id)
                membership = db.session.scalar(
                    select(Membership).where(
                        Membership.organisation_id == organisation_id,
                        Membership.user_id == targets[who],
                    )
                )
                operations.remove_member(found, membership, actor)
                db.session.commit()
                outcome[who] = "removed"
            except Exception as error:  # noqa: BLE001 - the test reports what happened
                db.session.rollback()
                outcome[who] = error
            finally:
                db.session.remove()

    event.listen(Session, "before_flush", before_write)
    try:
        threads = [
            threading.Thread(target=remove, args=(who,), name=f"remover-{who}") for who in people
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        event.remove(Session, "before_flush", before_write)
    assert not any(thread.is_alive() for thread in threads)

    results = sorted(outcome.values(), key=lambda value: value != "removed")
    assert results[0] == "removed", outcome
    refusal = results[1]
    assert isinstance(refusal, DomainError), outcome
    assert "handler ikke længere for Ballerup Ungdomsorkester" in refusal.message
    db.session.expire_all()
    left = db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.organisation_id == organisation_id)
    )
    assert left == 1
