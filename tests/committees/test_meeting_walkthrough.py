"""What a walk through a whole meeting found: the attendance behind decisions already
issued stays as it was (the minutes say who decided)."""

from __future__ import annotations

from grants.committees.models import IssueStatus
from grants.extensions import db
from tests.committees.conftest import make_case, on_agenda, record_decision
from tests.confirming import confirm
from tests.html import field_error, page_text


def test_nobody_is_taken_off_the_attendance_once_decisions_are_issued(client, auth, cw):
    item = on_agenda(cw, make_case(cw))
    later = on_agenda(cw, make_case(cw))
    base = f"/udvalg/moeder/{cw.meeting.id}"
    auth.login(cw.secretary)
    assert record_decision(client, item).status_code == 302
    assert confirm(client, f"{base}/udsend").status_code == 302
    db.session.expire_all()
    assert item.issue_status == IssueStatus.ISSUED

    refused = client.post(f"{base}/fremmoedte", data={"present": [str(cw.chair.id)]})
    assert refused.status_code == 422
    assert "Ulla Ulriksen var til stede, da udvalget afgjorde sager, der er udsendt" in (
        field_error(refused, "present")
    )
    db.session.expire_all()
    assert cw.meeting.present_ids == {cw.chair.id, cw.member.id}
    client.post("/sprog", data={"locale": "en"})
    refused = client.post(f"{base}/fremmoedte", data={"present": [str(cw.chair.id)]})
    assert refused.status_code == 422
    assert "was present when the committee decided cases" in page_text(refused)
    # The same attendance again is no change; the other item is decided as before.
    again = {"present": [str(cw.chair.id), str(cw.member.id)]}
    assert client.post(f"{base}/fremmoedte", data=again).status_code == 302
    assert record_decision(client, later).status_code == 302
