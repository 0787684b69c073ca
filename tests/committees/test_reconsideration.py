"""Reconsideration of a committee's decision (genoptagelse): the body that decided decides
again. The request goes to the caseworker, who puts it on a meeting's agenda; the committee
decides again, and the new letter replaces the old one (its verification page says so); the
ledger moves by exactly the difference."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import current_app

from grants.applications.operations import decide, request_reconsideration
from grants.budgets.balances import application_money
from grants.cases.states import State
from grants.committees import operations as ops
from grants.committees.models import Decision, IssueStatus
from grants.core.errors import DomainError, NotAllowed
from grants.extensions import db
from grants.letters.verification import shown
from grants.reports.timing import tracker
from grants.workflow.loader import RouteFileError, load_route_file
from tests import html
from tests.applications.helpers import available, decisions, journal_actions
from tests.committees.conftest import make_case, make_meeting, on_agenda, record_decision
from tests.confirming import confirm

REASONS = "Udvalget kendte ikke det nye program, som gør turen længere."


def decide_at(cw, item, decision: Decision, amount=None, reasons: str = "") -> None:
    """The secretary records the committee's decision and issues it, as the job does."""
    with current_app.test_request_context():
        ops.record_decision(item, cw.secretary, decision, amount, reasons)
        ops.issue_item(item, cw.secretary)
    db.session.commit()


@pytest.fixture
def partly(cw):
    """A case the committee granted 5.000 of 8.000 kr. at today's meeting."""
    application = make_case(cw)
    item = on_agenda(cw, application)
    decide_at(cw, item, Decision.GRANT_PART, Decimal(5000), "Kun rejsen dækkes.")
    assert application.state == State.PARTLY_GRANTED
    return application


@pytest.fixture
def next_meeting(cw):
    """A later meeting, held today as well, with both members present."""
    meeting = make_meeting(cw.committee, days=0)
    ops.set_attendance(meeting, {cw.chair.id, cw.member.id}, cw.secretary)
    db.session.commit()
    return meeting


def asked(cw, application) -> None:
    request_reconsideration(application, cw.outsider, "request_reconsideration", REASONS)
    db.session.commit()


def test_the_committee_raises_its_grant_and_the_ledger_moves_by_the_difference(
    cw, partly, next_meeting, client
):
    before = available(partly)
    asked(cw, partly)
    assert partly.state == State.RECONSIDERATION

    item = on_agenda(cw, partly, next_meeting)
    assert partly.state == State.RECONSIDERATION_ON_AGENDA
    decide_at(cw, item, Decision.GRANT)

    assert partly.state == State.GRANTED
    assert item.issue_status == IssueStatus.ISSUED
    assert application_money(partly).granted == Decimal(8000)
    assert available(partly) == before - Decimal(3000)
    first, second = decisions(partly)
    assert first.replaced_by_id == second.id and second.replaced_by_id is None
    assert first.pdf and second.pdf  # both stay in the case file
    old = client.get(f"/bekraeft-brev/{shown(first.verification_code)}")
    assert "Brevet er ægte, men erstattet" in html.text_of(old)
    new = client.get(f"/bekraeft-brev/{shown(second.verification_code)}")
    assert "Brevet er ægte, men erstattet" not in html.text_of(new)
    assert "Brevet er ægte" in html.text_of(new)


def test_the_committee_lowers_its_grant_and_gives_the_difference_back(cw, partly, next_meeting):
    before = available(partly)
    asked(cw, partly)
    item = on_agenda(cw, partly, next_meeting)
    decide_at(cw, item, Decision.GRANT_PART, Decimal(2000), "Opholdet er kortere.")

    assert partly.state == State.PARTLY_GRANTED
    assert application_money(partly).granted == Decimal(2000)
    assert available(partly) == before + Decimal(3000)
    assert len(decisions(partly)) == 2


def test_a_refusal_reconsidered_reserves_the_grant_anew(cw, next_meeting):
    application = make_case(cw)
    decide_at(cw, on_agenda(cw, application), Decision.REFUSE, reasons="Puljen prioriterer.")
    before = available(application)
    asked(cw, application)
    decide_at(cw, on_agenda(cw, application, next_meeting), Decision.GRANT)

    assert application.state == State.GRANTED
    assert application_money(application).granted == Decimal(8000)
    assert available(application) == before - Decimal(8000)


def test_a_postponed_reconsideration_goes_back_to_the_caseworker_and_the_decision_stays(
    cw, partly, next_meeting
):
    asked(cw, partly)
    item = on_agenda(cw, partly, next_meeting)
    decide_at(cw, item, Decision.POSTPONE, reasons="Udvalget vil høre foreningen.")

    assert partly.state == State.RECONSIDERATION
    assert application_money(partly).granted == Decimal(5000)
    (letter,) = decisions(partly)
    assert letter.replaced_by_id is None
    # ... and it can go on a later agenda, where the caseworker finds it.
    later = make_meeting(cw.committee, days=7)
    db.session.commit()
    assert (partly, ops.AgendaKind.DECISION) in ops.eligible_cases(later)


