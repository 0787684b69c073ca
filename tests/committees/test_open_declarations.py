"""A declaration of interest is the committee's question at the meeting (forvaltningsloven
§§ 3-6): the item is not decided while it is open, the member it is about takes no part in
the ruling, and a declaration the committee could not rule on (the meeting cancelled, no
quorum for the ruling) goes with the case to its next agenda, visibly, instead of keeping
the member out of the case for ever."""

from __future__ import annotations

from grants.committees import operations as ops
from grants.committees.models import IssueStatus
from grants.extensions import db
from grants.workflow import engine
from grants.workflow.models import CaseRole
from tests.committees.conftest import make_case, make_meeting, on_agenda, record_decision, rule_on
from tests.confirming import confirm
from tests.html import flashes, page_text

REASON = "Min søster er formand for foreningen."


def _declare(client, auth, item, who, meeting_id=None):
    auth.login(who)
    response = client.post(
        f"/udvalg/moeder/{meeting_id or item.meeting_id}/punkter/{item.id}/inhabilitet",
        data={"reason": REASON},
    )
    db.session.expire_all()
    return response


def test_an_item_is_not_decided_while_a_declaration_waits_for_the_ruling(client, auth, cw):
    item = on_agenda(cw, make_case(cw))
    assert _declare(client, auth, item, cw.member).status_code == 302
    declaration = item.declarations[0]

    auth.login(cw.secretary)
    page = client.get(f"/udvalg/moeder/{cw.meeting.id}")
    assert (
        "Udvalget skal tage stilling til erklæringen om inhabilitet fra Ulla Ulriksen"
        in page_text(page)
    )
    refused = record_decision(client, item)
    assert refused.status_code == 422
    assert "Udvalget skal først tage stilling til" in " ".join(flashes(refused))
    db.session.expire_all()
    assert item.decision is None

    # In English too.
    client.post("/sprog", data={"locale": "en"})
    refused = record_decision(client, item)
    assert refused.status_code == 422
    assert "The committee must first rule on" in " ".join(flashes(refused))

    # The member the declaration is about records no ruling on it.
    auth.login(cw.member)
    assert rule_on(client, item, declaration, disqualified=False).status_code == 403
    # Ruled on (by the chair), the item is decided.
    auth.login(cw.chair)
    assert rule_on(client, item, declaration, disqualified=False).status_code == 302
    assert record_decision(client, item).status_code == 302
    db.session.expire_all()
    assert item.decision.value == "grant"


def test_a_declaration_after_the_decision_is_recorded_holds_it_back(client, auth, cw):
    """Recorded with the member taking part, then the member declares an interest: the
    decision is not issued while the declaration waits; ruled disqualified, the decision
    they took part in is set aside and recorded again without them. Once issued, a
    declaration comes too late (what is left is a reconsideration)."""
    item = on_agenda(cw, make_case(cw))
    auth.login(cw.chair)
    assert record_decision(client, item).status_code == 302
    assert _declare(client, auth, item, cw.member).status_code == 302
    auth.login(cw.chair)
    shown = client.post(f"/udvalg/moeder/{cw.meeting.id}/udsend")
    assert "Udvalget skal først tage stilling til erklæringen" in page_text(shown)
    confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend")
    db.session.expire_all()
    assert item.issue_status != IssueStatus.ISSUED
    assert "Udvalget skal først tage stilling til erklæringen" in item.failure_reason
    assert item.application.state == "on_agenda"

    ruled = rule_on(client, item, item.declarations[0], disqualified=True)
    assert ruled.status_code == 302
    assert "Registrér beslutningen igen" in " ".join(flashes(client.get(ruled.location)))
    db.session.expire_all()
    assert item.decision is None
    assert record_decision(client, item).status_code == 302
    assert confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend").status_code == 302
    db.session.expire_all()
    assert item.issue_status == IssueStatus.ISSUED

    page = client.get(f"/udvalg/moeder/{cw.meeting.id}")
    assert "Erklær inhabilitet i denne sag" not in page_text(page)
    response = _declare(client, auth, item, cw.chair)
    assert response.status_code == 422
    assert "Udvalgets afgørelse i punktet er udsendt" in page_text(response)
    db.session.expire_all()
    assert len(item.declarations) == 1


