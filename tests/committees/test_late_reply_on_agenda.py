"""A reply to a request for information asked as a message while the case stands on a
committee's agenda (the route has no request step there) reaches the caseworkers' task list
(tests/messages/test_late_reply.py); the case stays on the agenda."""

from __future__ import annotations

from grants.cases.states import State
from grants.extensions import db
from tests.committees.conftest import make_case, on_agenda
from tests.factories import future
from tests.messages.helpers import post_message
from tests.messages.test_late_reply import on_list


def test_a_reply_on_a_committees_agenda_reaches_the_caseworker(client, auth, cw):
    application = make_case(cw, title="På dagsordenen")
    on_agenda(cw, application)
    auth.login(cw.caseworker)
    response = post_message(
        client, application, body="Hvem rejser?", request="y", due_date=future(4).isoformat()
    )
    assert response.status_code == 302
    assert not on_list(client, "På dagsordenen")
    auth.login(cw.outsider)
    assert post_message(client, application, body="Ulla og Sine.").status_code == 302
    db.session.expire_all()
    assert application.state == State.ON_AGENDA
    auth.login(cw.caseworker)
    assert on_list(client, "På dagsordenen")
