"""A committee decides an item only with a quorum: at least half of its members (or more than
half, by its rules of procedure) present and not disqualified on that item
(kommunestyrelsesloven § 11, stk. 2 and § 20). The secretary is an official, not a member.
Without a quorum the item is postponed, or a substitute is called in, as the committee's rules
say; the minutes record it. A member disqualified on an item takes no part in any decision on
it, the rulings on other members' declarations included."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from flask import current_app
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from grants.committees import operations as ops
from grants.committees.minutes import minutes_html
from grants.committees.models import (
    AgendaItem,
    AgendaKind,
    Committee,
    CommitteeKind,
    CommitteeMembership,
    Decision,
    InterestDeclaration,
    InterestSource,
    IssueStatus,
    Meeting,
    MeetingAttendance,
    MemberRole,
    QuorumRule,
    Substitute,
    WithoutQuorum,
)
from grants.core import clock
from grants.extensions import db
from grants.funds import kinds
from grants.letters.models import Letter
from grants.people.models import Role, User
from tests.committees.conftest import (
    hold,
    make_case,
    make_meeting,
    on_agenda,
    record_decision,
    rule_on,
)
from tests.confirming import confirm
from tests.factories import (
    PASSWORD,
    future,
    make_application,
    make_fund,
    make_organisation,
    make_user,
    this_period,
)
from tests.html import errors, form_actions, has_error, links, page_text
from tests.html import page as html_page
from tests.letters.kinds import pdf_text

_seq = itertools.count(1)


def committee_of(cw, size: int, present: int, *, rule=QuorumRule.AT_LEAST_HALF, without=None):
    """A committee of ``size`` members (a chair and members; cw's secretary is its
    secretary), a meeting today held with the first ``present`` of them, and a case on its
    agenda. Returns (committee, members, item)."""
    n = next(_seq)
    fund = make_fund(
        code=f"udvalg-{n}",
        name=f"Udvalg {n}",
        route="committee_decision",
        kind=kinds.COMMITTEE.code,
        delegated_limit=0,
        budget=65000,
    )
    committee = ops.create_committee(
        f"Udvalg {n}",
        CommitteeKind.STANDING,
        fund,
        *this_period(),
        rule,
        without or WithoutQuorum.POSTPONE,
    )
    start = clock.today() - dt.timedelta(days=30)
    members = [
        make_user(Role.BOARD_MEMBER, name=f"Medlem {n}-{i}", email=f"m{n}-{i}@ballerup.dk")
        for i in range(size)
    ]
    for i, member in enumerate(members):
        ops.add_member(
            committee, member, MemberRole.CHAIR if i == 0 else MemberRole.MEMBER, start, None
        )
    ops.add_member(committee, cw.secretary, MemberRole.SECRETARY, start, None)
    meeting = make_meeting(committee, days=0)
    application = make_application(
        cw.outsider,
        fund,
        state="screening",
        amount=8000,
        departure_date=future(60),
        return_date=future(63),
    )
    db.session.commit()
    item = on_agenda(cw, application, meeting=meeting)
    with current_app.test_request_context():  # the agenda's e-mails link to the meeting
        ops.publish_agenda(meeting, cw.secretary)
    ops.set_attendance(meeting, {m.id for m in members[:present]}, cw.secretary)
    db.session.commit()
    return committee, members, item


def association_representative():
    """Someone who only acts for an association: no role in the municipality."""
    person = User(email=f"forening{next(_seq)}@example.dk", name="Foreningens kontakt")
    person.set_password(PASSWORD)
    db.session.add(person)
    db.session.flush()
    return person


def disqualify(item, *people):
    for person in people:
        db.session.add(
            InterestDeclaration(
                agenda_item=item,
                application_id=item.application_id,
                user_id=person.id,
                source=InterestSource.DECLARED,
                reason="Nær ven af ansøgeren.",
                disqualified=True,
                ruled_at=clock.now(),
            )
        )
    db.session.commit()


def snapshot(item):
    db.session.expire_all()
    return (
        item.decision,
        item.recorded_at,
        item.without_quorum,
        item.application.state,
        len(item.substitutes),
        [(d.user_id, d.disqualified) for d in item.declarations],
    )


# -- two members: the reported case ------------------------------------------------------------


def test_two_members_both_disqualified_decide_nothing_and_the_item_is_postponed(client, auth, cw):
    committee, (chair, member), item = committee_of(cw, 2, present=2)
    base = f"/udvalg/moeder/{item.meeting_id}"
    # The chair declares and is ruled disqualified (the member takes part in that ruling).
    auth.login(chair)
    client.post(f"{base}/punkter/{item.id}/inhabilitet", data={"reason": "Min bror søger."})
    auth.login(cw.secretary)
    declaration = item.declarations[0]
    response = client.post(f"{base}/erklaeringer/{declaration.id}", data={"disqualified": "yes"})
    assert response.status_code == 302
    # The member declares too: the disqualified chair takes no part in that ruling, so no
    # member is left to make it.
    auth.login(member)
    client.post(f"{base}/punkter/{item.id}/inhabilitet", data={"reason": "Min søster søger."})
    db.session.expire_all()
    second = item.declarations[1]
    auth.login(cw.secretary)
    response = client.post(f"{base}/erklaeringer/{second.id}", data={"disqualified": "yes"})
    assert response.status_code == 422
    assert "ikke beslutningsdygtigt" in page_text(response)
    db.session.expire_all()
    assert second.disqualified is None

    # No decision without a quorum, on any route; nothing changes.
    before = snapshot(item)
    response = record_decision(client, item)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert (
        "Udvalget er ikke beslutningsdygtigt i denne sag: 0 af udvalgets 2 medlemmer"
        in page_text(text)
    )
    assert snapshot(item) == before
    page = client.get(base)
    assert f"{base}/punkter/{item.id}/beslutning" not in form_actions(page) + links(page)
    assert "Ikke beslutningsdygtigt" in page_text(page)
    assert "Forretningsordenen siger: punktet udsættes" in page_text(page)
    response = client.post(
        f"/ansoegninger/{item.application_id}/afgoerelse",
        data={"action": "grant", "amount": "", "reasons": ""},
    )
    assert response.status_code == 403
    assert snapshot(item) == before
    # A substitute is not in this committee's rules.
    stand_in = make_user(Role.EMPLOYEE, name="Sven Stedfortræder")
    db.session.commit()
    response = client.post(
        f"{base}/punkter/{item.id}/stedfortraeder",
        data={"user_id": str(stand_in.id), "for_user_id": str(member.id)},
    )
    assert response.status_code == 422
    assert "forretningsorden siger, at punktet udsættes" in page_text(response)
    assert snapshot(item) == before

    # The item is postponed, and the minutes say so: no decision is shown for it.
    response = client.post(f"{base}/punkter/{item.id}/udsaet")
    assert response.status_code == 302
    db.session.expire_all()
    assert item.without_quorum and item.decision == Decision.POSTPONE
    assert confirm(client, f"{base}/udsend").status_code == 302
    db.session.expire_all()
    assert item.issue_status == IssueStatus.ISSUED
    assert item.application.state == "screening"  # back for a later meeting
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0
    actions = [e.action for e in item.application.journal]
    assert "postponed_without_quorum" in actions and "postpone" in actions
    assert client.post(f"{base}/luk").status_code == 302
    html = minutes_html(item.meeting)
    assert "Ikke afgjort: udvalget var ikke beslutningsdygtigt" in html
    assert "Bevil fuldt ud" not in html
    assert "inhabil, deltog ikke i behandlingen" in html


def test_postponing_is_refused_while_the_committee_can_decide(client, auth, cw):
    _committee, _members, item = committee_of(cw, 2, present=1)
    auth.login(cw.secretary)
    before = snapshot(item)
    response = client.post(f"/udvalg/moeder/{item.meeting_id}/punkter/{item.id}/udsaet")
    assert response.status_code == 422
    assert "Udvalget er beslutningsdygtigt" in page_text(response)
    assert snapshot(item) == before
    assert record_decision(client, item).status_code == 302  # one of two present: at least half


# -- three members: a substitute where the rules say so ----------------------------------------


def test_three_members_a_substitute_for_the_absent_member_gives_the_quorum(client, auth, cw):
    committee, (chair, first, absent), item = committee_of(
        cw, 3, present=2, without=WithoutQuorum.SUBSTITUTE
    )
    base = f"/udvalg/moeder/{item.meeting_id}/punkter/{item.id}"
    assert ops.quorum_of(item).reached  # two of three
    disqualify(item, first)
    assert not ops.quorum_of(item).reached  # one of three
    auth.login(cw.secretary)
    before = snapshot(item)
    assert record_decision(client, item).status_code == 422
    assert snapshot(item) == before
    page = client.get(f"/udvalg/moeder/{item.meeting_id}").get_data(as_text=True)
    assert "Indkald stedfortræderen" in page_text(page)

    association = association_representative()
    make_organisation(association)
    stand_in = make_user(Role.EMPLOYEE, name="Sven Stedfortræder")
    db.session.commit()
    refused = [
        ({"user_id": str(association.id), "for_user_id": str(absent.id)}, "Vælg"),
        ({"user_id": str(first.id), "for_user_id": str(absent.id)}, "Vælg"),
        ({"user_id": str(stand_in.id), "for_user_id": str(chair.id)}, "Vælg"),  # present
        ({"user_id": "", "for_user_id": str(absent.id)}, "Vælg en person."),
    ]
    for data, message in refused:
        response = client.post(f"{base}/stedfortraeder", data=data)
        assert response.status_code == 422, data
        assert has_error(response, message), errors(response)
        assert snapshot(item) == before
    # Nobody but the chair and the secretary calls one in.
    for person in (first, cw.caseworker, cw.outsider):
        auth.login(person)
        response = client.post(
            f"{base}/stedfortraeder",
            data={"user_id": str(stand_in.id), "for_user_id": str(absent.id)},
        )
        assert response.status_code in (403, 404)
        assert client.post(f"{base}/udsaet").status_code in (403, 404)
        assert snapshot(item) == before

    auth.login(cw.secretary)
    response = client.post(
        f"{base}/stedfortraeder",
        data={"user_id": str(stand_in.id), "for_user_id": str(absent.id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [s.user_id for s in item.substitutes] == [stand_in.id]
    assert ops.quorum_of(item).reached
    assert "substitute_called" in [e.action for e in item.application.journal]
    assert record_decision(client, item).status_code == 302
    db.session.expire_all()
    assert item.decision == Decision.GRANT
    confirm(client, f"/udvalg/moeder/{item.meeting_id}/udsend")
    assert client.post(f"/udvalg/moeder/{item.meeting_id}/luk").status_code == 302
    html = minutes_html(item.meeting)
    assert "Sven Stedfortræder for " + absent.name in html


# -- five members -------------------------------------------------------------------------------


def test_five_members_three_present_decide_until_one_is_disqualified(client, auth, cw):
    _committee, members, item = committee_of(cw, 5, present=3)
    assert ops.quorum_of(item).words() == {"taking": 3, "size": 5, "needed": 3}
    disqualify(item, members[2])
    auth.login(cw.secretary)
    before = snapshot(item)
    response = record_decision(client, item)
    assert response.status_code == 422
    assert "2 af udvalgets 5 medlemmer" in page_text(response)
    assert snapshot(item) == before
    # A disqualified member neither rules on another's declaration nor records.
    auth.login(members[1])
    client.post(
        f"/udvalg/moeder/{item.meeting_id}/punkter/{item.id}/inhabilitet",
        data={"reason": "Jeg kender ansøgeren."},
    )
    db.session.expire_all()
    pending = next(d for d in item.declarations if d.user_id == members[1].id)
    auth.login(members[0])  # the chair, not disqualified: may rule
    assert ops.disqualified_on(item, members[0]) is False
    disqualify(item, members[0])
    response = rule_on(client, item, pending, disqualified=False)
    assert response.status_code == 403
    db.session.expire_all()
    assert pending.disqualified is None


def test_more_than_half_where_the_rules_say_so(client, auth, cw):
    _committee, _members, item = committee_of(cw, 4, present=2, rule=QuorumRule.MORE_THAN_HALF)
    auth.login(cw.secretary)
    assert not ops.quorum_of(item).reached
    assert record_decision(client, item).status_code == 422
    _c, _m, other = committee_of(cw, 4, present=2)
    assert ops.quorum_of(other).reached  # at least half


def test_the_secretary_is_neither_a_member_nor_counted(client, auth, cw):
    # cw's committee: a chair and a member decide; the secretary is an official.
    assert [m.user_id for m in cw.committee.voting_memberships()] == [cw.chair.id, cw.member.id]
    auth.login(cw.secretary)
    response = client.post(
        f"/udvalg/moeder/{cw.meeting.id}/fremmoedte", data={"present": [str(cw.secretary.id)]}
    )
    assert response.status_code == 422


# -- for every size, presence and disqualification ------------------------------------------


def _needed(rule, size):
    return size / 2 if rule == QuorumRule.AT_LEAST_HALF else size / 2 + 0.5


@settings(max_examples=200, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=9),
    present=st.sets(st.integers(min_value=0, max_value=8)),
    disqualified=st.sets(st.integers(min_value=0, max_value=8)),
    pending=st.sets(st.integers(min_value=0, max_value=8)),
    rule=st.sampled_from(list(QuorumRule)),
)
def test_quorum_for_every_committee(size, present, disqualified, pending, rule):
    """Built in memory: the rule itself, over member counts, attendance and interests."""
    today = dt.date(2027, 3, 1)
    committee = Committee(
        name="U", quorum_rule=rule, period_first=today.year, period_last=today.year
    )
    committee.memberships = [
        CommitteeMembership(
            user_id=i, role=MemberRole.CHAIR if i == 0 else MemberRole.MEMBER, valid_from=today
        )
        for i in range(size)
    ] + [CommitteeMembership(user_id=99, role=MemberRole.SECRETARY, valid_from=today)]
    meeting = Meeting(
        committee=committee,
        starts_at=dt.datetime(2027, 3, 1, 15, tzinfo=dt.UTC),
        attendance=[MeetingAttendance(user_id=i) for i in sorted(present | {99})],
    )
    item = AgendaItem(meeting=meeting)
    item.declarations = [
        InterestDeclaration(user_id=i, disqualified=True) for i in sorted(disqualified)
    ] + [InterestDeclaration(user_id=i, disqualified=None) for i in sorted(pending - disqualified)]
    taking = {i for i in present if i < size} - disqualified - pending
    quorum = ops.quorum_of(item)
    assert quorum.size == size  # the secretary is not counted
    assert quorum.taking_part == taking
    # At least half, or more than half, of all its members, whoever is disqualified.
    assert quorum.reached == (len(taking) >= _needed(rule, size))
    if size % 2 == 1:  # an odd committee: at least half is more than half
        assert ops.needed_for(QuorumRule.AT_LEAST_HALF, size) == ops.needed_for(
            QuorumRule.MORE_THAN_HALF, size
        )


def test_refusals_change_nothing_for_those_outside(client, auth, cw):
    _committee, members, item = committee_of(cw, 3, present=1)
    before = snapshot(item)
    count = db.session.scalar(select(func.count()).select_from(Substitute))
    for person in (cw.outsider, cw.caseworker, cw.member):  # not on this committee
        auth.login(person)
        assert record_decision(client, item).status_code in (403, 404)
        assert client.post(
            f"/udvalg/moeder/{item.meeting_id}/punkter/{item.id}/udsaet"
        ).status_code in (403, 404)
    assert snapshot(item) == before
    assert db.session.scalar(select(func.count()).select_from(Substitute)) == count


def test_a_disqualified_chair_neither_postpones_nor_calls_a_substitute(client, auth, cw):
    _committee, (chair, member, absent), item = committee_of(
        cw, 3, present=2, without=WithoutQuorum.SUBSTITUTE
    )
    disqualify(item, chair)  # one of three left: no quorum
    stand_in = make_user(Role.EMPLOYEE, name="Sven Stedfortræder")
    db.session.commit()
    base = f"/udvalg/moeder/{item.meeting_id}/punkter/{item.id}"
    auth.login(chair)
    before = snapshot(item)
    assert client.post(f"{base}/udsaet").status_code == 403
    response = client.post(
        f"{base}/stedfortraeder",
        data={"user_id": str(stand_in.id), "for_user_id": str(absent.id)},
    )
    assert response.status_code == 403
    assert record_decision(client, item).status_code == 403
    assert snapshot(item) == before
    page = client.get(f"/udvalg/moeder/{item.meeting_id}")
    steps = form_actions(page) + links(page)
    assert f"{base}/udsaet" not in steps and f"{base}/stedfortraeder" not in steps


# -- the quorum when the decisions are issued ---------------------------------------------------


def test_a_decision_recorded_with_a_quorum_is_not_issued_once_the_quorum_is_gone(client, auth, cw):
    """Recorded while two of three took part; then a member declared an interest (and takes no
    part until the committee rules) and another left: the batch must not issue the decision
    as the committee's, and the case stays undecided."""
    _committee, members, item = committee_of(cw, 3, present=2)
    auth.login(cw.secretary)
    assert record_decision(client, item).status_code == 302
    db.session.expire_all()
    assert item.decision == Decision.GRANT
    auth.login(members[1])
    client.post(
        f"/udvalg/moeder/{item.meeting_id}/punkter/{item.id}/inhabilitet",
        data={"reason": "Jeg kender ansøgeren."},
    )
    db.session.expire_all()
    assert not ops.quorum_of(item).reached
    auth.login(cw.secretary)
    state = item.application.state
    confirm(client, f"/udvalg/moeder/{item.meeting_id}/udsend")
    db.session.expire_all()
    assert item.issue_status != IssueStatus.ISSUED
    assert item.application.state == state
    assert (
        db.session.scalar(
            select(func.count(Letter.id)).where(Letter.application_id == item.application_id)
        )
        == 0
    )


