"""Every committee page and form: bad input shows a message and changes nothing; a person
who may not gets 403 (or 404 for what does not exist) and nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grants.committees.models import (
    AgendaItem,
    Committee,
    CommitteeMembership,
    InterestDeclaration,
    Meeting,
    MeetingAttendance,
    QuorumRule,
    WithoutQuorum,
)
from grants.extensions import db
from grants.funds import kinds
from grants.jobs.models import Job
from tests.committees.conftest import hold, make_case, make_meeting, on_agenda, record_decision
from tests.confirming import confirm
from tests.dbstate import table_fingerprint
from tests.factories import make_fund, make_user
from tests.html import errors, field_error, has_error, links, page_text

# Written by any request of a logged-in person, not by the form.
UNTOUCHED = {"login_attempt", "user_session", "audit_event"}


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# -- registration -------------------------------------------------------------------------


def test_the_secretariat_registers_a_committee_and_its_members(client, auth, cw):
    fund = make_fund(
        code="oekonomi",
        name="Økonomiudvalget",
        route="committee_decision",
        kind=kinds.COMMITTEE.code,
        delegated_limit=0,
    )
    db.session.commit()
    auth.login(cw.caseworker)
    assert client.get("/udvalg").status_code == 200
    assert client.get("/udvalg/ny").status_code == 200
    response = client.post(
        "/udvalg/ny",
        data={
            "name": "Økonomiudvalget",
            "kind": "finance",
            "fund_id": str(fund.id),
            "period_first": "2026",
            "period_last": "2029",
            "quorum_rule": "more_than_half",
            "without_quorum": "substitute",
        },
    )
    assert response.status_code == 302
    committee = db.session.scalar(select(Committee).where(Committee.fund_id == fund.id))
    # Its rules of procedure are the committee's data.
    assert committee.quorum_rule == QuorumRule.MORE_THAN_HALF
    assert committee.without_quorum == WithoutQuorum.SUBSTITUTE
    page = client.get(f"/udvalg/{committee.id}").get_data(as_text=True)
    shown = page_text(page)
    assert "Mere end halvdelen af medlemmerne" in shown and "En stedfortræder indkaldes" in shown
    response = client.post(
        f"/udvalg/{committee.id}/forretningsorden",
        data={"quorum_rule": "nope", "without_quorum": "postpone"},
    )
    assert response.status_code == 422
    assert field_error(response, "quorum_rule") == "Vælg en af mulighederne."
    db.session.expire_all()
    assert committee.quorum_rule == QuorumRule.MORE_THAN_HALF
    response = client.post(
        f"/udvalg/{committee.id}/forretningsorden",
        data={"quorum_rule": "at_least_half", "without_quorum": "postpone"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert committee.quorum_rule == QuorumRule.AT_LEAST_HALF
    assert committee.without_quorum == WithoutQuorum.POSTPONE
    auth.login(cw.chair)  # a member, not the secretariat: refused, nothing changes
    response = client.post(
        f"/udvalg/{committee.id}/forretningsorden",
        data={"quorum_rule": "more_than_half", "without_quorum": "substitute"},
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert committee.quorum_rule == QuorumRule.AT_LEAST_HALF
    auth.login(cw.caseworker)
    response = client.post(
        f"/udvalg/{committee.id}/medlemmer",
        data={
            "user_id": str(cw.member.id),
            "role": "chair",
            "valid_from": "2026-01-01",
            "valid_to": "",
        },
    )
    assert response.status_code == 302
    assert [m.user_id for m in committee.memberships] == [cw.member.id]


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"name": "", "kind": "standing", "period_first": "2026", "period_last": "2029"},
            "Feltet skal udfyldes.",
        ),
        (
            {"name": "X", "kind": "standing", "period_first": "2029", "period_last": "2026"},
            "Valgperioden slutter før den begynder.",
        ),
        (
            {"name": "X", "kind": "nope", "period_first": "2026", "period_last": "2029"},
            "Vælg en af mulighederne.",
        ),
        (
            {"name": "X", "kind": "standing", "period_first": "to", "period_last": "2029"},
            "Skriv et helt tal.",
        ),
    ],
)
def test_bad_committee_input_is_refused(client, auth, cw, data, message):
    fund = make_fund(route="committee_decision", kind=kinds.COMMITTEE.code)
    db.session.commit()
    auth.login(cw.admin)
    before = _count(Committee)
    response = client.post("/udvalg/ny", data={"fund_id": str(fund.id), **data})
    assert response.status_code == 422
    assert has_error(response, message), errors(response)
    assert _count(Committee) == before


def test_a_fund_belongs_to_one_committee(client, auth, cw):
    auth.login(cw.admin)
    response = client.post(
        "/udvalg/ny",
        data={
            "name": "X",
            "kind": "standing",
            "fund_id": str(cw.fund.id),
            "period_first": "2026",
            "period_last": "2029",
        },
    )
    assert response.status_code == 422  # the fund is not offered


@pytest.mark.parametrize(
    "data, message",
    [
        ({"user_id": "", "role": "member", "valid_from": "2026-01-01"}, "Vælg en person."),
        ({"user_id": "OUT", "role": "member", "valid_from": ""}, "Feltet skal udfyldes."),
        (
            {
                "user_id": "OUT",
                "role": "member",
                "valid_from": "2026-02-01",
                "valid_to": "2026-01-01",
            },
            "Slutdatoen ligger før startdatoen.",
        ),
        (
            {"user_id": "OUT", "role": "chair", "valid_from": "2026-01-01"},
            "Udvalget har allerede en formand i perioden.",
        ),
        (
            {"user_id": "MEMBER", "role": "member", "valid_from": "2026-01-01"},
            "Personen er allerede medlem af udvalget i perioden.",
        ),
    ],
)
def test_bad_member_input_is_refused(client, auth, cw, data, message):
    ids = {"OUT": str(cw.outsider.id), "MEMBER": str(cw.member.id)}
    data = {**data, "user_id": ids.get(data["user_id"], data["user_id"])}
    auth.login(cw.caseworker)
    before = _count(CommitteeMembership)
    response = client.post(f"/udvalg/{cw.committee.id}/medlemmer", data=data)
    assert response.status_code == 422
    assert has_error(response, message), errors(response)
    assert _count(CommitteeMembership) == before


def test_only_the_secretariat_registers(client, auth, cw):
    for person in (cw.chair, cw.member, cw.outsider):
        auth.login(person)
        assert client.get("/udvalg/ny").status_code == 403
        assert client.post("/udvalg/ny", data={"name": "X"}).status_code == 403
        response = client.post(
            f"/udvalg/{cw.committee.id}/medlemmer",
            data={"user_id": str(cw.outsider.id), "role": "member", "valid_from": "2026-01-01"},
        )
        assert response.status_code == 403
        response = client.post(
            f"/udvalg/{cw.committee.id}/moeder",
            data={"date": "2026-12-01", "time": "16:00", "place": "Rådhuset"},
        )
        assert response.status_code == 403
    assert len(cw.committee.memberships) == 3
    assert _count(Meeting) == 1
    # An outsider sees no committee at all; a member sees theirs.
    auth.login(cw.outsider)
    assert client.get("/udvalg").status_code == 403
    assert client.get(f"/udvalg/{cw.committee.id}").status_code == 403
    assert client.get(f"/udvalg/moeder/{cw.meeting.id}").status_code == 403
    auth.login(cw.member)
    assert client.get("/udvalg").status_code == 200
    assert client.get(f"/udvalg/{cw.committee.id}").status_code == 200
    assert client.get("/udvalg/999").status_code == 404
    assert client.get("/udvalg/moeder/999").status_code == 404


def test_meetings_are_planned_with_a_date_time_and_place(client, auth, cw):
    auth.login(cw.caseworker)
    response = client.post(
        f"/udvalg/{cw.committee.id}/moeder",
        data={"date": "2026-13-01", "time": "25:00", "place": ""},
    )
    assert response.status_code == 422
    assert field_error(response, "date") == "Skriv en gyldig dato."
    assert field_error(response, "place") == "Feltet skal udfyldes."
    assert _count(Meeting) == 1
    response = client.post(
        f"/udvalg/{cw.committee.id}/moeder",
        data={"date": "2026-12-01", "time": "16:00", "place": "Rådhuset"},
    )
    assert response.status_code == 302
    assert _count(Meeting) == 2


# -- the agenda ----------------------------------------------------------------------------


def test_putting_a_case_on_the_agenda(client, auth, cw):
    application = make_case(cw)
    other_fund_case = make_case(cw)
    other_fund_case.state = "draft"
    db.session.commit()
    url = f"/udvalg/moeder/{cw.meeting.id}/dagsorden"
    for person in (cw.member, cw.chair, cw.outsider):
        auth.login(person)
        response = client.post(
            url, data={"application_id": str(application.id), "recommendation": "Ja."}
        )
        assert response.status_code == 403
    auth.login(cw.caseworker)
    response = client.post(url, data={"application_id": str(application.id), "recommendation": ""})
    assert response.status_code == 422
    assert field_error(response, "recommendation") == "Feltet skal udfyldes."
    response = client.post(
        url, data={"application_id": str(other_fund_case.id), "recommendation": "Ja."}
    )
    assert response.status_code == 422
    assert _count(AgendaItem) == 0
    db.session.expire_all()
    assert application.state == "screening"
    response = client.post(
        url, data={"application_id": str(application.id), "recommendation": "Ja."}
    )
    assert response.status_code == 302
    assert _count(AgendaItem) == 1
    # From the case page: the step leads to the planned meetings; not for members.
    assert client.get(f"/udvalg/sager/{application.id}/dagsorden").status_code == 200
    auth.login(cw.member)
    assert client.get(f"/udvalg/sager/{application.id}/dagsorden").status_code == 403


def test_attendance(client, auth, cw):
    hold(cw)
    url = f"/udvalg/moeder/{cw.meeting.id}/fremmoedte"
    for person in (cw.member, cw.caseworker, cw.outsider):
        auth.login(person)
        assert client.post(url, data={"present": [str(cw.member.id)]}).status_code == 403
    auth.login(cw.secretary)
    response = client.post(url, data={"present": [str(cw.outsider.id)]})
    assert response.status_code == 422
    assert has_error(response, "Kun udvalgets medlemmer kan være til stede.")
    assert _count(MeetingAttendance) == 2  # as recorded before
    assert client.post(url, data={"present": [str(cw.member.id)]}).status_code == 302
    assert _count(MeetingAttendance) == 1


NOBODY_PRESENT = "Mindst ét af udvalgets medlemmer skal være til stede"


@pytest.mark.parametrize("held_before", [False, True])
def test_an_attendance_with_no_member_present_is_refused(client, auth, cw, held_before):
    """A meeting with nobody present is not held: every item would read "not quorate".
    The secretary is an official, not a member, and is no attendance either."""
    if held_before:
        hold(cw)
    meeting = cw.meeting if held_before else make_meeting(cw.committee, days=0)
    db.session.commit()
    url = f"/udvalg/moeder/{meeting.id}/fremmoedte"
    auth.login(cw.secretary)
    before = table_fingerprint(skip=UNTOUCHED)

    for data in ({}, {"present": []}):
        response = client.post(url, data=data)
        assert response.status_code == 422
        assert NOBODY_PRESENT in (field_error(response, "present") or "")
        assert "Fremmødet er registreret." not in page_text(response)
    assert table_fingerprint(skip=UNTOUCHED) == before
    db.session.expire_all()
    assert (meeting.held_at is not None) == held_before


@pytest.mark.parametrize("typed", ["12345678901234", "12345678901234567890"])
def test_a_too_large_amount_in_the_meetings_decision_says_so(client, auth, cw, typed):
    item = on_agenda(cw, make_case(cw))
    auth.login(cw.secretary)
    response = record_decision(client, item, "grant_part", amount=typed, reasons="Delvis.")
    assert response.status_code == 422
    assert field_error(response, f"amount-{item.id}") == (
        "Beløbet er for stort: det kan højst være 10.000.000,00 kr."
    )
    db.session.expire_all()
    assert item.decision is None


def test_declarations_and_rulings(client, auth, cw):
    item = on_agenda(cw, make_case(cw))
    url = f"/udvalg/moeder/{cw.meeting.id}/punkter/{item.id}/inhabilitet"
    for person in (cw.outsider, cw.caseworker):
        auth.login(person)
        assert client.post(url, data={"reason": "Familie."}).status_code == 403
    auth.login(cw.member)
    response = client.post(url, data={"reason": "  "})
    assert response.status_code == 422
    assert has_error(response, "Feltet skal udfyldes.")  # beside the item's own reason field
    assert _count(InterestDeclaration) == 0
    assert client.post(url, data={"reason": "Familie."}).status_code == 302
    assert client.post(url, data={"reason": "Igen."}).status_code == 422
    declaration = db.session.scalar(select(InterestDeclaration))
    rule = f"/udvalg/moeder/{cw.meeting.id}/erklaeringer/{declaration.id}"
    for person in (cw.member, cw.caseworker, cw.outsider):
        auth.login(person)
        assert client.post(rule, data={"disqualified": "yes"}).status_code == 403
    auth.login(cw.chair)
    assert client.post(rule, data={"disqualified": "maybe"}).status_code == 422
    assert (
        client.post(
            f"/udvalg/moeder/{cw.meeting.id}/erklaeringer/999", data={"disqualified": "yes"}
        ).status_code
        == 404
    )
    db.session.expire_all()
    assert declaration.disqualified is None
    assert client.post(rule, data={"disqualified": "yes"}).status_code == 302


def test_recording_a_decision_checks_the_input(client, auth, cw):
    item = on_agenda(cw, make_case(cw, amount=8000))
    url = f"/udvalg/moeder/{cw.meeting.id}/punkter/{item.id}/beslutning"
    auth.login(cw.secretary)
    cases = [
        (
            {"decision": "grant_part", "amount": "", "reasons": "Delvist."},
            "Ved delvis bevilling skal beløbet",
        ),
        (
            {"decision": "grant_part", "amount": "9000", "reasons": "Delvist."},
            "Ved delvis bevilling skal beløbet",
        ),
        ({"decision": "grant_part", "amount": "4000", "reasons": ""}, "Skriv en begrundelse."),
        ({"decision": "refuse", "amount": "", "reasons": ""}, "Skriv en begrundelse."),
        ({"decision": "postpone", "amount": "", "reasons": ""}, "Skriv hvorfor sagen udsættes."),
        ({"decision": "approve_report", "amount": "", "reasons": ""}, "Vælg en af mulighederne."),
        ({"decision": "grant", "amount": "abc", "reasons": ""}, ""),
    ]
    for data, message in cases:
        response = client.post(url, data=data)
        assert response.status_code == 422, data
        assert has_error(response, message), errors(response)
    db.session.expire_all()
    assert item.decision is None
    assert (
        client.post(
            f"/udvalg/moeder/{cw.meeting.id}/punkter/999/beslutning", data={"decision": "grant"}
        ).status_code
        == 404
    )
    response = client.post(
        url, data={"decision": "grant_part", "amount": "4000", "reasons": "Kun transporten."}
    )
    assert response.status_code == 302


def test_postponing_sends_the_case_back_for_a_later_meeting(client, auth, cw):
    item = on_agenda(cw, make_case(cw))
    auth.login(cw.chair)
    client.post(
        f"/udvalg/moeder/{cw.meeting.id}/punkter/{item.id}/beslutning",
        data={"decision": "postpone", "reasons": "Mangler program."},
    )
    confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend")
    db.session.expire_all()
    assert item.application.state == "screening"
    assert item.application.letters == []


def test_issue_close_and_minutes_access(client, auth, cw):
    item = on_agenda(cw, make_case(cw))
    base = f"/udvalg/moeder/{cw.meeting.id}"
    auth.login(cw.chair)
    assert client.get(f"{base}/job.json").status_code == 404  # no job yet
    response = confirm(client, f"{base}/udsend")
    assert response.status_code == 422
    assert has_error(response, "Der er ingen registrerede afgørelser")
    response = client.post(f"{base}/luk")
    assert response.status_code == 422
    assert has_error(response, "Alle punkter skal være afgjort")
    assert client.get(f"{base}/beslutningsprotokol.pdf").status_code == 404
    for person in (cw.member, cw.caseworker, cw.outsider):
        auth.login(person)
        assert confirm(client, f"{base}/udsend").status_code == 403
        assert client.post(f"{base}/luk").status_code == 403
    assert _count(Job) == 0
    auth.login(cw.chair)
    client.post(f"{base}/punkter/{item.id}/beslutning", data={"decision": "grant"})
    confirm(client, f"{base}/udsend")
    assert client.post(f"{base}/luk").status_code == 302
    # Closed: nothing more is recorded on it.
    response = client.post(f"{base}/fremmoedte", data={"present": [str(cw.chair.id)]})
    assert response.status_code == 422
    for person, status in (
        (cw.member, 200),
        (cw.caseworker, 200),
        (cw.admin, 200),
        (cw.outsider, 403),
    ):
        auth.login(person)
        assert client.get(f"{base}/beslutningsprotokol.pdf").status_code == status
        assert client.get(f"{base}/job.json").status_code == status


def test_members_see_their_agenda_cases_and_others_do_not(client, auth, cw):
    application = make_case(cw, make_user(name="Anne Ansøger"))
    auth.login(cw.member)
    assert client.get(f"/ansoegninger/{application.id}").status_code == 403
    on_agenda(cw, application)
    assert client.get(f"/ansoegninger/{application.id}").status_code == 200
    assert "/udvalg" in links(client.get("/ansoegninger/mine"))
    auth.login(cw.outsider)
    assert client.get(f"/ansoegninger/{application.id}").status_code == 403
    assert "/udvalg" not in links(client.get("/ansoegninger/mine"))


def test_the_pages_speak_english(client, auth, cw):
    on_agenda(cw, make_case(cw))
    auth.login(cw.chair)
    client.post("/sprog", data={"locale": "en"})
    page = page_text(client.get(f"/udvalg/moeder/{cw.meeting.id}"))
    assert "Agenda" in page
    assert "Dagsorden" not in page


def test_the_minutes_name_those_present_the_interests_and_each_decision(client, auth, cw):
    from grants.audit.models import AuditEvent
    from grants.committees.minutes import minutes_html

    item = on_agenda(cw, make_case(cw, cw.member))  # the member applies: found by the system
    other = on_agenda(cw, make_case(cw, make_user(name="Anne Ansøger"), amount=6000))
    base = f"/udvalg/moeder/{cw.meeting.id}"
    auth.login(cw.chair)
    client.post(f"{base}/punkter/{other.id}/inhabilitet", data={"reason": "Min nabo er ansøger."})
    auth.login(cw.secretary)
    declaration = other.declarations[0]
    client.post(f"{base}/erklaeringer/{declaration.id}", data={"disqualified": "yes"})
    response = client.post(
        f"{base}/fremmoedte", data={"present": [str(cw.chair.id), str(cw.member.id)]}
    )
    assert response.status_code == 302
    client.post(
        f"{base}/punkter/{item.id}/beslutning",
        data={"decision": "refuse", "reasons": "Ikke inden for puljens formål."},
    )
    client.post(
        f"{base}/punkter/{other.id}/beslutning",
        data={"decision": "grant_part", "amount": "3000", "reasons": "Kun rejsen."},
    )
    confirm(client, f"{base}/udsend")
    assert client.post(f"{base}/luk").status_code == 302
    db.session.expire_all()
    html = minutes_html(cw.meeting)
    assert "Frederik Friis" in html and "Sine Sekretær" in html
    # Both members present; the secretary is named as such, never as absent.
    assert "Fraværende" not in html and "Ulla Ulriksen" in html
    assert "<h2>Sekretær</h2>" in html
    assert "Medlemmet er selv ansøger." in html
    assert "Min nabo er ansøger." in html and "inhabil, deltog ikke i behandlingen" in html
    assert "Giv afslag" in html and "Ikke inden for puljens formål." in html
    assert "Bevil delvist" in html and "3.000,00 kr." in html
    # The stored PDF is what was downloaded, by its hash.
    import hashlib

    pdf = client.get(f"{base}/beslutningsprotokol.pdf").data
    assert hashlib.sha256(pdf).hexdigest() == cw.meeting.minutes_sha256
    # The audit trail has the memberships and the declarations.
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {
        "committee.member_added",
        "committee.interest_system",
        "committee.interest_declared",
    } <= actions
