"""A member's mandate ends with the election period, but the minutes of the meetings they
sat on stay theirs to read: the stored minutes (beslutningsprotokol) and the closed
meeting's page that links to them. Nothing else of the old committee (its page, its open
meetings, its cases), and nothing of meetings held before they joined or after they left.
The public reads no minutes at all (only a committee trip, published once its report is
approved)."""

from __future__ import annotations

import datetime as dt

from grants.committees import operations as ops
from grants.committees.models import MeetingStatus, MemberRole
from grants.extensions import db
from grants.people.models import Role
from tests.committees.conftest import make_case, make_meeting, on_agenda, record_decision
from tests.confirming import confirm
from tests.factories import make_user
from tests.html import links


def _closed_meeting(client, auth, cw):
    application = make_case(cw)
    item = on_agenda(cw, application)
    auth.login(cw.secretary)
    assert record_decision(client, item).status_code == 302
    assert confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend").status_code == 302
    assert client.post(f"/udvalg/moeder/{cw.meeting.id}/luk").status_code == 302
    auth.logout()
    return application


def test_former_members_read_the_minutes_of_their_meetings(client, auth, cw, move_clock):
    application = _closed_meeting(client, auth, cw)
    # A member who joined after the meeting, and one who left before it.
    newcomer = make_user(Role.EMPLOYEE, name="Nina Ny")
    leaver = make_user(Role.EMPLOYEE, name="Per Før")
    day = cw.meeting.day
    ops.add_member(cw.committee, newcomer, MemberRole.MEMBER, day + dt.timedelta(1), None)
    ops.add_member(
        cw.committee, leaver, MemberRole.MEMBER, day - dt.timedelta(20), day - dt.timedelta(1)
    )
    open_meeting = make_meeting(cw.committee, days=7)
    db.session.commit()
    base = f"/udvalg/moeder/{cw.meeting.id}"

    move_clock(dt.date(cw.committee.period_last + 1, 2, 1))
    for former in (cw.member, cw.chair, cw.secretary):
        auth.login(former)
        assert ops.committees_of(former) == []
        page = client.get(base)
        assert page.status_code == 200, former.name
        assert f"{base}/beslutningsprotokol.pdf" in links(page)
        pdf = client.get(f"{base}/beslutningsprotokol.pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        # Not the committee's page, its meetings not closed, nor the cases.
        assert client.get(f"/udvalg/{cw.committee.id}").status_code == 403
        assert client.get(f"/udvalg/moeder/{open_meeting.id}").status_code == 403
        assert client.get(f"/ansoegninger/{application.id}").status_code in (403, 404)
    # Not one who was no member on the meeting's day, nor anyone else, nor the public.
    for other in (cw.outsider, newcomer, leaver):
        auth.login(other)
        assert client.get(f"{base}/beslutningsprotokol.pdf").status_code == 403, other.name
        assert client.get(base).status_code == 403, other.name
    auth.logout()
    assert client.get(f"{base}/beslutningsprotokol.pdf").status_code in (302, 401)


def test_a_member_who_left_within_the_period_reads_the_minutes(client, auth, cw, move_clock):
    """Today's members read the minutes as before; a member who left the committee within
    the period reads those of the meetings they sat on, not the later ones."""
    _closed_meeting(client, auth, cw)
    base = f"/udvalg/moeder/{cw.meeting.id}"
    membership = cw.committee.membership_of(cw.member)
    membership.valid_to = cw.meeting.day
    later = make_meeting(cw.committee, days=7)
    db.session.commit()
    move_clock(cw.meeting.day + dt.timedelta(1))
    auth.login(cw.chair)
    assert client.get(f"{base}/beslutningsprotokol.pdf").status_code == 200
    auth.login(cw.member)
    assert client.get(f"{base}/beslutningsprotokol.pdf").status_code == 200
    assert client.get(f"/udvalg/moeder/{later.id}").status_code == 403


def _former_links(client) -> list[str]:
    page = client.get("/opgaver")
    assert page.status_code == 200
    return [href for href in links(page) if href.endswith("/udvalg/tidligere-moeder")]


def _listed(client) -> list[str]:
    page = client.get("/udvalg/tidligere-moeder")
    assert page.status_code == 200
    return [href for href in links(page) if "/udvalg/moeder/" in href]


def test_a_former_member_finds_the_meetings_they_sat_on(client, auth, cw, move_clock):
    """No committee in the menu once they left, but the task page (their front page) links
    to the meetings they sat on, and only those: not one closed after they left, not one
    still open, nothing for those who never sat on the committee."""
    _closed_meeting(client, auth, cw)
    base = f"/udvalg/moeder/{cw.meeting.id}"
    membership = cw.committee.membership_of(cw.member)
    membership.valid_to = cw.meeting.day
    after = make_meeting(cw.committee, days=3)  # closed after the member left
    after.status = MeetingStatus.CLOSED
    after.minutes_pdf = b"%PDF-1.7 later minutes"
    after.minutes_sha256 = "3" * 64
    make_meeting(cw.committee, days=7)  # not yet held
    db.session.commit()
    move_clock(cw.meeting.day + dt.timedelta(10))

    auth.login(cw.member)
    assert ops.committees_of(cw.member) == []
    assert _former_links(client)
    assert _listed(client) == [base, f"{base}/beslutningsprotokol.pdf"]
    for href in _listed(client):
        assert client.get(href).status_code == 200
    assert client.get(f"/udvalg/moeder/{after.id}").status_code == 403
    # Today's members find their committee in the menu; the list is for former members.
    auth.login(cw.chair)
    assert _former_links(client) == [] and _listed(client) == []
    auth.login(cw.outsider)
    assert _former_links(client) == [] and _listed(client) == []


def test_the_list_is_in_english_too(client, auth, cw, move_clock):
    _closed_meeting(client, auth, cw)
    cw.member.locale = "en"
    db.session.commit()
    move_clock(dt.date(cw.committee.period_last + 1, 2, 1))
    auth.login(cw.member)
    page = client.get("/opgaver")
    assert "The minutes of the meetings you took part in" in page.get_data(as_text=True)
    page = client.get("/udvalg/tidligere-moeder")
    assert "Meetings of committees you sat on" in page.get_data(as_text=True)