# -- the minutes' language ----------------------------------------------------------------------


def test_the_minutes_are_danish_whatever_language_the_secretary_reads(client, auth, cw):
    """The minutes are the committee's record, stored once with their hash and marked
    lang="da"; closed by a secretary reading the English interface, they were stored in
    English ("Minutes", "Present", "Grant in part") under that Danish mark."""
    from grants.committees.models import Meeting

    _committee, _members, item = committee_of(cw, 3, present=2)
    auth.login(cw.secretary)
    client.post("/sprog", data={"locale": "en"})
    assert record_decision(client, item).status_code == 302
    confirm(client, f"/udvalg/moeder/{item.meeting_id}/udsend")
    assert client.post(f"/udvalg/moeder/{item.meeting_id}/luk").status_code == 302
    page = client.get(f"/udvalg/moeder/{item.meeting_id}")
    assert html_page(page).html["lang"] == "en"  # the secretary reads English
    db.session.expire_all()
    meeting = db.session.get(Meeting, item.meeting_id)
    text = pdf_text(meeting.minutes_pdf)
    for english in ("Minutes", "Present", "Decision:", "Grant in full"):
        assert english not in text, english
    assert "Til stede" in page_text(text) and "Beslutningsprotokol" in page_text(text)


def test_a_postponement_without_quorum_is_recorded_in_danish_whoever_records_it(client, auth, cw):
    """Postponed by a secretary reading English, the item's reasons were written in English:
    into the Danish minutes, and to the Danish applicant as the step's comment."""
    from flask_babel import refresh

    from grants.committees.models import Meeting
    from grants.notifications.models import OutboxMessage

    _committee, _members, item = committee_of(cw, 3, present=1)
    auth.login(cw.secretary)
    client.post("/sprog", data={"locale": "en"})
    refresh()  # the test's one app context keeps Flask-Babel's choice in `g`
    base = f"/udvalg/moeder/{item.meeting_id}"
    assert client.post(f"{base}/punkter/{item.id}/udsaet").status_code == 302
    assert confirm(client, f"{base}/udsend").status_code == 302
    assert client.post(f"{base}/luk").status_code == 302
    client.post("/sprog", data={"locale": "da"})
    refresh()

    db.session.expire_all()
    item = db.session.get(AgendaItem, item.id)
    assert item.reasons.startswith("Udvalget var ikke beslutningsdygtigt: 1 af udvalgets 3")
    minutes = page_text(pdf_text(db.session.get(Meeting, item.meeting_id).minutes_pdf))
    assert "Begrundelse: Udvalget var ikke beslutningsdygtigt: 1 af udvalgets 3" in minutes
    assert "quorum" not in minutes
    (mail,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == cw.outsider.id)
    ).all()
    assert cw.outsider.locale == "da"
    assert "Kommentar: Udvalget var ikke beslutningsdygtigt" in mail.body
    assert "quorum" not in mail.body


