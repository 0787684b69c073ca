"""A meeting's life and its time: planned until its day; held once its day has come and the
attendance is recorded (only then are decisions recorded); its minutes approved when it is
closed. Times are entered, stored and shown in Copenhagen's time on either side of summer
time."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from grants.committees.models import Meeting, MeetingAttendance, MeetingState
from grants.extensions import db
from tests.committees.conftest import make_case, make_meeting, on_agenda
from tests.confirming import confirm
from tests.html import flashes, form_actions, has_error, links, page_text

# Summer time begins on 28 March 2027 and ends on 31 October 2027.
SIDES_OF_SUMMER_TIME = [
    ("2027-03-27", 15),  # Saturday before: CET, UTC+1
    ("2027-03-29", 14),  # Monday after: CEST, UTC+2
    ("2027-10-30", 14),  # Saturday before the end: CEST
    ("2027-11-01", 15),  # Monday after: CET
]


@pytest.mark.parametrize(("day", "utc_hour"), SIDES_OF_SUMMER_TIME)
def test_a_meeting_at_16_is_shown_at_16_on_either_side_of_summer_time(
    client, auth, cw, day, utc_hour
):
    auth.login(cw.caseworker)
    response = client.post(
        f"/udvalg/{cw.committee.id}/moeder",
        data={"date": day, "time": "16:00", "place": "Rådhuset"},
    )
    assert response.status_code == 302
    meeting = db.session.scalars(select(Meeting).order_by(Meeting.id.desc())).first()
    stored = meeting.starts_at
    if stored.tzinfo is None:  # SQLite hands back UTC without its zone
        stored = stored.replace(tzinfo=dt.UTC)
    assert stored.astimezone(dt.UTC).hour == utc_hour
    assert meeting.local_start.hour == 16 and meeting.day == dt.date.fromisoformat(day)
    shown = page_text(client.get(response.headers["Location"]))
    assert "16:00" in shown
    assert "17:00" not in shown and "18:00" not in shown and "15:00" not in shown
    listing = page_text(client.get(f"/udvalg/{cw.committee.id}"))
    assert "16:00" in listing and "17:00" not in listing


def test_no_decision_is_recorded_before_the_meetings_day(client, auth, cw, move_clock):
    meeting = make_meeting(cw.committee, days=9)
    db.session.commit()
    item = on_agenda(cw, make_case(cw), meeting=meeting)
    base = f"/udvalg/moeder/{meeting.id}"
    auth.login(cw.secretary)
    page = client.get(base)
    assert "Planlagt" in page_text(page)
    steps = form_actions(page) + links(page)
    assert not any(f"/punkter/{item.id}/beslutning" in a or "/fremmoedte" in a for a in steps)

    # Nine days early: neither attendance nor a decision, by a forged post either.
    response = client.post(f"{base}/fremmoedte", data={"present": [str(cw.chair.id)]})
    assert response.status_code == 422
    assert "Fremmødet registreres, når mødet holdes" in page_text(response)
    response = client.post(
        f"{base}/punkter/{item.id}/beslutning",
        data={"decision": "grant", "amount": "", "reasons": ""},
    )
    assert response.status_code == 422
    assert has_error(response, "Udvalgets beslutninger registreres først, når mødet holdes")
    assert confirm(client, f"{base}/udsend").status_code == 422
    assert client.post(f"{base}/luk").status_code == 422  # minutes of a meeting not held
    db.session.expire_all()
    assert item.decision is None and item.recorded_at is None
    assert meeting.state == MeetingState.PLANNED and meeting.held_at is None
    count = db.session.scalar(
        select(func.count())
        .select_from(MeetingAttendance)
        .where(MeetingAttendance.meeting_id == meeting.id)
    )
    assert count == 0

    # The day before: still not.
    move_clock(meeting.day - dt.timedelta(days=1))
    response = client.post(f"{base}/fremmoedte", data={"present": [str(cw.chair.id)]})
    assert response.status_code == 422

    # On its day: held once the attendance is recorded, then the decision.
    move_clock(meeting.day)
    response = client.post(
        f"{base}/punkter/{item.id}/beslutning", data={"decision": "grant", "reasons": ""}
    )
    assert response.status_code == 422  # not held yet: the attendance first
    assert "Registrér fremmødet først" in page_text(response)
    present = {"present": [str(cw.chair.id), str(cw.member.id)]}
    # Not held before the members have been sent the agenda they decide on.
    response = client.post(f"{base}/fremmoedte", data=present)
    assert response.status_code == 422
    assert "Dagsordenen er ikke sendt til udvalget" in page_text(response)
    db.session.expire_all()
    assert meeting.state == MeetingState.PLANNED and meeting.held_at is None
    assert client.post(f"{base}/dagsorden/udsend").status_code == 302
    response = client.post(f"{base}/fremmoedte", data=present)
    assert response.status_code == 302
    db.session.expire_all()
    assert meeting.state == MeetingState.HELD
    assert "Holdt" in page_text(client.get(base))
    response = client.post(
        f"{base}/punkter/{item.id}/beslutning", data={"decision": "grant", "reasons": ""}
    )
    assert response.status_code == 302
    # Said for a meeting of one decision as well as of many ("with the others" was not).
    said = flashes(client.get(response.headers["Location"]), "success")
    assert said == ["Beslutningen er registreret. Den udsendes, når mødets afgørelser bekræftes."]
    confirm(client, f"{base}/udsend")
    assert client.post(f"{base}/luk").status_code == 302
    db.session.expire_all()
    assert meeting.state == MeetingState.MINUTES_APPROVED
    assert "Beslutningsprotokol godkendt" in page_text(client.get(base))


def test_a_meeting_outside_the_committees_election_period_is_refused(client, auth, cw):
    """The committee of 2026-2029 has no mandate in 2030 (a new council constitutes new
    committees) nor before 2026: a meeting on such a day is refused, nothing made."""
    auth.login(cw.caseworker)
    before = db.session.scalar(select(func.count()).select_from(Meeting))
    for day in ("2030-01-10", "2025-06-01"):
        response = client.post(
            f"/udvalg/{cw.committee.id}/moeder",
            data={"date": day, "time": "16:00", "place": "Rådhuset"},
        )
        assert response.status_code == 422
        assert has_error(response, "valgperioden 2026-2029")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == before
    # Inside the period it is made as ever, on the period's last day too.
    response = client.post(
        f"/udvalg/{cw.committee.id}/moeder",
        data={"date": "2029-12-31", "time": "16:00", "place": "Rådhuset"},
    )
    assert response.status_code == 302


def test_a_meeting_dated_after_the_election_period_is_not_held(client, auth, cw, move_clock):
    """A meeting planned before the rule, dated in the next period, cannot be held: the
    members of 2026-2029 do not decide in 2030."""
    meeting = Meeting(
        committee=cw.committee,
        starts_at=dt.datetime(2030, 1, 10, 15, 0, tzinfo=dt.UTC),
        place="Rådhuset",
    )
    db.session.add(meeting)
    db.session.commit()
    auth.login(cw.secretary)
    url = f"/udvalg/moeder/{meeting.id}/fremmoedte"
    # Before the period's end the secretary is told why (nobody can be chosen: on its day
    # the committee has no members).
    move_clock(dt.date(2029, 12, 31))
    response = client.post(url, data={})
    assert response.status_code == 422
    assert "valgperioden 2026-2029" in page_text(response)
    # On its day the committee's members and secretary are members no more.
    move_clock(dt.date(2030, 1, 10))
    response = client.post(url, data={"present": [str(cw.chair.id)]})
    assert response.status_code == 403
    db.session.expire_all()
    assert meeting.held_at is None and meeting.state == MeetingState.PLANNED
