"""A case on the agenda of a meeting not yet closed is decided by the committee only through
the meeting (the engine holds the role ``committee``: grants.workflow.engine.held_role). Its
chair or secretary approving the report, or deciding the case, on the case page once left
the agenda item undecided for good: it could be neither recorded nor issued, the meeting
never closed, and the trip was never published."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import current_app

from grants.budgets.movements import reserve
from grants.cases.models import BudgetCategory, Outcome
from grants.committees.models import IssueStatus
from grants.core import access, clock
from grants.extensions import db
from grants.reports.models import AccountLine, TripReport
from grants.reports.report import submit_report
from grants.workflow import engine
from grants.workflow.models import CaseRole, JournalEntry
from tests.committees.conftest import make_case, make_meeting, on_agenda, record_decision
from tests.confirming import confirm
from tests.html import flashes, form_actions, links, page, page_text

REFUSED = "Sagen er på dagsordenen for Kultur- og Fritidsudvalgets møde"
REFUSED_EN = "The case is on the agenda of the Kultur- og Fritidsudvalget meeting on"


def _report_on_agenda(cw, meeting=None):
    """A granted case of the committee, its trip over and its report submitted, on the
    agenda of ``meeting`` (the held meeting by default) for the report's approval."""
    application = make_case(
        cw,
        state="granted",
        departure_date=clock.today() - dt.timedelta(days=10),
        return_date=clock.today() - dt.timedelta(days=5),
    )
    application.outcome = Outcome.GRANTED
    application.granted_amount = Decimal(8000)
    application.decided_at = clock.now()
    reserve(application, Decimal(8000), cw.caseworker)
    report = TripReport(
        application_id=application.id,
        what_was_done="Besøg",
        what_was_learned="Meget",
        how_it_will_be_used="I udvalget",
        actual_departure=application.departure_date,
        actual_return=application.return_date,
        participant_names="Ulla Ulriksen",
        participant_count=1,
    )
    report.account_lines.append(
        AccountLine(position=0, category=BudgetCategory.TRANSPORT, amount=Decimal(5000))
    )
    db.session.add(report)
    db.session.commit()
    with current_app.test_request_context():
        submit_report(application, cw.outsider)
    db.session.commit()
    return application, on_agenda(cw, application, meeting)


def _facts(application, item):
    db.session.expire_all()
    return (
        application.state,
        application.outcome,
        application.granted_amount,
        item.decision,
        item.issue_status,
        db.session.query(JournalEntry).filter_by(application_id=application.id).count(),
    )


def _refused_with_the_meeting(response, cw, message=REFUSED):
    assert response.status_code == 403
    shown = flashes(response, "error")
    assert any(text.startswith(message) for text in shown), shown
    assert f"/udvalg/moeder/{cw.meeting.id}" in links(response)


def test_the_report_is_approved_only_through_the_meeting(client, auth, cw):
    application, item = _report_on_agenda(cw)
    before = _facts(application, item)
    for who in (cw.secretary, cw.chair):
        auth.login(who)
        # No button on the case page for the committee's steps.
        shown = client.get(f"/ansoegninger/{application.id}")
        assert shown.status_code == 200
        actions = form_actions(shown)
        assert not any("/rapport/" in action or "/afgoerelse" in action for action in actions)
        assert not any(
            action.endswith(("/trin/approve_report", "/trin/return_report")) for action in actions
        )
        # Posted anyway: refused with the reason and the way to the meeting, nothing changed.
        response = client.post(
            f"/ansoegninger/{application.id}/rapport/approve_report", data={"comment": ""}
        )
        _refused_with_the_meeting(response, cw)
        response = client.post(
            f"/ansoegninger/{application.id}/rapport/return_report", data={"comment": "Nej."}
        )
        _refused_with_the_meeting(response, cw)
        assert _facts(application, item) == before
        auth.logout()

    # The meeting records and issues the item, closes, and the trip is published.
    auth.login(cw.secretary)
    assert record_decision(client, item, "approve_report").status_code == 302
    assert confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend").status_code == 302
    db.session.expire_all()
    assert item.issue_status == IssueStatus.ISSUED
    assert application.state == "settled"
    assert client.post(f"/udvalg/moeder/{cw.meeting.id}/luk").status_code == 302
    auth.logout()
    assert application.title in page_text(client.get("/udlandsrejser"))


