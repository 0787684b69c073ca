"""What a walk through a whole meeting found: the attendance behind decisions already
issued stays as it was (the minutes say who decided); a substitute and the member they
replaced never both count for the quorum."""

from __future__ import annotations

from decimal import Decimal

from grants.committees import operations as ops
from grants.committees.models import (
    InterestDeclaration,
    InterestSource,
    IssueStatus,
    WithoutQuorum,
)
from grants.extensions import db
from grants.people.models import Role
from tests.committees.conftest import make_case, make_meeting, on_agenda, record_decision, rule_on
from tests.confirming import confirm
from tests.factories import make_user
from tests.html import field_error, page_text
from tests.letters.kinds import pdf_text


def test_nobody_is_taken_off_the_attendance_once_decisions_are_issued(client, auth, cw):
    item = on_agenda(cw, make_case(cw))
    later = on_agenda(cw, make_case(cw))
    base = f"/udvalg/moeder/{cw.meeting.id}"
    auth.login(cw.secretary)
    assert record_decision(client, item).status_code == 302
    assert confirm(client, f"{base}/udsend").status_code == 302
    db.session.expire_all()
    assert item.issue_status == IssueStatus.ISSUED

    refused = client.post(f"{base}/fremmoedte", data={"present": [str(cw.chair.id)]})
    assert refused.status_code == 422
    assert "Ulla Ulriksen var til stede, da udvalget afgjorde sager, der er udsendt" in (
        field_error(refused, "present")
    )
    db.session.expire_all()
    assert cw.meeting.present_ids == {cw.chair.id, cw.member.id}
    client.post("/sprog", data={"locale": "en"})
    refused = client.post(f"{base}/fremmoedte", data={"present": [str(cw.chair.id)]})
    assert refused.status_code == 422
    assert "was present when the committee decided cases" in page_text(refused)
    # The same attendance again is no change; the other item is decided as before.
    again = {"present": [str(cw.chair.id), str(cw.member.id)]}
    assert client.post(f"{base}/fremmoedte", data=again).status_code == 302
    assert record_decision(client, later).status_code == 302


def test_a_substitute_has_no_seat_once_the_member_takes_part_after_all(client, auth, cw):
    """A committee of five (at least three), two present; the one ruled disqualified and
    the two absent replaced by substitutes: four take part. Ruled harmless after all, the
    member takes their seat again, and their substitute has none: still four, not five."""
    from tests.committees.test_quorum import committee_of

    _committee, members, item = committee_of(cw, 5, present=2, without=WithoutQuorum.SUBSTITUTE)
    chair, member, absent_1, absent_2 = members[:4]
    declaration = InterestDeclaration(
        agenda_item=item,
        application_id=item.application_id,
        user_id=member.id,
        source=InterestSource.DECLARED,
        reason="Min søster søger.",
    )
    db.session.add(declaration)
    db.session.flush()
    for stand_in, replaced in zip("AB", (absent_1, absent_2), strict=True):
        person = make_user(Role.EMPLOYEE, name=f"Stedfortræder {stand_in}")
        ops.call_substitute(item, person, replaced, cw.secretary)
    ops.rule_on(declaration, True, cw.secretary)
    ops.call_substitute(
        item, make_user(Role.EMPLOYEE, name="Stedfortræder C"), member, cw.secretary
    )
    assert len(ops.quorum_of(item).taking_part) == 4

    ops.rule_on(declaration, False, cw.secretary)
    quorum = ops.quorum_of(item)
    assert member.id in quorum.taking_part
    assert len(quorum.taking_part) == 4  # the member, not also their substitute


def _everyone_reads(client, auth, cw, meeting) -> None:
    """The meeting page for each kind of person, in Danish and English: read or refused,
    never a server error."""
    readers = (cw.chair, cw.secretary, cw.member, cw.caseworker, cw.admin)
    for person in (*readers, cw.outsider):
        auth.login(person)
        for language in ("da", "en"):
            client.post("/sprog", data={"locale": language})
            status = client.get(f"/udvalg/moeder/{meeting.id}").status_code
            assert status == (200 if person in readers else 403), (person.name, language)


def test_a_whole_meeting_with_a_carried_declaration(client, auth, cw):
    """A meeting cancelled with a member's declaration open; the case on the next meeting,
    ruled on there, decided in part, issued and closed: every page reads in both languages,
    and the minutes say where the declaration came from."""
    application = make_case(cw)
    first = make_meeting(cw.committee, days=3)
    db.session.commit()
    item = on_agenda(cw, application, first)
    auth.login(cw.member)
    client.post(
        f"/udvalg/moeder/{first.id}/punkter/{item.id}/inhabilitet",
        data={"reason": "Min søster er formand."},
    )
    auth.login(cw.caseworker)
    assert (
        client.post(f"/udvalg/moeder/{first.id}/aflys", data={"reason": "Syg"}).status_code == 302
    )
    later = on_agenda(cw, application, cw.meeting)
    other = on_agenda(cw, make_case(cw))
    _everyone_reads(client, auth, cw, cw.meeting)

    auth.login(cw.chair)
    client.post("/sprog", data={"locale": "en"})
    assert rule_on(client, later, later.declarations[0], True).status_code == 302
    partly = record_decision(client, later, "grant_part", amount="1.500,50", reasons="Delvis.")
    assert partly.status_code == 302
    assert record_decision(client, other, "refuse", reasons="Uden for formålet.").status_code == 302
    assert confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend").status_code == 302
    assert client.post(f"/udvalg/moeder/{cw.meeting.id}/luk").status_code == 302
    _everyone_reads(client, auth, cw, cw.meeting)

    db.session.expire_all()
    assert later.amount == Decimal("1500.50")
    minutes = pdf_text(cw.meeting.minutes_pdf)
    assert "Ulla Ulriksen" in minutes and "inhabil, deltog ikke i behandlingen" in minutes
    assert "Erklæret til mødet" in minutes
    assert "udvalget tog ikke stilling til den dér" in minutes
