"""The demo's committees: every committee fund has its committee for the current election
period, on the committees' route, and the demo committee member sees a planned meeting with
the culture committee's own trip on the agenda."""

from __future__ import annotations

from sqlalchemy import select

from grants.committees.models import Committee, Meeting, MemberRole
from grants.extensions import db
from grants.funds import kinds
from grants.funds.models import Fund
from tests.conftest import AuthActions
from tests.factories import this_period
from tests.html import page_text


def test_the_demo_committees(app, runner, client):
    runner.invoke(args=["demo", "load"])
    funds = db.session.scalars(select(Fund).where(Fund.kind == kinds.COMMITTEE.code)).all()
    committees = db.session.scalars(select(Committee)).all()
    assert {c.fund_id for c in committees} == {f.id for f in funds}
    assert all(f.route.code == "committee_decision" for f in funds)
    for committee in committees:
        assert committee.period == "-".join(map(str, this_period()))  # the demo's day's
        roles = {m.role for m in committee.memberships}
        assert roles == {MemberRole.CHAIR, MemberRole.SECRETARY, MemberRole.MEMBER}
    meeting = db.session.scalar(select(Meeting))
    assert meeting.is_open and len(meeting.items) == 1

    response = client.post(
        "/log-ind", data={"email": "udvalg@ballerup.dk", "password": "udvalg-demo-2026"}
    )
    assert response.status_code == 302
    page = page_text(client.get(f"/udvalg/moeder/{meeting.id}"))
    assert "Malmø" in page
    assert "Medlemmet er selv ansøger." in page  # the applying member is disqualified
    AuthActions(client).logout()


def test_the_demo_loaded_late_in_a_periods_last_year_meets_within_the_period(
    app, runner, move_clock
):
    """Loaded on 24 December 2029, the demo's meeting 14 days on would fall in the next
    election period, where the committee of 2026-2029 has no mandate: it meets on
    31 December instead, and the demo loads."""
    import datetime as dt

    move_clock(dt.date(2029, 12, 24))
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    meeting = db.session.scalar(select(Meeting))
    assert meeting.committee.period == "2026-2029"
    assert meeting.day == dt.date(2029, 12, 31)