@pytest.mark.parametrize(
    ("locale", "said", "not_said"),
    [
        ("en", "The committee had no quorum: 1 of its 3 members", "beslutningsdygtigt"),
        ("da", "Udvalget var ikke beslutningsdygtigt: 1 af udvalgets 3", "quorum"),
    ],
)
def test_the_applicant_reads_why_the_item_was_postponed_in_their_own_language(
    client, auth, cw, locale, said, not_said
):
    """The minutes keep the committee's Danish record; the applicant's e-mail and their
    journal give the reason for the postponement in the applicant's language."""
    from grants.notifications.models import OutboxMessage
    from tests import html

    cw.outsider.locale = locale
    db.session.commit()
    _committee, _members, item = committee_of(cw, 3, present=1)
    auth.login(cw.secretary)
    base = f"/udvalg/moeder/{item.meeting_id}"
    assert client.post(f"{base}/punkter/{item.id}/udsaet").status_code == 302
    assert confirm(client, f"{base}/udsend").status_code == 302
    db.session.expire_all()
    item = db.session.get(AgendaItem, item.id)
    assert item.reasons.startswith("Udvalget var ikke beslutningsdygtigt")  # the record
    (mail,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == cw.outsider.id)
    ).all()
    assert said in mail.body and not_said not in mail.body

    auth.login(cw.outsider)
    client.post("/sprog", data={"locale": locale})
    page = client.get(f"/ansoegninger/{item.application_id}")
    journal = html.text_of(page, "section[aria-labelledby=journal-heading]")
    assert said in journal and not_said not in journal


