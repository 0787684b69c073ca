"""The open meetings on the task page (grants.desk.tasks.meetings): a member's own
committees' meetings, with whether they lead it and whether its agenda is sent."""

from __future__ import annotations

from grants.core import clock
from grants.extensions import db
from tests import html


def meetings_text(client) -> str:
    response = client.get("/opgaver")
    assert response.status_code == 200
    found = html.page(response).select_one("#meetings-heading + ul")
    return html.text(found) if found is not None else ""


def test_the_members_see_their_committees_open_meeting(client, auth, cw):
    auth.login(cw.secretary)
    text = meetings_text(client)
    assert "Kultur- og Fritidsudvalget" in text
    assert "du leder mødet" in text and "Dagsordenen er ikke sendt endnu." in text
    link = html.page(client.get("/opgaver")).select_one("#meetings-heading + ul a")
    assert link["href"].endswith(f"/{cw.meeting.id}")

    auth.login(cw.member)
    text = meetings_text(client)
    assert "Kultur- og Fritidsudvalget" in text and "du er medlem af udvalget" in text

    auth.login(cw.outsider)
    assert meetings_text(client) == ""


def test_a_sent_agenda_is_said(client, auth, cw):
    cw.meeting.agenda_published_at = clock.now()
    db.session.commit()
    auth.login(cw.chair)
    text = meetings_text(client)
    assert "du leder mødet" in text and "Dagsordenen er sendt." in text
