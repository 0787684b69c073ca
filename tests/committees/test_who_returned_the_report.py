"""On the committees' route the committee, through its secretary at the meeting, may send a
trip report back (``report_on_agenda`` -> ``report_returned``): the applicant's e-mail and the
notice on the report's page name the committee that did, never the caseworker, in the
applicant's own language. A report the caseworker sends back while screening it still says
the caseworker did (as the board's case: tests/messages/test_who_asks.py)."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import select

from grants.extensions import db
from grants.notifications.models import OutboxMessage
from grants.reports.report import return_report
from tests.committees.conftest import record_decision
from tests.committees.test_decided_at_meeting import _report_on_agenda
from tests.confirming import confirm
from tests.html import notices


def _latest_mail(person) -> str:
    db.session.expire_all()
    return db.session.scalars(
        select(OutboxMessage.body)
        .where(OutboxMessage.recipient_id == person.id)
        .order_by(OutboxMessage.id.desc())
    ).first()


@pytest.mark.parametrize(
    ("locale", "mail", "notice"),
    [
        (
            "da",
            "Kultur- og Fritidsudvalget har sendt rapporten og regnskabet for",
            "Kultur- og Fritidsudvalget har sendt rapport og regnskab tilbage",
        ),
        (
            "en",
            "Kultur- og Fritidsudvalget has sent the report and accounts for",
            "Kultur- og Fritidsudvalget has sent the report and accounts back",
        ),
    ],
)
def test_a_report_the_committee_returns_names_the_committee(client, auth, cw, locale, mail, notice):
    cw.outsider.locale = locale
    db.session.commit()
    application, item = _report_on_agenda(cw)
    auth.login(cw.secretary)
    response = record_decision(client, item, "return_report", reasons="Kvitteringerne mangler.")
    assert response.status_code == 302
    assert confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend").status_code == 302
    db.session.expire_all()
    assert application.state == "report_returned"
    body = _latest_mail(cw.outsider)
    assert mail in body and "Kvitteringerne mangler." in body
    assert "Sagsbehandleren" not in body and "caseworker" not in body

    auth.login(cw.outsider)
    page = client.get(f"/ansoegninger/{application.id}/rapport")
    assert page.status_code == 200
    (shown,) = notices(page, "warning")
    assert shown.startswith(notice) and "Kvitteringerne mangler." in shown


def test_a_report_the_caseworker_returns_on_the_committees_route_names_the_caseworker(
    client, auth, cw
):
    application, item = _report_on_agenda(cw)
    # Taken off the agenda's hands: the caseworker screens a report submitted again.
    with current_app.test_request_context():
        from grants.committees import operations as ops

        item.decision = None
        db.session.delete(item)
        db.session.flush()
        application.state = "report_submitted"
        db.session.flush()
        return_report(application, cw.caseworker, "Underskriften mangler.")
        assert ops.open_item(application) is None
    db.session.commit()
    body = _latest_mail(cw.outsider)
    assert "Sagsbehandleren har sendt rapporten" in body
    auth.login(cw.outsider)
    (shown,) = notices(client.get(f"/ansoegninger/{application.id}/rapport"), "warning")
    assert shown.startswith("Sagsbehandleren har sendt rapport og regnskab tilbage")