def test_the_case_is_decided_only_through_the_meeting(client, auth, cw):
    application = make_case(cw)
    item = on_agenda(cw, application)
    before = _facts(application, item)
    auth.login(cw.chair)
    # The engine: the role is the chair's, its steps are offered only to the meeting.
    assert CaseRole.COMMITTEE in engine.case_roles(application, cw.chair)
    assert engine.available_transitions(application, cw.chair) == []
    with engine.taking_as(CaseRole.COMMITTEE):
        offered = {t.action for t in engine.available_transitions(application, cw.chair)}
    # (and, for a meeting cancelled before it is held, taking the case off its agenda:
    # ``cancel_meeting``, the only operation that takes it)
    assert offered == {"grant", "grant_part", "refuse", "postpone", "take_off_agenda"}
    # Still one who decides the case now (at the meeting): they read its messages.
    assert access.may(cw.chair, "case.read_messages", application)

    shown = client.get(f"/ansoegninger/{application.id}")
    assert not any("/afgoerelse" in action for action in form_actions(shown))
    assert not any("/trin/postpone" in action for action in form_actions(shown))
    response = client.post(
        f"/ansoegninger/{application.id}/afgoerelse",
        data={"action": "grant", "amount": "", "reasons": ""},
    )
    _refused_with_the_meeting(response, cw)
    response = client.post(
        f"/ansoegninger/{application.id}/trin/postpone", data={"comment": "Udsættes."}
    )
    _refused_with_the_meeting(response, cw)
    assert _facts(application, item) == before

    # The meeting still decides it.
    assert record_decision(client, item, "grant").status_code == 302
    assert confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend").status_code == 302
    db.session.expire_all()
    assert item.issue_status == IssueStatus.ISSUED
    assert application.state == "granted"


def test_the_refusal_in_english(client, auth, cw):
    application, item = _report_on_agenda(cw)
    before = _facts(application, item)
    auth.login(cw.secretary)
    client.post("/sprog", data={"locale": "en"})
    response = client.post(
        f"/ansoegninger/{application.id}/rapport/approve_report", data={"comment": ""}
    )
    _refused_with_the_meeting(response, cw, REFUSED_EN)
    assert "the committee decides it at the meeting" in page_text(response)
    assert "Gå til mødet" not in page_text(response)
    assert _facts(application, item) == before


def test_a_planned_meeting_holds_the_case_too(client, auth, cw):
    """On the agenda of a meeting not yet held: no one decides it on the case page, and its
    chair is told where it is decided."""
    planned = make_meeting(cw.committee, days=7)
    db.session.commit()
    application = make_case(cw)
    item = on_agenda(cw, application, planned)
    before = _facts(application, item)
    auth.login(cw.chair)
    response = client.post(
        f"/ansoegninger/{application.id}/afgoerelse",
        data={"action": "grant", "amount": "", "reasons": ""},
    )
    assert response.status_code == 403
    assert any(text.startswith(REFUSED) for text in flashes(response, "error"))
    assert f"/udvalg/moeder/{planned.id}" in links(response)
    assert _facts(application, item) == before


def test_someone_else_is_told_only_that_they_cannot(client, auth, cw):
    """The reason names the meeting to those who record the committee's decisions only."""
    application, item = _report_on_agenda(cw)
    auth.login(cw.member)
    response = client.post(
        f"/ansoegninger/{application.id}/rapport/approve_report", data={"comment": ""}
    )
    assert response.status_code in (403, 404)
    assert REFUSED not in page_text(response)
    assert _facts(application, item)[0] == "report_on_agenda"


def test_the_applicants_step_still_works_on_the_agenda(client, auth, cw):
    """Not the committee's step: the applicant withdraws the case on the agenda."""
    application = make_case(cw)
    on_agenda(cw, application)
    auth.login(cw.outsider)
    shown = client.get(f"/ansoegninger/{application.id}")
    assert f"/ansoegninger/{application.id}/trin/withdraw" in form_actions(shown)
    response = confirm(client, f"/ansoegninger/{application.id}/trin/withdraw", {"comment": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert application.state == "withdrawn"
    assert page(client.get(f"/ansoegninger/{application.id}")) is not None
