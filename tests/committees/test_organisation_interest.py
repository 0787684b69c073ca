"""A committee member who acts for the applying organisation is a party to the case, like a
member who is the applicant: the system records the interest (disqualified, no declaration
needed) and writes it in the case's journal, whenever the system comes to know it: when the
case goes on the agenda, or at the meeting if the member joined the organisation since."""

from __future__ import annotations

from grants.committees import operations as ops
from grants.committees.models import Decision, InterestSource
from grants.extensions import db
from grants.organisations.models import Membership
from grants.people.models import Role
from grants.workflow import engine
from grants.workflow.models import CaseRole
from tests.committees.conftest import make_case, make_meeting, on_agenda, record_decision
from tests.factories import make_organisation, make_user


def _found(item, person):
    db.session.expire_all()
    return [d for d in item.declarations if d.user_id == person.id]


def _journal(application, action):
    return [e for e in application.journal if e.action == action]


def test_a_member_acting_for_the_organisation_is_found_like_an_applicant(client, auth, cw):
    contact = make_user(Role.EMPLOYEE, name="Kim Kontakt")
    organisation = make_organisation(contact, cw.member, name="Ballerup Ungdomsorkester")
    db.session.commit()
    own = on_agenda(cw, make_case(cw, cw.chair))  # the chair applies himself
    theirs = on_agenda(cw, make_case(cw, contact, organisation_id=organisation.id))

    for item, person in ((own, cw.chair), (theirs, cw.member)):
        [declaration] = _found(item, person)
        assert declaration.source == InterestSource.SYSTEM and declaration.disqualified is True
        entries = _journal(item.application, "interest_found")
        assert len(entries) == 1 and entries[0].details["member"] == person.name
        assert not entries[0].visible_to_applicant
    assert "handler for den ansøgende organisation" in _found(theirs, cw.member)[0].reason
    assert engine.case_roles(theirs.application, cw.member) == {CaseRole.APPLICANT}
    # The member takes no part: one of two members is left, at least half.
    assert ops.quorum_of(theirs).taking_part == {cw.chair.id}


def test_a_member_who_joined_the_organisation_since_is_found_at_the_meeting(
    client, auth, cw, move_clock
):
    contact = make_user(Role.EMPLOYEE, name="Kim Kontakt")
    organisation = make_organisation(contact, name="Ballerup Ungdomsorkester")
    meeting = make_meeting(cw.committee, days=5)
    db.session.commit()
    item = on_agenda(cw, make_case(cw, contact, organisation_id=organisation.id), meeting)
    assert _found(item, cw.chair) == []
    # The chair joins the organisation after the agenda was made.
    organisation.members.append(Membership(user=cw.chair))
    db.session.commit()

    move_clock(meeting.day)
    auth.login(cw.secretary)
    assert client.post(f"/udvalg/moeder/{meeting.id}/dagsorden/udsend").status_code == 302
    response = client.post(
        f"/udvalg/moeder/{meeting.id}/fremmoedte",
        data={"present": [str(cw.chair.id), str(cw.member.id)]},
    )
    assert response.status_code == 302
    [declaration] = _found(item, cw.chair)
    assert declaration.source == InterestSource.SYSTEM and declaration.disqualified
    assert len(_journal(item.application, "interest_found")) == 1
    # The chair records nothing on it; the member alone is a quorum of two (at least half).
    auth.login(cw.chair)
    response = record_decision(client, item)
    assert response.status_code == 403
    db.session.expire_all()
    assert item.decision is None
    auth.login(cw.secretary)
    response = record_decision(client, item)
    assert response.status_code == 302
    db.session.expire_all()
    assert item.decision == Decision.GRANT
    # Found once: recording again finds nothing new.
    assert len(_journal(item.application, "interest_found")) == 1
