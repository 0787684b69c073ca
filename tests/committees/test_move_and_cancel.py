"""A meeting not yet held is moved to another day within the election period, or cancelled.
Moved, its agenda stays; cancelled, its cases go back to wait for another meeting. The
members who were sent the agenda are told, each in their own language; each case has it in
its journal. A date in the past or outside the period, a meeting already held, and people
not allowed are refused with the reason and nothing changes."""

from __future__ import annotations

import datetime as dt
import tomllib

from sqlalchemy import select

from grants.cases.states import State
from grants.committees import operations as ops
from grants.committees.models import Meeting, MeetingState
from grants.extensions import db
from grants.notifications.models import OutboxMessage
from grants.workflow.loader import STANDARD_ROUTES, current_route, load_route_file
from grants.workflow.models import JournalEntry
from tests.committees.conftest import hold, make_case, make_meeting, on_agenda
from tests.dbstate import SIGNING_IN, table_fingerprint
from tests.html import field_error, flashes, has_button, page_text


def _mails_to(*people) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient_id.in_([p.id for p in people]))
            .order_by(OutboxMessage.id)
        )
    )


def _journal(application, action: str) -> list[JournalEntry]:
    return list(
        db.session.scalars(
            select(JournalEntry).where(
                JournalEntry.application_id == application.id, JournalEntry.action == action
            )
        )
    )


def _sent_agenda(cw, meeting) -> None:
    from flask import current_app

    with current_app.test_request_context():
        ops.publish_agenda(meeting, cw.caseworker)
    db.session.commit()


def _planned_with_a_case(cw, days: int = 7):
    meeting = make_meeting(cw.committee, days=days)
    db.session.commit()
    application = make_case(cw)
    item = on_agenda(cw, application, meeting)
    return meeting, application, item


def _day(days: int) -> str:
    from grants.core import clock

    return (clock.today() + dt.timedelta(days=days)).isoformat()


# -- moving -----------------------------------------------------------------------------------


