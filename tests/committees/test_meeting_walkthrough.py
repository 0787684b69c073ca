"""What a walk through a whole meeting found: the attendance behind decisions already
issued stays as it was (the minutes say who decided); a substitute and the member they
replaced never both count for the quorum."""

from __future__ import annotations

from grants.committees import operations as ops
from grants.committees.models import (
    InterestDeclaration,
    InterestSource,
    IssueStatus,
    WithoutQuorum,
)
from grants.extensions import db
from grants.people.models import Role
from tests.committees.conftest import make_case, on_agenda, record_decision
from tests.confirming import confirm
from tests.factories import make_user
from tests.html import field_error, page_text


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
