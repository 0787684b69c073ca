"""The report form: bad input is said next to its field (422) and changes nothing; people
who may not act get 403 and change nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from grants.budgets.models import BudgetEntry
from grants.cases.models import Application, Attachment
from grants.extensions import db
from grants.reports.models import TripReport
from tests.html import errors, field_error, field_errors, has_error
from tests.reports.helpers import PDF, PNG, file_report, granted_case, report_data, with_files


def snapshot(application_id: int) -> tuple:
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    return (
        application.state,
        db.session.scalar(select(func.count(TripReport.id))),
        db.session.scalar(select(func.count(Attachment.id)).where(Attachment.purpose == "receipt")),
        db.session.scalar(select(func.count(BudgetEntry.id))),
        len(application.journal),
    )


@pytest.fixture
def case(world, move_clock):
    application = granted_case(world, 8000)
    move_clock(application.return_date)  # the trip is over: the report may be sent
    return application


def url(application) -> str:
    return f"/ansoegninger/{application.id}/rapport"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"what_was_done": "  "}, "what_was_done", "Beskriv hvad I lavede på rejsen."),
        ({"what_was_learned": ""}, "what_was_learned", "Beskriv hvad I har lært."),
        ({"how_it_will_be_used": ""}, "how_it_will_be_used", "Beskriv hvordan I vil bruge det"),
        ({"transport": "-100"}, "transport", "Beløbet kan ikke være negativt."),
        ({"accommodation": "mange"}, "accommodation", "Skriv et beløb i kroner"),
        ({"transport": "", "accommodation": ""}, "transport", "mindst én faktisk udgift"),
        ({"participant_count": ""}, "participant_count", "Skriv hvor mange der deltog."),
        (
            {"actual_return": "2000-01-01"},
            "actual_return",
            "Hjemkomst kan ikke være før afrejse.",
        ),
    ],
)
def test_bad_input_is_said_at_the_field_and_changes_nothing(
    world, case, client, auth, overrides, field, message
):
    auth.login(world.employee)
    before = snapshot(case.id)
    data = with_files(report_data(case, **overrides), (PDF, "kvittering.pdf"))
    response = client.post(url(case), data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in (field_error(response, field) or ""), field_errors(response)
    assert snapshot(case.id) == before


@pytest.mark.parametrize("intent", ["save", "submit"])
def test_a_receipt_that_is_not_a_pdf_or_an_image_is_refused(world, case, client, auth, intent):
    auth.login(world.employee)
    before = snapshot(case.id)
    for content, name in [
        (b"just some text", "kvittering.pdf"),  # not what its name says
        (b"PK\x03\x04 not really", "kvittering.docx"),
        (PNG, "kvittering.pdf"),  # a picture calling itself a PDF
    ]:
        data = with_files(report_data(case, intent=intent), (PDF, "ok.pdf"), (content, name))
        response = client.post(url(case), data=data, content_type="multipart/form-data")
        assert response.status_code == 422, name
        assert field_error(response, "receipts"), field_errors(response)
        assert snapshot(case.id) == before


def test_costs_without_a_receipt_are_refused_on_submit_but_a_draft_may_wait(
    world, case, client, auth
):
    auth.login(world.employee)
    before = snapshot(case.id)
    response = client.post(url(case), data=report_data(case))
    assert response.status_code == 422
    assert has_error(response, "Vedhæft kvitteringer for udgifterne."), errors(response)
    assert snapshot(case.id) == before
    # Saved as a draft without receipts, then submitted with one.
    assert client.post(url(case), data=report_data(case, intent="save")).status_code == 302
    assert snapshot(case.id)[:3] == ("granted", 1, 0)
    data = with_files(report_data(case), (PNG, "bon.png"), (PDF, "faktura.pdf"))
    response = client.post(url(case), data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert snapshot(case.id)[:3] == ("report_submitted", 1, 2)


def test_not_allowed_to_write_the_report(world, case, client, auth):
    before = snapshot(case.id)
    for person in (world.outsider, world.caseworker, world.manager, world.finance):
        auth.login(person)
        assert client.get(url(case)).status_code == 403, person.email
        data = with_files(report_data(case), (PDF, "kvittering.pdf"))
        response = client.post(url(case), data=data, content_type="multipart/form-data")
        assert response.status_code == 403, person.email
        # Through the case page's step button too.
        response = client.post(
            f"/ansoegninger/{case.id}/trin/submit_report", data={}, follow_redirects=True
        )
        assert response.status_code == 403, person.email
        assert snapshot(case.id) == before
    # Not before the grant, either: a case waiting for its decision.
    waiting = granted_case(world, 1000)
    waiting.state = "awaiting_decision"
    db.session.commit()
    auth.login(world.employee)
    assert client.get(url(waiting)).status_code == 403


def test_not_allowed_to_approve_or_return(world, case, client, auth):
    file_report(case, world.employee, {"transport": "5000"})
    before = snapshot(case.id)
    for person, action in [
        (world.employee, "approve_report"),
        (world.employee, "return_report"),
        (world.outsider, "approve_report"),
        (world.manager, "approve_report"),
    ]:
        auth.login(person)
        for path in (f"rapport/{action}", f"trin/{action}"):
            response = client.post(
                f"/ansoegninger/{case.id}/{path}",
                data={"comment": "Godkendt"},
                follow_redirects=True,
            )
            assert response.status_code == 403, (person.email, path)
            assert snapshot(case.id) == before


def test_returning_needs_a_comment(world, case, client, auth):
    file_report(case, world.employee, {"transport": "5000"})
    before = snapshot(case.id)
    auth.login(world.caseworker)
    response = client.post(
        f"/ansoegninger/{case.id}/trin/return_report",
        data={"comment": "  "},
        follow_redirects=True,
    )
    assert response.status_code == 422
    assert field_error(response, "comment-return_report") == "Skriv en begrundelse."
    assert snapshot(case.id) == before
    assert db.session.get(Application, case.id).report.final_amount is None
    assert db.session.scalar(select(func.sum(BudgetEntry.amount))) == Decimal("208000.00")


def test_a_report_made_by_another_request_meanwhile_is_filled_in_not_a_server_error(
    world, case, client, auth, monkeypatch
):
    """A double click on the first "send", or two members of an association at once: both
    requests find no report, and the second's new one meets the first's in the database's
    unique constraint. The second then fills in the one that is there; nothing is lost and
    there is still one report."""
    from grants.reports import report as reports

    auth.login(world.employee)
    assert client.post(url(case), data=report_data(case, intent="save")).status_code == 302
    found = reports.report_of
    calls = []

    def not_yet_seen(application):
        calls.append(application.id)
        return None if len(calls) == 1 else found(application)

    monkeypatch.setattr(reports, "report_of", not_yet_seen)
    data = with_files(report_data(case, what_was_done="Det andet klik."), (PDF, "bon.pdf"))
    response = client.post(url(case), data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert snapshot(case.id)[:3] == ("report_submitted", 1, 1)
    assert db.session.get(Application, case.id).report.what_was_done == "Det andet klik."
