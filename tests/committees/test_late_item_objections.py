"""An item added late (put on after the agenda was sent) is decided only if no member objects,
or if the chair records that it cannot wait. A member's objection is recorded (who, when),
shown on the meeting page and in the minutes, and journaled; while it stands the committee
decides nothing on the item, by any route: it is not handled at this meeting and the case
goes back to wait for a later one."""

from __future__ import annotations

import pytest
from flask import current_app

from grants.cases.models import Application
from grants.committees import operations as ops
from grants.committees.minutes import minutes_html
from grants.committees.models import AgendaItem, IssueStatus, LateItemObjection, Meeting
from grants.extensions import db
from tests.committees.conftest import hold, make_case, on_agenda, record_decision
from tests.confirming import confirm
from tests.html import errors, field_error, flashes, page_text


def _late_item(cw) -> AgendaItem:
    """cw's meeting (today): one item sent with the agenda, one added after; held with the
    chair and the member present. Returns the late item."""
    on_agenda(cw, make_case(cw, title="Rettidig sag"), held=False)
    with current_app.test_request_context():
        ops.publish_agenda(cw.meeting, cw.secretary)
    db.session.commit()
    late = on_agenda(cw, make_case(cw, title="Sen sag"), held=False)
    hold(cw)
    assert late.added_late_at is not None
    return late


def _object(client, item, **data):
    return client.post(f"/udvalg/moeder/{item.meeting_id}/punkter/{item.id}/indsigelse", data=data)


def _fresh(item) -> AgendaItem:
    db.session.expire_all()
    return db.session.get(AgendaItem, item.id)


@pytest.mark.parametrize(
    ("locale", "refused", "shown"),
    [
        ("da", "Ulla Ulriksen har gjort indsigelse mod, at punktet behandles", "gjorde indsigelse"),
        ("en", "Ulla Ulriksen has objected to the item being dealt with", "objected to"),
    ],
)
def test_an_objection_stops_the_decision(client, auth, cw, locale, refused, shown):
    item = _late_item(cw)
    auth.login(cw.member)
    response = _object(client, item)
    assert response.status_code == 302
    objection = db.session.query(LateItemObjection).one()
    assert (objection.user_id, objection.agenda_item_id) == (cw.member.id, item.id)
    assert objection.objected_at is not None and objection.stands
    application = db.session.get(Application, item.application_id)
    assert [e.action for e in application.journal][-1] == "late_item_objection"
    assert not application.journal[-1].visible_to_applicant

    cw.secretary.locale = locale
    db.session.commit()
    auth.login(cw.secretary)
    page = client.get(f"/udvalg/moeder/{cw.meeting.id}")
    assert shown in page_text(page)
    # No decision form for the item; a post is refused with the names, nothing changed.
    assert f"/punkter/{item.id}/beslutning" not in page.get_data(as_text=True)
    for decision in ("grant", "postpone"):
        response = record_decision(client, item, decision, reasons="Udsættes.")
        assert response.status_code == 422
        assert any(refused in e for e in errors(response)), errors(response)
        assert _fresh(item).decision is None


def test_the_item_is_not_handled_and_goes_back(client, auth, cw):
    item = _late_item(cw)
    first = next(i for i in cw.meeting.items if i.id != item.id)
    auth.login(cw.member)
    assert _object(client, item).status_code == 302
    auth.login(cw.secretary)
    base = f"/udvalg/moeder/{cw.meeting.id}"
    assert record_decision(client, first).status_code == 302
    response = client.post(f"{base}/punkter/{item.id}/behandles-ikke")
    assert response.status_code == 302
    # Once: nor postponed, nor its objection withdrawn, nor made urgent after that.
    assert client.post(f"{base}/punkter/{item.id}/behandles-ikke").status_code == 422
    assert client.post(f"{base}/punkter/{item.id}/udsaet").status_code == 422
    assert (
        client.post(f"{base}/punkter/{item.id}/haster", data={"reason": "Nu."}).status_code == 422
    )
    auth.login(cw.member)
    assert _object(client, item, withdraw="1").status_code == 422
    auth.login(cw.secretary)
    assert confirm(client, f"{base}/udsend").status_code == 302
    item = _fresh(item)
    assert item.taken_off_for_objection and item.issue_status == IssueStatus.ISSUED
    application = db.session.get(Application, item.application_id)
    assert application.state == "screening"  # back to wait for a later meeting
    assert application.journal[-1].action == "take_off_agenda"
    assert not application.journal[-1].visible_to_applicant
    assert client.post(f"{base}/luk").status_code == 302
    html = minutes_html(db.session.get(Meeting, cw.meeting.id))
    late_part = html.split("Sen sag", 1)[1]
    assert "Ulla Ulriksen gjorde indsigelse mod behandlingen" in late_part
    assert "Ikke behandlet: punktet blev optaget efter udsendelsen" in late_part
    # It can go on another meeting's agenda.
    assert (application, ops.AgendaKind.DECISION) in ops.eligible_cases(cw.meeting)


def test_not_handled_is_refused_without_an_objection(client, auth, cw):
    item = _late_item(cw)
    auth.login(cw.secretary)
    response = client.post(f"/udvalg/moeder/{cw.meeting.id}/punkter/{item.id}/behandles-ikke")
    assert response.status_code == 422
    assert not _fresh(item).taken_off_for_objection and _fresh(item).decision is None