def test_a_report_without_quorum_is_postponed_and_goes_back(client, auth, cw):
    """A report's approval has no "postpone" step on the route: postponed for want of a
    quorum, its issue failed and the meeting could never close. It goes back off the agenda
    (the case waits for a later meeting), and the minutes say why."""
    cw.committee.quorum_rule = QuorumRule.MORE_THAN_HALF
    case = make_case(cw, state="report_submitted", outcome="granted", granted_amount=8000)
    db.session.commit()
    item = on_agenda(cw, case, held=False)
    assert item.kind == AgendaKind.REPORT_APPROVAL
    hold(cw, present={cw.chair.id})
    auth.login(cw.secretary)
    base = f"/udvalg/moeder/{cw.meeting.id}"
    assert client.post(f"{base}/punkter/{item.id}/udsaet").status_code == 302
    confirm(client, f"{base}/udsend")
    db.session.expire_all()
    item = db.session.get(AgendaItem, item.id)
    assert item.issue_status == IssueStatus.ISSUED, item.failure_reason
    assert item.application.state == "report_submitted"
    assert client.post(f"{base}/luk").status_code == 302
    html = minutes_html(db.session.get(Meeting, cw.meeting.id))
    assert "Ikke afgjort: udvalget var ikke beslutningsdygtigt" in html
