"""An application withdrawn while it is on the agenda of an open meeting can never be decided
there: the item is marked withdrawn on the agenda (no decision to record or issue), the
meeting is held and closed with its other items, and the minutes say the item was
withdrawn. Before, the item stayed "not issued" and the meeting could never be closed."""

from __future__ import annotations

import pytest

from grants.committees.minutes import minutes_html
from grants.committees.models import AgendaItem, Decision
from grants.extensions import db
from tests.committees.conftest import make_case, make_meeting, on_agenda, record_decision
from tests.confirming import confirm
from tests.dbstate import SIGNING_IN, table_fingerprint
from tests.html import page_text, text_of


def withdraw(client, auth, cw, application):
    auth.login(cw.outsider)
    url = f"/ansoegninger/{application.id}/trin/withdraw"
    assert confirm(client, url, {"comment": ""}).status_code == 302
    db.session.expire_all()
    assert application.state == "withdrawn"


@pytest.mark.parametrize("recorded_first", [False, True])
def test_the_meeting_is_closed_with_a_withdrawn_item_and_the_minutes_say_so(
    client, auth, cw, recorded_first
):
    withdrawn = make_case(cw, title="Trukket tur")
    decided = make_case(cw, title="Afgjort tur")
    gone = on_agenda(cw, withdrawn)
    kept = on_agenda(cw, decided)
    if recorded_first:  # the committee had recorded its decision, not yet issued
        auth.login(cw.secretary)
        assert record_decision(client, gone, "grant").status_code == 302
    withdraw(client, auth, cw, withdrawn)
    gone = db.session.get(AgendaItem, gone.id)
    assert gone.withdrawn_at is not None

    auth.login(cw.secretary)
    base = f"/udvalg/moeder/{cw.meeting.id}"
    page = client.get(base)
    item_text = text_of(page, f"#item-{gone.id}")
    assert "Trukket tilbage af ansøgeren" in item_text
    assert f"{base}/punkter/{gone.id}/beslutning" not in page.get_data(as_text=True)
    # No decision can be recorded on it any more; nothing changes.
    before = table_fingerprint(skip=SIGNING_IN)
    response = record_decision(client, gone, "grant")
    assert response.status_code == 422
    assert "trukket tilbage" in page_text(response)
    assert table_fingerprint(skip=SIGNING_IN) == before

    assert record_decision(client, kept, "grant").status_code == 302
    assert confirm(client, f"{base}/udsend").status_code == 302
    assert client.post(f"{base}/luk").status_code == 302
    db.session.expire_all()
    assert not cw.meeting.is_open
    assert withdrawn.state == "withdrawn" and decided.state == "granted"
    minutes = page_text(minutes_html(cw.meeting))
    assert "Trukket tilbage: ansøgeren trak ansøgningen tilbage" in minutes
    assert minutes.count("Beslutning: Bevil fuldt ud") == 1

    client.post("/sprog", data={"locale": "en"})
    page = client.get(base)
    assert "Withdrawn by the applicant" in text_of(page, f"#item-{gone.id}")


def test_a_planned_meeting_with_a_withdrawn_item_is_held_and_closed(client, auth, cw):
    planned = make_meeting(cw.committee, days=0)
    db.session.commit()
    application = make_case(cw)
    item = on_agenda(cw, application, planned)
    withdraw(client, auth, cw, application)
    auth.login(cw.secretary)
    base = f"/udvalg/moeder/{planned.id}"
    assert client.post(f"{base}/dagsorden/udsend").status_code == 302
    response = client.post(f"{base}/fremmoedte", data={"present": [str(cw.chair.id)]})
    assert response.status_code == 302, page_text(response)
    assert client.post(f"{base}/luk").status_code == 302
    db.session.expire_all()
    assert not planned.is_open
    assert db.session.get(AgendaItem, item.id).decision is None
    assert Decision.POSTPONE not in {i.decision for i in planned.items}