def test_the_secretary_moves_a_meeting_and_the_members_are_told_in_their_language(client, auth, cw):
    meeting, application, item = _planned_with_a_case(cw)
    cw.member.locale = "en"
    db.session.commit()
    _sent_agenda(cw, meeting)
    already = {m.id for m in _mails_to(cw.chair, cw.member, cw.secretary)}

    auth.login(cw.secretary)
    page = client.get(f"/udvalg/moeder/{meeting.id}")
    assert has_button(page, "Flyt mødet") and has_button(page, "Aflys mødet")
    response = client.post(
        f"/udvalg/moeder/{meeting.id}/flyt",
        data={"date": _day(10), "time": "17:30", "place": "Byrådssalen"},
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert meeting.day.isoformat() == _day(10)
    assert meeting.local_start.strftime("%H:%M") == "17:30"
    assert meeting.place == "Byrådssalen"
    assert meeting.state == MeetingState.PLANNED
    # The agenda stays; the case is still on it, its move in the journal for staff.
    assert [i.id for i in meeting.items] == [item.id]
    assert application.state == State.ON_AGENDA
    (moved,) = _journal(application, "meeting_moved")
    assert not moved.visible_to_applicant and moved.actor_id == cw.secretary.id
    # The members told, each in their own language; not the secretary who moved it.
    told = [m for m in _mails_to(cw.chair, cw.member, cw.secretary) if m.id not in already]
    by_person = {m.recipient_id: m for m in told}
    assert set(by_person) == {cw.chair.id, cw.member.id}
    assert by_person[cw.chair.id].subject.startswith("Mødet er flyttet")
    assert "Byrådssalen" in by_person[cw.chair.id].body
    assert application.case_number in by_person[cw.chair.id].body
    assert by_person[cw.member.id].subject.startswith("The meeting has been moved")
    assert "Before:" in by_person[cw.member.id].body
    # The case page's journal says it, in Danish and in English.
    auth.login(cw.caseworker)
    assert "Udvalgets møde flyttet" in page_text(client.get(f"/ansoegninger/{application.id}"))
    client.post("/sprog", data={"locale": "en"})
    text = page_text(client.get(f"/ansoegninger/{application.id}"))
    assert "Committee meeting moved" in text and "still on the agenda" in text


def test_a_meeting_whose_agenda_was_not_sent_is_moved_without_mail(client, auth, cw):
    meeting, _application, _item = _planned_with_a_case(cw)
    before = len(_mails_to(cw.chair, cw.member))
    auth.login(cw.caseworker)
    response = client.post(
        f"/udvalg/moeder/{meeting.id}/flyt",
        data={"date": _day(3), "time": "16:00", "place": "Rådhuset"},
    )
    assert response.status_code == 302
    assert flashes(client.get(f"/udvalg/moeder/{meeting.id}")) == ["Mødet er flyttet."]
    assert len(_mails_to(cw.chair, cw.member)) == before


def test_a_move_to_the_past_outside_the_period_or_of_a_held_meeting_is_refused(client, auth, cw):
    meeting, application, _item = _planned_with_a_case(cw)
    hold(cw)
    auth.login(cw.secretary)
    before = table_fingerprint(skip=SIGNING_IN)
    cases = (
        (meeting, _day(-1), "Datoen er passeret"),
        (meeting, "2030-01-10", "valgperioden 2026-2029"),
        (cw.meeting, _day(3), "Mødet er holdt"),  # held today
    )
    for target, day, message in cases:
        response = client.post(
            f"/udvalg/moeder/{target.id}/flyt",
            data={"date": day, "time": "16:00", "place": "Rådhuset"},
        )
        assert response.status_code == 422, day
        assert message in (field_error(response, "date-move") or ""), (day, message)
    # The form's own checks: no date, no place.
    response = client.post(
        f"/udvalg/moeder/{meeting.id}/flyt", data={"date": "", "time": "16:00", "place": ""}
    )
    assert response.status_code == 422
    assert field_error(response, "date-move") and field_error(response, "place-move")
    assert table_fingerprint(skip=SIGNING_IN) == before
    db.session.expire_all()
    assert application.state == State.ON_AGENDA


def test_a_refusal_reads_in_english(client, auth, cw):
    meeting, _application, _item = _planned_with_a_case(cw)
    auth.login(cw.secretary)
    client.post("/sprog", data={"locale": "en"})
    response = client.post(
        f"/udvalg/moeder/{meeting.id}/flyt",
        data={"date": _day(-2), "time": "16:00", "place": "Town hall"},
    )
    assert response.status_code == 422
    assert "The date has passed" in field_error(response, "date-move")
    response = client.post(f"/udvalg/moeder/{meeting.id}/aflys", data={"reason": " "})
    assert response.status_code == 422
    assert "why the meeting is cancelled" in field_error(response, "reason-cancel")
    assert "Move or cancel the meeting" in page_text(client.get(f"/udvalg/moeder/{meeting.id}"))


def test_a_meeting_dated_outside_the_period_or_passed_unheld_can_be_moved_into_it(
    client, auth, cw, move_clock
):
    """The meetings that were stuck: one dated in the next period (planned before the rule),
    and one whose day passed without being held (no quorum to be had that day)."""
    stuck = Meeting(
        committee=cw.committee,
        starts_at=dt.datetime(2030, 1, 10, 15, 0, tzinfo=dt.UTC),
        place="Rådhuset",
    )
    db.session.add(stuck)
    db.session.commit()
    passed, application, _item = _planned_with_a_case(cw, days=2)
    _sent_agenda(cw, passed)
    move_clock(passed.day + dt.timedelta(days=3))
    auth.login(cw.secretary)
    for meeting in (stuck, passed):
        response = client.post(
            f"/udvalg/moeder/{meeting.id}/flyt",
            data={"date": _day(7), "time": "16:00", "place": "Rådhuset"},
        )
        assert response.status_code == 302
    db.session.expire_all()
    assert stuck.day.isoformat() == _day(7) and passed.day.isoformat() == _day(7)
    assert application.state == State.ON_AGENDA


# -- cancelling -------------------------------------------------------------------------------


def test_a_cancelled_meeting_sends_its_cases_back_to_wait_for_another(client, auth, cw):
    meeting, application, item = _planned_with_a_case(cw)
    withdrawn_case = make_case(cw, amount=3000)
    on_agenda(cw, withdrawn_case, meeting)
    _sent_agenda(cw, meeting)
    cw.member.locale = "en"
    db.session.commit()
    already = {m.id for m in _mails_to(cw.chair, cw.member, cw.secretary, cw.outsider)}

    auth.login(cw.secretary)
    response = client.post(
        f"/udvalg/moeder/{meeting.id}/aflys", data={"reason": "Formanden er syg."}
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert meeting.state == MeetingState.CANCELLED
    assert meeting.cancel_reason == "Formanden er syg."
    assert meeting.cancelled_by_id == cw.secretary.id
    assert application.state == State.SCREENING
    (taken_off,) = _journal(application, "take_off_agenda")
    assert taken_off.comment == "Formanden er syg."
    assert not taken_off.visible_to_applicant
    assert taken_off.from_state == State.ON_AGENDA and taken_off.to_state == State.SCREENING
    # The members told in their language; the applicant is not written to.
    told = [
        m for m in _mails_to(cw.chair, cw.member, cw.secretary, cw.outsider) if m.id not in already
    ]
    by_person = {m.recipient_id: m for m in told}
    assert set(by_person) == {cw.chair.id, cw.member.id}
    assert by_person[cw.chair.id].subject.startswith("Mødet er aflyst")
    assert "Formanden er syg." in by_person[cw.chair.id].body
    assert by_person[cw.member.id].subject.startswith("The meeting has been cancelled")
    # The page says so; nothing is offered on it any more.
    page = client.get(f"/udvalg/moeder/{meeting.id}")
    assert "Mødet er aflyst" in page_text(page)
    assert "Taget af dagsordenen: mødet er aflyst." in page_text(page)
    assert not has_button(page, "Aflys mødet") and not has_button(page, "Sæt på dagsordenen")
    # The case goes on another meeting's agenda, and the committee decides it there.
    later = make_meeting(cw.committee, days=14)
    db.session.commit()
    assert (application, ops.AgendaKind.DECISION) in ops.eligible_cases(later)
    on_agenda(cw, application, later)
    assert application.state == State.ON_AGENDA
    assert ops.open_item(application).meeting_id == later.id
    # Cancelled again, or moved: refused beside the field.
    again = client.post(f"/udvalg/moeder/{meeting.id}/aflys", data={"reason": "Igen."})
    assert again.status_code == 422
    assert "Mødet er aflyst" in field_error(again, "reason-cancel")


def test_a_cancellation_without_reason_or_of_a_held_meeting_is_refused(client, auth, cw):
    meeting, application, _item = _planned_with_a_case(cw)
    hold(cw)
    auth.login(cw.caseworker)
    before = table_fingerprint(skip=SIGNING_IN)
    empty = client.post(f"/udvalg/moeder/{meeting.id}/aflys", data={"reason": "  "})
    assert empty.status_code == 422 and field_error(empty, "reason-cancel")
    held = client.post(f"/udvalg/moeder/{cw.meeting.id}/aflys", data={"reason": "Syg."})
    assert held.status_code == 422
    assert "Mødet er holdt" in field_error(held, "reason-cancel")
    assert table_fingerprint(skip=SIGNING_IN) == before
    db.session.expire_all()
    assert application.state == State.ON_AGENDA and meeting.state == MeetingState.PLANNED


def test_people_not_allowed_cannot_move_or_cancel(client, auth, cw):
    """The chair conducts the meeting but does not plan it; a member, the applicant and an
    employee with no part are refused too, and nothing changes."""
    meeting, application, _item = _planned_with_a_case(cw)
    page_for = {}
    before = table_fingerprint(skip=SIGNING_IN)
    for person in (cw.chair, cw.member, cw.outsider):
        auth.login(person)
        moved = client.post(
            f"/udvalg/moeder/{meeting.id}/flyt",
            data={"date": _day(9), "time": "16:00", "place": "Rådhuset"},
        )
        cancelled = client.post(f"/udvalg/moeder/{meeting.id}/aflys", data={"reason": "Nej."})
        assert moved.status_code == 403 and cancelled.status_code == 403, person.name
        page_for[person.name] = client.get(f"/udvalg/moeder/{meeting.id}")
    assert table_fingerprint(skip=SIGNING_IN) == before
    for name in (cw.chair.name, cw.member.name):
        assert not has_button(page_for[name], "Aflys mødet"), name
    db.session.expire_all()
    assert application.state == State.ON_AGENDA and meeting.state == MeetingState.PLANNED


def test_an_administrator_cancels_a_meeting_with_cases_on_it(client, auth, cw):
    """The administrator is in the secretariat but not a caseworker: the meeting's step
    takes its cases off the agenda all the same."""
    meeting, application, _item = _planned_with_a_case(cw)
    auth.login(cw.admin)
    response = client.post(
        f"/udvalg/moeder/{meeting.id}/aflys", data={"reason": "Ingen kan komme."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert meeting.state == MeetingState.CANCELLED and application.state == State.SCREENING


def test_a_report_and_a_reconsideration_go_back_to_their_own_waiting_state(cw):
    from flask import current_app

    meeting = make_meeting(cw.committee, days=5)
    report = make_case(cw, state=State.REPORT_SUBMITTED)
    asked = make_case(cw, state=State.RECONSIDERATION)
    on_agenda(cw, report, meeting)
    on_agenda(cw, asked, meeting)
    assert report.state == State.REPORT_ON_AGENDA
    assert asked.state == State.RECONSIDERATION_ON_AGENDA
    with current_app.test_request_context():
        ops.cancel_meeting(meeting, "Lokalet er ikke ledigt.", cw.secretary)
    db.session.commit()
    assert report.state == State.REPORT_SUBMITTED
    assert asked.state == State.RECONSIDERATION


def test_a_case_on_an_older_route_version_is_taken_off_on_the_newest(cw, tmp_path):
    """A case put on the agenda on version 2 (before a meeting could be cancelled) moves
    onto the newest version to take the step, which keeps every step of its own."""
    from flask import current_app

    from tests.committees.test_reconsideration_older_route import _write_route

    data = tomllib.loads((STANDARD_ROUTES / "committee_decision.toml").read_text("utf-8"))
    data["version"] = 2
    data["transition"] = [r for r in data["transition"] if r["action"] != "take_off_agenda"]
    path = tmp_path / "committee_decision_v2.toml"
    _write_route(path, data)
    v2 = load_route_file(path)
    cw.fund.route = v2
    db.session.commit()
    meeting = make_meeting(cw.committee, days=5)
    application = make_case(cw)
    on_agenda(cw, application, meeting)
    assert application.route_id == v2.id
    with current_app.test_request_context():
        ops.cancel_meeting(meeting, "Aflyst.", cw.caseworker)
    db.session.commit()
    assert application.state == State.SCREENING
    assert application.route_id == current_route("committee_decision").id
    assert _journal(application, "route_version_changed")