def test_the_journal_shows_the_whole_path(cw, partly, next_meeting):
    asked(cw, partly)
    decide_at(cw, on_agenda(cw, partly, next_meeting), Decision.GRANT)
    actions = journal_actions(partly)
    path = [
        a
        for a in actions
        if a in ("put_on_agenda", "grant_part", "request_reconsideration", "grant")
    ]
    assert path == [
        "put_on_agenda",
        "grant_part",
        "request_reconsideration",
        "put_on_agenda",
        "grant",
    ]


def test_the_applicant_is_told_the_request_is_being_handled(cw, partly, next_meeting):
    asked(cw, partly)
    assert "genoptagelse" in tracker(partly).next
    on_agenda(cw, partly, next_meeting)
    assert "Udvalget behandler din anmodning om genoptagelse" in tracker(partly).next
    assert not any(step.done and step.current for step in tracker(partly).steps)


def test_nobody_but_the_committee_decides_again(cw, partly, next_meeting):
    asked(cw, partly)
    # Not the caseworker from the request, whatever the delegated limit: the committee decided.
    for person in (cw.caseworker, cw.chair, cw.secretary, cw.outsider):
        with pytest.raises(NotAllowed):
            decide(partly, person, "grant", None, "")
    item = on_agenda(cw, partly, next_meeting)
    for person in (cw.caseworker, cw.member, cw.outsider, cw.admin):
        with pytest.raises(NotAllowed):
            decide(partly, person, "grant", None, "")
    with current_app.test_request_context(), pytest.raises(NotAllowed):
        ops.record_decision(item, cw.member, Decision.GRANT, None, "")
    db.session.rollback()
    assert partly.state == State.RECONSIDERATION_ON_AGENDA
    assert application_money(partly).granted == Decimal(5000)


def test_only_the_applicant_asks_and_only_with_reasons(cw, partly):
    for person in (cw.caseworker, cw.chair, cw.member, cw.secretary):
        with pytest.raises(NotAllowed):
            request_reconsideration(partly, person, "request_reconsideration", REASONS)
    with pytest.raises(DomainError):
        request_reconsideration(partly, cw.outsider, "request_reconsideration", " ")
    db.session.rollback()
    assert partly.state == State.PARTLY_GRANTED


def test_a_raise_that_does_not_fit_fails_the_item_and_changes_nothing(cw, partly, next_meeting):
    from grants.budgets.movements import reserve

    asked(cw, partly)
    item = on_agenda(cw, partly, next_meeting)
    # Another grant spends the fund's year down to 1.000 kr., through the ledger itself.
    other = make_case(cw, amount=60000)
    reserve(other, available(partly) - Decimal(1000), cw.caseworker)
    db.session.commit()
    with current_app.test_request_context():
        ops.record_decision(item, cw.secretary, Decision.GRANT, None, "")
        with pytest.raises(DomainError, match="1.000,00 kr. til rådighed"):
            ops.issue_item(item, cw.secretary)
    db.session.rollback()
    assert partly.state == State.RECONSIDERATION_ON_AGENDA
    assert application_money(partly).granted == Decimal(5000)
    assert len(decisions(partly)) == 1


# -- through the pages ------------------------------------------------------------------------


def test_the_caseworker_puts_the_request_on_the_agenda_from_the_meeting_page(
    cw, partly, client, auth
):
    next_meeting = make_meeting(cw.committee, days=3)  # not held yet: it takes new items
    db.session.commit()
    asked(cw, partly)
    auth.login(cw.caseworker)
    page = client.get(f"/udvalg/moeder/{next_meeting.id}")
    assert f"{partly.case_number} {partly.title} (genoptagelse)" in html.page_text(page)

    refused = client.post(
        f"/udvalg/moeder/{next_meeting.id}/dagsorden",
        data={"application_id": str(partly.id), "recommendation": ""},
    )
    assert refused.status_code == 422
    assert html.field_error(refused, "recommendation")
    db.session.refresh(partly)
    assert partly.state == State.RECONSIDERATION

    done = client.post(
        f"/udvalg/moeder/{next_meeting.id}/dagsorden",
        data={"application_id": str(partly.id), "recommendation": "Indstilles bevilget fuldt."},
    )
    assert done.status_code == 302
    db.session.refresh(partly)
    assert partly.state == State.RECONSIDERATION_ON_AGENDA
    page = client.get(f"/udvalg/moeder/{next_meeting.id}")
    assert "Genoptagelse: afgørelsen træffes igen" in html.page_text(page)