def test_a_withdrawn_objection_lets_the_committee_decide(client, auth, cw):
    item = _late_item(cw)
    auth.login(cw.member)
    assert _object(client, item).status_code == 302
    assert _object(client, item).status_code == 422  # once
    response = _object(client, item, withdraw="1")
    assert response.status_code == 302
    assert flashes(client.get(response.headers["Location"])) == [
        "Din indsigelse er trukket tilbage."
    ]
    objection = db.session.query(LateItemObjection).one()
    assert objection.withdrawn_at is not None
    auth.login(cw.secretary)
    assert record_decision(client, item).status_code == 302
    assert _fresh(item).decision == ops.Decision.GRANT
    assert "trukket tilbage" in page_text(client.get(f"/udvalg/moeder/{cw.meeting.id}"))


def test_urgency_recorded_by_the_chair_lets_the_committee_decide(client, auth, cw):
    item = _late_item(cw)
    auth.login(cw.member)
    assert _object(client, item).status_code == 302
    url = f"/udvalg/moeder/{cw.meeting.id}/punkter/{item.id}/haster"
    # The member who objected cannot overrule it; the reason is required.
    assert client.post(url, data={"reason": "Nu."}).status_code == 403
    auth.login(cw.chair)
    response = client.post(url, data={"reason": "  "})
    assert response.status_code == 422
    assert (
        field_error(response, f"reason-urgent-{item.id}") == "Skriv hvorfor sagen ikke kan vente."
    )
    assert _fresh(item).urgent_reason == ""
    response = client.post(url, data={"reason": "Rejsen begynder før næste møde."})
    assert response.status_code == 302
    item = _fresh(item)
    assert item.urgent_reason == "Rejsen begynder før næste møde."
    assert item.urgent_by_id == cw.chair.id and item.urgent_at is not None
    application = db.session.get(Application, item.application_id)
    assert application.journal[-1].action == "late_item_urgent"
    assert record_decision(client, item).status_code == 302
    assert _fresh(item).decision == ops.Decision.GRANT
    page = page_text(client.get(f"/udvalg/moeder/{cw.meeting.id}"))
    assert "Sagen haster: Rejsen begynder før næste møde." in page


def test_an_objection_after_the_decision_was_recorded_stops_its_issue(client, auth, cw):
    item = _late_item(cw)
    first = next(i for i in cw.meeting.items if i.id != item.id)
    auth.login(cw.secretary)
    assert record_decision(client, first).status_code == 302
    assert record_decision(client, item).status_code == 302
    auth.login(cw.member)
    assert _object(client, item).status_code == 302
    auth.login(cw.secretary)
    shown = client.post(f"/udvalg/moeder/{cw.meeting.id}/udsend")
    assert "Ulla Ulriksen har gjort indsigelse" in page_text(shown)
    confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend")
    item = _fresh(item)
    assert item.issue_status != IssueStatus.ISSUED
    assert db.session.get(Application, item.application_id).state == "on_agenda"
    assert _fresh(first).issue_status == IssueStatus.ISSUED


def test_who_may_object(client, auth, cw):
    item = _late_item(cw)
    on_time = next(i for i in cw.meeting.items if i.id != item.id)
    # The secretary is an official, not a member; the secretariat and outsiders neither.
    for person in (cw.secretary, cw.caseworker, cw.outsider):
        auth.login(person)
        assert _object(client, item).status_code in (403, 404)
    # An item sent with the agenda: nothing to object to.
    auth.login(cw.chair)
    response = _object(client, on_time)
    assert response.status_code == 422
    assert db.session.query(LateItemObjection).count() == 0


def test_a_disqualified_member_cannot_object(client, auth, cw):
    item = _late_item(cw)
    auth.login(cw.member)
    client.post(
        f"/udvalg/moeder/{cw.meeting.id}/punkter/{item.id}/inhabilitet",
        data={"reason": "Min søster er ansøger."},
    )
    assert _object(client, item).status_code == 403
    assert db.session.query(LateItemObjection).count() == 0


def test_an_item_not_handled_goes_back_with_a_declaration_open(client, auth, cw):
    """Nothing is decided on an item not handled, so a declaration of interest on it that
    the committee never ruled on does not hold it up: it goes with the case."""
    item = _late_item(cw)
    first = next(i for i in cw.meeting.items if i.id != item.id)
    auth.login(cw.chair)
    assert _object(client, item).status_code == 302
    auth.login(cw.member)
    client.post(
        f"/udvalg/moeder/{cw.meeting.id}/punkter/{item.id}/inhabilitet",
        data={"reason": "Min nabo er ansøger."},
    )
    auth.login(cw.secretary)
    base = f"/udvalg/moeder/{cw.meeting.id}"
    assert record_decision(client, first).status_code == 302
    assert client.post(f"{base}/punkter/{item.id}/behandles-ikke").status_code == 302
    confirm(client, f"{base}/udsend")
    item = _fresh(item)
    assert item.issue_status == IssueStatus.ISSUED, item.failure_reason
    assert db.session.get(Application, item.application_id).state == "screening"
    assert client.post(f"{base}/luk").status_code == 302


def test_a_members_own_data_holds_their_objections(client, auth, cw):
    from grants.privacy.operations import own_data

    item = _late_item(cw)
    auth.login(cw.member)
    assert _object(client, item).status_code == 302
    data, _cases = own_data(cw.member)
    [objection] = data["late_item_objections"]
    assert objection["agenda_item_id"] == item.id and objection["objected_at"]
    assert all("left_at" in a for a in data["meetings_attended"])
