"""A committee's own trip, from the member's application through the meeting's decision,
the report and accounts, the report's approval in a later meeting and the minutes, to its
appearance on the public page /udlandsrejser."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import current_app

from grants.cases.models import Application, BudgetCategory
from grants.committees.models import IssueStatus, MeetingStatus
from grants.core import clock
from grants.extensions import db
from grants.reports.models import AccountLine, TripReport
from grants.reports.report import submit_report
from tests.applications.helpers import form_data
from tests.committees.conftest import make_meeting, record_decision
from tests.confirming import confirm
from tests.html import links, page_text, texts

TITLE = "Udvalgets studietur til Malmø om idrætsanlæg"
PARTICIPANTS = "Ulla Ulriksen (medlem), Frederik Friis (formand), Sine Sekretær (sekretær)"


def test_the_committees_trip_from_application_to_the_public_page(client, auth, cw, monkeypatch):
    # 1. A member applies against the committee's own fund, naming the participants.
    auth.login(cw.member)
    assert f"/ansoegninger/ny/{cw.fund.code}" in links(client.get("/ansoegninger/ny"))
    response = client.post(
        f"/ansoegninger/ny/{cw.fund.code}",
        data=form_data(
            title=TITLE,
            destination_city="Malmö",
            destination_country="SE",
            travellers=PARTICIPANTS,
            traveller_count="3",
            other_funding="",
            other_funding_source="",
            amount_applied="9000",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    application = db.session.scalar(db.select(Application).where(Application.title == TITLE))
    assert application.state == "screening"
    assert application.route.code == "committee_decision"

    # 2. The secretariat puts it on the meeting's agenda, with its recommendation.
    auth.login(cw.caseworker)
    response = client.post(
        f"/ansoegninger/{application.id}/trin/put_on_agenda", data={"comment": ""}
    )
    assert response.status_code == 303
    assert f"/udvalg/moeder/{cw.meeting.id}#agenda-form" in links(client.get(response.location))
    response = client.post(
        f"/udvalg/moeder/{cw.meeting.id}/dagsorden",
        data={"application_id": str(application.id), "recommendation": "Indstilles bevilget."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert application.state == "on_agenda"
    item = cw.meeting.items[0]
    # The applying member is disqualified by the system.
    assert [d.user_id for d in item.declarations] == [cw.member.id]

    # 3. Members see the agenda with the case's papers and its effect on the budget.
    auth.login(cw.chair)
    page = client.get(f"/udvalg/moeder/{cw.meeting.id}")
    assert TITLE in page_text(page) and "Indstilles bevilget." in page_text(page)
    assert "Til rådighed efter fuld bevilling" in page_text(page)
    assert client.get(f"/ansoegninger/{application.id}").status_code == 200

    # 4. The agenda sent; at the meeting: attendance, the decision recorded and issued.
    auth.login(cw.secretary)
    assert client.post(f"/udvalg/moeder/{cw.meeting.id}/dagsorden/udsend").status_code == 302
    response = client.post(
        f"/udvalg/moeder/{cw.meeting.id}/fremmoedte",
        data={"present": [str(cw.chair.id), str(cw.member.id)]},
    )
    assert response.status_code == 302
    record_decision(client, item)
    confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend")
    db.session.expire_all()
    assert application.state == "granted"
    assert application.granted_amount == Decimal(9000)
    assert [letter.kind for letter in application.letters] == ["decision"]
    assert client.post(f"/udvalg/moeder/{cw.meeting.id}/luk").status_code == 302
    db.session.expire_all()
    assert cw.meeting.status == MeetingStatus.CLOSED and len(cw.meeting.minutes_sha256) == 64
    minutes = client.get(f"/udvalg/moeder/{cw.meeting.id}/beslutningsprotokol.pdf")
    assert minutes.status_code == 200 and minutes.data.startswith(b"%PDF")

    # 5. After the trip (the clock moves to two days after its return): the member sends
    # the report and accounts.
    home = dt.datetime.combine(
        application.return_date + dt.timedelta(days=2), dt.time(9), tzinfo=clock.LOCAL
    )
    monkeypatch.setattr(clock, "now", lambda: home.astimezone(dt.UTC))
    report = TripReport(
        application_id=application.id,
        what_was_done="Besøg på tre idrætsanlæg.",
        what_was_learned="Drift i fællesskab med foreningerne.",
        how_it_will_be_used="Oplæg i udvalget.",
        actual_departure=application.departure_date,
        actual_return=application.return_date,
        participant_names=PARTICIPANTS,
        participant_count=3,
    )
    report.account_lines.append(
        AccountLine(position=0, category=BudgetCategory.TRANSPORT, amount=Decimal(8000))
    )
    db.session.add(report)
    with current_app.test_request_context():
        submit_report(application, cw.member)
    db.session.commit()
    assert application.state == "report_submitted"

    # 6. Not public before the committee has approved the report.
    assert TITLE not in page_text(client.get("/udlandsrejser"))

    # 7. On a later meeting's agenda; approved; issued.
    later = make_meeting(cw.committee, days=30)
    db.session.commit()
    auth.login(cw.caseworker)
    response = client.post(
        f"/udvalg/moeder/{later.id}/dagsorden",
        data={"application_id": str(application.id), "recommendation": "Godkendes."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert application.state == "report_on_agenda"
    approval = later.items[0]
    auth.login(cw.secretary)
    assert client.post(f"/udvalg/moeder/{later.id}/dagsorden/udsend").status_code == 302
    # The later meeting's day comes; it is held with both members present.
    meeting_day = dt.datetime.combine(later.day, dt.time(16), tzinfo=clock.LOCAL)
    monkeypatch.setattr(clock, "now", lambda: meeting_day.astimezone(dt.UTC))
    response = client.post(
        f"/udvalg/moeder/{later.id}/fremmoedte",
        data={"present": [str(cw.chair.id), str(cw.member.id)]},
    )
    assert response.status_code == 302
    client.post(
        f"/udvalg/moeder/{later.id}/punkter/{approval.id}/beslutning",
        data={"decision": "approve_report", "reasons": ""},
    )
    assert TITLE not in page_text(client.get("/udlandsrejser"))
    confirm(client, f"/udvalg/moeder/{later.id}/udsend")
    db.session.expire_all()
    assert approval.issue_status == IssueStatus.ISSUED
    assert application.state == "settled"
    assert application.report.final_amount == Decimal(8000)
    assert client.post(f"/udvalg/moeder/{later.id}/luk").status_code == 302

    # 8. Public: on /udlandsrejser, with the participants (the fund publishes names).
    auth.logout()
    public = client.get("/udlandsrejser")
    assert TITLE in texts(public, "main a")
    trip = client.get(f"/udlandsrejser/{application.id}").get_data(as_text=True)
    assert "Ulla Ulriksen" in page_text(trip)