def test_the_secretary_records_and_issues_the_new_decision_through_the_pages(
    cw, partly, next_meeting, client, auth
):
    before = available(partly)
    asked(cw, partly)
    item = on_agenda(cw, partly, next_meeting)
    auth.login(cw.secretary)

    bad = record_decision(client, item, "grant_part", amount="6.500", reasons="Delvist.")
    assert bad.status_code == 422
    db.session.refresh(item)
    assert item.decision is None

    recorded = record_decision(client, item)
    assert recorded.status_code == 302
    assert confirm(client, f"/udvalg/moeder/{next_meeting.id}/udsend").status_code == 302
    db.session.expire_all()
    assert partly.state == State.GRANTED
    assert available(partly) == before - Decimal(3000)
    assert len(decisions(partly)) == 2


@pytest.mark.parametrize("who", ["caseworker", "chair", "member", "admin", "secretary"])
def test_staff_cannot_ask_for_the_applicant(cw, partly, client, auth, who):
    auth.login(getattr(cw, who))
    url = f"/ansoegninger/{partly.id}/genoptagelse"
    assert client.post(url, data={"reasons": REASONS}).status_code in (403, 404)
    db.session.refresh(partly)
    assert partly.state == State.PARTLY_GRANTED


def test_the_caseworkers_decision_page_refuses_a_committee_case(cw, partly, client, auth):
    asked(cw, partly)
    auth.login(cw.caseworker)
    response = client.post(
        f"/ansoegninger/{partly.id}/afgoerelse", data={"action": "grant", "reasons": ""}
    )
    assert response.status_code in (403, 404)
    db.session.refresh(partly)
    assert partly.state == State.RECONSIDERATION


def test_the_applicant_asks_from_the_case_page(cw, partly, client, auth):
    auth.login(cw.outsider)
    url = f"/ansoegninger/{partly.id}/genoptagelse"
    assert url in html.links(client.get(f"/ansoegninger/{partly.id}"))
    empty = client.post(url, data={"reasons": ""}, content_type="multipart/form-data")
    assert empty.status_code == 422 and html.field_error(empty, "reasons")
    done = client.post(url, data={"reasons": REASONS}, content_type="multipart/form-data")
    assert done.status_code == 302
    db.session.refresh(partly)
    assert partly.state == State.RECONSIDERATION


def test_the_route_file_refuses_an_unknown_state(tmp_path, app):
    broken = tmp_path / "broken.toml"
    broken.write_text(
        'code = "x"\nversion = 1\nname = "x"\ninitial_state = "draft"\n'
        '[[transition]]\nfrom = "reconsideration"\naction = "put_on_agenda"\n'
        'to = "reconsidered_somewhere"\nrole = "caseworker"\n',
        encoding="utf-8",
    )
    with pytest.raises(RouteFileError):
        load_route_file(broken)


def _effect(page) -> dict[str, str]:
    return {row[0]: row[1] for row in html.table_rows(page, "table.decision-effect")}


def test_the_agenda_shows_what_the_reconsideration_would_move(
    cw, partly, next_meeting, client, auth
):
    before = available(partly)
    asked(cw, partly)
    on_agenda(cw, partly, next_meeting)
    auth.login(cw.caseworker)

    effect = _effect(client.get(f"/udvalg/moeder/{next_meeting.id}"))

    assert effect["Til rådighed nu"] == html_money(before)
    assert effect["Ansøgt i denne sag"] == "8.000,00 kr."
    assert effect["Bevilget i den gældende afgørelse"] == "5.000,00 kr."
    assert effect["Genoptagelsen flytter ved fuld bevilling (forskellen)"] == "3.000,00 kr."
    assert effect["Til rådighed efter fuld bevilling"] == html_money(before - Decimal(3000))

    client.post("/sprog", data={"locale": "en"})
    effect = _effect(client.get(f"/udvalg/moeder/{next_meeting.id}"))
    assert effect["Granted in the decision in force"] == "5,000.00 kr."
    assert effect["What the reconsideration moves on a full grant (the difference)"] == (
        "3,000.00 kr."
    )


def test_a_first_decision_on_the_agenda_shows_the_full_grant(cw, client, auth):
    application = make_case(cw)
    meeting = on_agenda(cw, application).meeting
    auth.login(cw.caseworker)
    effect = _effect(client.get(f"/udvalg/moeder/{meeting.id}"))
    assert "Bevilget i den gældende afgørelse" not in effect
    assert effect["Ansøgt i denne sag"] == "8.000,00 kr."


def test_a_refusal_reconsidered_moves_the_full_grant_on_the_agenda(cw, next_meeting, client, auth):
    application = make_case(cw)
    decide_at(cw, on_agenda(cw, application), Decision.REFUSE, reasons="Puljen prioriterer.")
    asked(cw, application)
    on_agenda(cw, application, next_meeting)
    auth.login(cw.caseworker)
    effect = _effect(client.get(f"/udvalg/moeder/{next_meeting.id}"))
    assert effect["Bevilget i den gældende afgørelse"] == "0,00 kr."
    assert effect["Genoptagelsen flytter ved fuld bevilling (forskellen)"] == "8.000,00 kr."


def html_money(amount: Decimal) -> str:
    from grants.core.formatting import money

    return str(money(amount, "da"))
