"""Attendance is recorded per meeting and interests per item. A member who leaves before the
meeting ends is recorded as gone (with the time): they take no part in the items decided
after, nor count for their quorum; the items decided before keep them. A member with an
interest in one item takes no part in that item only. The minutes say both."""

from __future__ import annotations

import pytest

from grants.committees import operations as ops
from grants.committees.minutes import minutes_html
from grants.committees.models import (
    AgendaItem,
    IssueStatus,
    Meeting,
    MeetingAttendance,
    QuorumRule,
)
from grants.extensions import db
from tests.committees.conftest import make_case, on_agenda, record_decision, rule_on
from tests.confirming import confirm
from tests.html import errors, field_error, page_text


def _two_items(cw):
    """cw's meeting held with the chair and the member, two cases on its agenda, and the
    rules of procedure asking more than half: both members must take part (2 of 2)."""
    cw.committee.quorum_rule = QuorumRule.MORE_THAN_HALF
    first, second = on_agenda(cw, [make_case(cw, title="Første sag"), make_case(cw)])
    return first, second


def _leave(client, meeting, person):
    return client.post(
        f"/udvalg/moeder/{meeting.id}/fremmoedte/forladt", data={"user_id": str(person.id)}
    )


@pytest.mark.parametrize(
    ("locale", "refused"),
    [("da", "1 af udvalgets 2 medlemmer"), ("en", "1 of its 2 members")],
)
def test_a_member_who_left_does_not_count_for_the_items_after(client, auth, cw, locale, refused):
    first, second = _two_items(cw)
    cw.secretary.locale = locale
    db.session.commit()
    auth.login(cw.secretary)
    assert record_decision(client, first).status_code == 302
    response = _leave(client, cw.meeting, cw.member)
    assert response.status_code == 302
    attendance = db.session.query(MeetingAttendance).filter_by(user_id=cw.member.id).one()
    assert attendance.left_at is not None
    db.session.expire_all()
    second = db.session.get(AgendaItem, second.id)
    first = db.session.get(AgendaItem, first.id)
    assert ops.quorum_of(second).words() == {"taking": 1, "size": 2, "needed": 2}
    assert ops.quorum_of(first).reached  # decided while both were there
    response = record_decision(client, second)
    assert response.status_code == 422
    assert any(refused in e for e in errors(response)), errors(response)
    assert db.session.get(AgendaItem, second.id).decision is None
    # The one decided before goes out; the other is postponed for want of a quorum.
    assert (
        client.post(f"/udvalg/moeder/{cw.meeting.id}/punkter/{second.id}/udsaet").status_code == 302
    )
    confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend")
    db.session.expire_all()
    assert db.session.get(AgendaItem, first.id).issue_status == IssueStatus.ISSUED
    assert db.session.get(AgendaItem, first.id).application.state == "granted"
    assert client.post(f"/udvalg/moeder/{cw.meeting.id}/luk").status_code == 302
    html = minutes_html(db.session.get(Meeting, cw.meeting.id))
    assert "Ulla Ulriksen (medlem), forlod mødet" in html
    before, after = html.split("Første sag", 1)[1].split("Punkt 2", 1)
    assert "Havde forladt mødet" not in before
    assert "Havde forladt mødet og deltog ikke i punktet: Ulla Ulriksen" in after


def test_leaving_is_recorded_by_the_chair_or_secretary_only_and_once(client, auth, cw):
    _two_items(cw)
    auth.login(cw.member)
    assert _leave(client, cw.meeting, cw.chair).status_code == 403
    auth.login(cw.caseworker)
    assert _leave(client, cw.meeting, cw.chair).status_code == 403
    auth.login(cw.secretary)
    # Not present (the outsider), or nobody chosen: beside the field, nothing changed.
    response = client.post(
        f"/udvalg/moeder/{cw.meeting.id}/fremmoedte/forladt", data={"user_id": ""}
    )
    assert response.status_code == 422
    assert field_error(response, "user_id-departure")
    assert _leave(client, cw.meeting, cw.outsider).status_code == 422
    assert _leave(client, cw.meeting, cw.member).status_code == 302
    assert _leave(client, cw.meeting, cw.member).status_code == 422  # gone already
    left = db.session.query(MeetingAttendance).filter(MeetingAttendance.left_at.is_not(None))
    assert [a.user_id for a in left] == [cw.member.id]
    assert "forlod mødet" in page_text(client.get(f"/udvalg/moeder/{cw.meeting.id}"))


def test_an_interest_in_one_item_keeps_the_member_out_of_that_item_only(client, auth, cw):
    first, second = _two_items(cw)
    auth.login(cw.member)
    client.post(
        f"/udvalg/moeder/{cw.meeting.id}/punkter/{first.id}/inhabilitet",
        data={"reason": "Min nabo er ansøger."},
    )
    db.session.expire_all()
    declaration = db.session.get(AgendaItem, first.id).declarations[0]
    auth.login(cw.secretary)
    # The ruling on it needs a quorum without the member (1 of 2, 2 needed): the item
    # without a quorum is postponed; the other item is decided by both.
    assert rule_on(client, first, declaration, disqualified=True).status_code == 422
    assert ops.quorum_of(db.session.get(AgendaItem, second.id)).reached
    assert not ops.quorum_of(db.session.get(AgendaItem, first.id)).reached
    assert record_decision(client, second).status_code == 302
    assert record_decision(client, first).status_code == 422


def test_a_decision_recorded_again_after_a_member_left_needs_the_quorum_now(client, auth, cw):
    """Recorded while both were there, then one left: recording it again is a new decision,
    by those taking part now (refused without a quorum); the first one still goes out."""
    first, _second = _two_items(cw)
    auth.login(cw.secretary)
    assert record_decision(client, first).status_code == 302
    assert _leave(client, cw.meeting, cw.member).status_code == 302
    response = record_decision(client, first, "refuse", reasons="Ikke i år.")
    assert response.status_code == 422
    assert any("1 af udvalgets 2 medlemmer" in e for e in errors(response)), errors(response)
    db.session.expire_all()
    assert db.session.get(AgendaItem, first.id).decision.value == "grant"
    confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend")
    db.session.expire_all()
    assert db.session.get(AgendaItem, first.id).issue_status == IssueStatus.ISSUED
