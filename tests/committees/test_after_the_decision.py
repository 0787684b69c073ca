"""Once an item's decision is issued, what the minutes say about it stays as it was: who
took part, the decision, the rulings. Tried as a secretary would, by forged posts too."""

from __future__ import annotations

import pytest

from grants.committees.models import AgendaItem, IssueStatus, Substitute, WithoutQuorum
from grants.extensions import db
from tests.committees.conftest import hold, make_case, on_agenda, record_decision
from tests.confirming import confirm
from tests.html import errors


@pytest.mark.parametrize(
    ("locale", "refused"),
    [("da", "Afgørelsen er allerede udsendt"), ("en", "The decision has already been issued")],
)
def test_no_substitute_joins_an_item_already_issued(client, auth, cw, locale, refused):
    """The member was absent; the chair alone was a quorum (1 of 2) and the grant went out.
    A substitute "called in" for the absent member afterwards would put someone in the
    minutes who took no part in the decision."""
    cw.committee.without_quorum = WithoutQuorum.SUBSTITUTE
    cw.secretary.locale = locale
    db.session.commit()
    item = on_agenda(cw, make_case(cw), held=False)
    hold(cw, present={cw.chair.id})
    auth.login(cw.secretary)
    assert record_decision(client, item).status_code == 302
    confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend")
    assert db.session.get(AgendaItem, item.id).issue_status == IssueStatus.ISSUED
    response = client.post(
        f"/udvalg/moeder/{cw.meeting.id}/punkter/{item.id}/stedfortraeder",
        data={"user_id": str(cw.outsider.id), "for_user_id": str(cw.member.id)},
    )
    assert response.status_code == 422
    assert any(refused in e for e in errors(response)), errors(response)
    assert db.session.query(Substitute).count() == 0


def test_nothing_is_recorded_after_the_meeting_is_closed(client, auth, cw):
    """Closed, with its minutes: a decision, the attendance, a departure, a declaration and
    the issue again are all refused, and the stored minutes stay the same."""
    item = on_agenda(cw, make_case(cw))
    auth.login(cw.secretary)
    base = f"/udvalg/moeder/{cw.meeting.id}"
    assert record_decision(client, item).status_code == 302
    confirm(client, f"{base}/udsend")
    assert client.post(f"{base}/luk").status_code == 302
    db.session.expire_all()
    digest = cw.meeting.minutes_sha256
    assert record_decision(client, item, "refuse", reasons="Nej.").status_code in (403, 422)
    assert (
        client.post(f"{base}/fremmoedte", data={"present": [str(cw.chair.id)]}).status_code == 422
    )
    assert (
        client.post(f"{base}/fremmoedte/forladt", data={"user_id": str(cw.member.id)}).status_code
        == 422
    )
    assert client.post(f"{base}/udsend").status_code == 422
    assert client.post(f"{base}/luk").status_code == 422
    auth.login(cw.member)
    response = client.post(f"{base}/punkter/{item.id}/inhabilitet", data={"reason": "Nabo."})
    assert response.status_code == 422
    db.session.expire_all()
    assert cw.meeting.minutes_sha256 == digest
    assert len(cw.meeting.attendance) == 2 and all(a.left_at is None for a in cw.meeting.attendance)
    assert db.session.get(AgendaItem, item.id).decision.value == "grant"