def test_a_declaration_never_ruled_on_goes_to_the_next_agenda(client, auth, cw):
    """Declared before a meeting that was then cancelled: the committee never ruled. The
    chair is not kept out of the case for ever: the declaration stands on the next agenda,
    saying where it came from, and the committee rules on it there."""
    application = make_case(cw)
    first = make_meeting(cw.committee, days=3)
    db.session.commit()
    item = on_agenda(cw, application, first)
    assert _declare(client, auth, item, cw.chair).status_code == 302
    auth.login(cw.caseworker)
    response = client.post(f"/udvalg/moeder/{first.id}/aflys", data={"reason": "Ingen lokaler."})
    assert response.status_code == 302

    later = on_agenda(cw, application, cw.meeting)
    db.session.expire_all()
    [carried] = later.declarations
    assert (carried.user_id, carried.disqualified) == (cw.chair.id, None)
    assert carried.carried_from.agenda_item_id == item.id
    # Until the committee rules, the chair takes no part; the old, cancelled meeting's
    # declaration no longer counts by itself.
    assert not ops.records_for(application, cw.chair)
    auth.login(cw.secretary)
    text = page_text(client.get(f"/udvalg/moeder/{cw.meeting.id}"))
    assert "Erklæret til mødet" in text and "udvalget tog ikke stilling til den dér" in text
    assert record_decision(client, later).status_code == 422
    assert rule_on(client, later, carried, disqualified=False).status_code == 302
    db.session.expire_all()
    assert ops.records_for(application, cw.chair)
    assert CaseRole.COMMITTEE in engine.case_roles(application, cw.chair)
    auth.login(cw.chair)
    assert record_decision(client, later).status_code == 302

    # In English, the carried declaration says where it came from.
    client.post("/sprog", data={"locale": "en"})
    text = page_text(client.get(f"/udvalg/moeder/{cw.meeting.id}"))
    assert "Declared for the meeting" in text


def test_a_member_ruled_disqualified_stays_so_on_the_next_agenda(client, auth, cw):
    """The report of a trip the member was ruled disqualified on goes on a later agenda:
    the ruling goes with it (the committee may rule again), and the quorum counts it."""
    application = make_case(cw)
    item = on_agenda(cw, application)
    assert _declare(client, auth, item, cw.member).status_code == 302
    auth.login(cw.chair)
    assert rule_on(client, item, item.declarations[0], disqualified=True).status_code == 302
    assert record_decision(client, item).status_code == 302
    assert confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend").status_code == 302
    assert client.post(f"/udvalg/moeder/{cw.meeting.id}/luk").status_code == 302
    db.session.expire_all()
    application.state = "report_submitted"
    db.session.commit()

    later_meeting = make_meeting(cw.committee, days=0)
    db.session.commit()
    later = on_agenda(cw, application, later_meeting)
    [carried] = later.declarations
    assert carried.disqualified is True and carried.user_id == cw.member.id
    later_meeting.agenda_published_at = later_meeting.created_at
    ops.set_attendance(later_meeting, {cw.chair.id, cw.member.id}, cw.secretary)
    db.session.commit()
    assert cw.member.id not in ops.quorum_of(later).taking_part


def test_postponing_for_want_of_a_quorum_waits_for_the_rulings_that_can_be_made(client, auth, cw):
    """Both members present declare: the item has no quorum until the committee rules, but
    the rulings can be made (each without the member it is about). Postponing it as 'not
    quorate' before that would be wrong."""
    item = on_agenda(cw, make_case(cw))
    assert _declare(client, auth, item, cw.member).status_code == 302
    assert _declare(client, auth, item, cw.chair).status_code == 302
    auth.login(cw.secretary)
    assert not ops.quorum_of(item).reached
    refused = client.post(f"/udvalg/moeder/{cw.meeting.id}/punkter/{item.id}/udsaet")
    assert refused.status_code == 422
    assert "Udvalget skal først tage stilling til" in " ".join(flashes(refused))
    db.session.expire_all()
    assert item.decision is None and not item.without_quorum
    member_declaration, chair_declaration = item.declarations
    assert rule_on(client, item, member_declaration, disqualified=False).status_code == 302
    assert rule_on(client, item, chair_declaration, disqualified=False).status_code == 302
    assert record_decision(client, item).status_code == 302


def test_a_declaration_without_a_quorum_for_its_ruling_is_postponed_and_carried(client, auth, cw):
    """Only the member is present and declares: nobody else can rule on it. The item is
    postponed for want of a quorum, and the declaration goes on to the next agenda."""
    application = make_case(cw)
    meeting = make_meeting(cw.committee, days=0)
    db.session.commit()
    item = on_agenda(cw, application, meeting)
    meeting.agenda_published_at = meeting.created_at
    ops.set_attendance(meeting, {cw.member.id}, cw.secretary)
    db.session.commit()
    assert _declare(client, auth, item, cw.member, meeting.id).status_code == 302
    auth.login(cw.secretary)
    assert client.post(f"/udvalg/moeder/{meeting.id}/punkter/{item.id}/udsaet").status_code == 302
    assert confirm(client, f"/udvalg/moeder/{meeting.id}/udsend").status_code == 302
    assert client.post(f"/udvalg/moeder/{meeting.id}/luk").status_code == 302
    db.session.expire_all()
    assert application.state == "screening"
    later = on_agenda(cw, application, make_meeting(cw.committee, days=7))
    [carried] = later.declarations
    assert carried.user_id == cw.member.id and carried.disqualified is None
    assert carried.carried_from.agenda_item_id == item.id
