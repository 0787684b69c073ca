"""A case goes on the agenda of a meeting that has not been held. Put on after the agenda
was sent, it is an item added late: marked so on the agenda and in the minutes, and the
members are sent the addition. A held meeting takes no more items."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grants.cases.models import Application
from grants.committees import operations as ops
from grants.committees.minutes import minutes_html
from grants.committees.models import AgendaItem
from grants.extensions import db
from tests.committees.conftest import make_case, make_meeting, on_agenda
from tests.confirming import confirm
from tests.html import errors, flashes, page_text

RECOMMENDATION = "Sekretariatet indstiller bevilling."


def _add(client, meeting, application):
    return client.post(
        f"/udvalg/moeder/{meeting.id}/dagsorden",
        data={"application_id": str(application.id), "recommendation": RECOMMENDATION},
    )


@pytest.mark.parametrize(
    ("locale", "refusal"),
    [
        ("da", "Mødet er holdt"),
        ("en", "The meeting has been held"),
    ],
)
def test_a_held_meeting_takes_no_more_items(client, auth, cw, inbox, locale, refusal):
    on_agenda(cw, make_case(cw))  # the meeting is held today with this item
    assert cw.meeting.held_at is not None
    late = make_case(cw, title="For sent")
    cw.caseworker.locale = locale
    db.session.commit()
    inbox.take()
    auth.login(cw.caseworker)
    response = _add(client, cw.meeting, late)
    assert response.status_code == 422
    assert any(refusal in e for e in errors(response))
    db.session.expire_all()
    assert db.session.get(Application, late.id).state == "screening"  # nothing changed
    count = select(func.count(AgendaItem.id)).where(AgendaItem.application_id == late.id)
    assert db.session.scalar(count) == 0
    assert inbox.take() == []
    # Neither the meeting page nor the case's "which meeting" offers the held meeting.
    page = client.get(f"/udvalg/moeder/{cw.meeting.id}").get_data(as_text=True)
    assert f'/udvalg/moeder/{cw.meeting.id}/dagsorden"' not in page
    page = client.get(f"/udvalg/sager/{late.id}/dagsorden").get_data(as_text=True)
    assert f"/udvalg/moeder/{cw.meeting.id}" not in page


def test_the_operation_refuses_a_held_meeting_too(app, cw):
    on_agenda(cw, make_case(cw))
    with app.test_request_context(), pytest.raises(ops.DomainError):
        ops.add_to_agenda(cw.meeting, make_case(cw), RECOMMENDATION, cw.caseworker)


def test_an_item_added_after_the_agenda_was_sent_is_marked_and_sent(client, auth, cw, inbox):
    meeting = make_meeting(cw.committee, days=5)
    db.session.commit()
    on_agenda(cw, make_case(cw, title="Første sag"), meeting=meeting)
    cw.member.locale = "en"
    db.session.commit()
    auth.login(cw.caseworker)
    sent = client.post(f"/udvalg/moeder/{meeting.id}/dagsorden/udsend")
    assert sent.status_code == 302
    client.get(sent.headers["Location"])
    inbox.take()
    late = make_case(cw, title="Sen sag")
    response = _add(client, meeting, late)
    assert response.status_code == 302
    assert flashes(client.get(response.headers["Location"])) == [
        "Sagen er sat på dagsordenen som et punkt optaget efter udsendelsen. Udvalgets "
        "medlemmer har fået tillægget tilsendt."
    ]
    item = db.session.scalars(select(AgendaItem).where(AgendaItem.application_id == late.id)).one()
    assert item.added_late_at is not None
    first = db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.id != item.id)
    ).one()
    assert first.added_late_at is None
    # The members are sent the addition, each in their own language.
    mails = {str(m["To"]): m for m in inbox.take()}
    assert sorted(mails) == sorted([cw.chair.email, cw.secretary.email, cw.member.email])
    danish = mails[cw.chair.email]
    assert "Tillæg til dagsordenen" in str(danish["Subject"])
    assert late.case_number in danish.get_content() and "Sen sag" in danish.get_content()
    assert "Første sag" not in danish.get_content()
    assert "indsigelse" in danish.get_content()
    english = mails[cw.member.email]
    assert "Addition to the agenda" in str(english["Subject"])
    assert "objects" in english.get_content()
    # Marked on the agenda, for staff and members, in their language.
    page = page_text(client.get(f"/udvalg/moeder/{meeting.id}"))
    assert page.count("Optaget på dagsordenen efter udsendelsen") == 1
    auth.login(cw.member)
    page = page_text(client.get(f"/udvalg/moeder/{meeting.id}"))
    assert page.count("Added to the agenda after it was sent") == 1


def test_the_minutes_say_which_item_was_added_late(client, auth, cw, move_clock):
    meeting = make_meeting(cw.committee, days=2)
    db.session.commit()
    on_agenda(cw, make_case(cw, title="Første sag"), meeting=meeting)
    auth.login(cw.caseworker)
    client.post(f"/udvalg/moeder/{meeting.id}/dagsorden/udsend")
    late_case = make_case(cw, title="Sen sag")
    assert _add(client, meeting, late_case).status_code == 302
    move_clock(meeting.day)
    auth.login(cw.secretary)
    base = f"/udvalg/moeder/{meeting.id}"
    present = {"present": [str(cw.chair.id), str(cw.member.id)]}
    assert client.post(f"{base}/fremmoedte", data=present).status_code == 302
    for item in db.session.get(type(meeting), meeting.id).items:
        client.post(f"{base}/punkter/{item.id}/beslutning", data={"decision": "grant"})
    confirm(client, f"{base}/udsend")
    assert client.post(f"{base}/luk").status_code == 302
    db.session.expire_all()
    html = minutes_html(db.session.get(type(meeting), meeting.id))
    first, second = html.split("Sen sag", 1)
    assert "efter udsendelsen" not in first
    assert "Optaget på dagsordenen efter udsendelsen" in second


def test_an_item_added_before_the_agenda_is_sent_is_not_late(client, auth, cw, inbox):
    meeting = make_meeting(cw.committee, days=5)
    db.session.commit()
    auth.login(cw.caseworker)
    response = _add(client, meeting, make_case(cw))
    assert response.status_code == 302
    assert flashes(client.get(response.headers["Location"])) == ["Sagen er sat på dagsordenen."]
    item = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)).one()
    assert item.added_late_at is None
    assert inbox.take() == []
