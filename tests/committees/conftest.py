"""A committee with its own fund on the committees' route: a chair, a secretary (an official,
not a member), an ordinary member, the secretariat's caseworker, and one meeting today, held
with both members present once its agenda is set (``on_agenda``, ``hold``; tests of a planned meeting make their own with ``make_meeting``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from grants.committees import operations as ops
from grants.committees.models import (
    Committee,
    CommitteeKind,
    IssueStatus,
    Meeting,
    MemberRole,
)
from grants.core import clock
from grants.extensions import db
from grants.funds import kinds
from grants.funds.models import CarryOver, Fund
from grants.people.models import Role, User
from tests.factories import (
    future,
    make_application,
    make_fund,
    make_municipality,
    make_user,
    this_period,
)


@dataclass
class CommitteeWorld:
    chair: User
    secretary: User
    member: User
    caseworker: User
    outsider: User
    admin: User
    fund: Fund
    committee: Committee
    meeting: Meeting


@pytest.fixture
def cw(app, routes, snapshot) -> CommitteeWorld:
    return snapshot("committees.cw", _committee_world)


def _committee_world() -> CommitteeWorld:
    make_municipality()
    chair = make_user(Role.BOARD_MEMBER, name="Frederik Friis", email="formand@ballerup.dk")
    secretary = make_user(Role.EMPLOYEE, name="Sine Sekretær", email="sekretaer@ballerup.dk")
    member = make_user(Role.BOARD_MEMBER, name="Ulla Ulriksen", email="udvalg@ballerup.dk")
    caseworker = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Sara Skov")
    outsider = make_user(Role.EMPLOYEE, name="Ole Udenfor")
    admin = make_user(Role.ADMIN, name="Anders Admin")
    fund = make_fund(
        code="kultur-udvalg",
        name="Kultur- og Fritidsudvalget",
        route="committee_decision",
        kind=kinds.COMMITTEE.code,
        delegated_limit=0,
        budget=65000,
        carry_over=CarryOver.ELECTION_PERIOD,
        publish_trips=True,
        publish_names=True,
    )
    committee = ops.create_committee(
        "Kultur- og Fritidsudvalget", CommitteeKind.STANDING, fund, *this_period()
    )
    start = clock.today() - dt.timedelta(days=30)
    ops.add_member(committee, chair, MemberRole.CHAIR, start, None)
    ops.add_member(committee, secretary, MemberRole.SECRETARY, start, None)
    ops.add_member(committee, member, MemberRole.MEMBER, start, None)
    # Held today once its agenda is set (``on_agenda`` and ``hold``): cases go on an agenda
    # before the meeting is held, never after.
    meeting = make_meeting(committee, days=0)
    db.session.commit()
    return CommitteeWorld(
        chair, secretary, member, caseworker, outsider, admin, fund, committee, meeting
    )


def make_meeting(committee, days: int = 7) -> Meeting:
    starts = dt.datetime.combine(
        clock.today() + dt.timedelta(days=days),
        dt.time(16, 0),
        tzinfo=ZoneInfo("Europe/Copenhagen"),
    )
    return ops.create_meeting(committee, starts, "Rådhuset")


def make_case(cw: CommitteeWorld, applicant=None, *, amount: int = 8000, **overrides):
    """A case of the committee's fund, screened and waiting to go on an agenda."""
    applicant = applicant or cw.outsider
    values = dict(
        state="screening",
        amount=amount,
        departure_date=future(60),
        return_date=future(63),
        travellers="Ulla Ulriksen (medlem), Sine Sekretær (sekretær)",
    )
    values.update(overrides)
    return make_application(applicant, cw.fund, **values)


def on_agenda(cw: CommitteeWorld, application, meeting=None, held: bool | None = None):
    """Put the case (or a list of cases) on a meeting's agenda (cw's own by default) in the
    proper order: on the agenda before the meeting is held. cw's meeting is then held
    (``hold``): its agenda sent and both members present, unless ``held=False``.

    A test that holds a meeting and then puts cases on it, before anything is decided there,
    gets the same meeting set up in the proper order instead: the cases first, then the
    agenda sent and the meeting held again with the same members present (a held meeting
    takes no items: ``ops.add_to_agenda``). Returns the item, or the items for a list."""
    from flask import current_app

    meeting = meeting or cw.meeting
    applications = application if isinstance(application, list | tuple) else [application]
    present = None
    if meeting.held_at is not None and not any(
        i.recorded_at or i.without_quorum or i.issue_status != IssueStatus.PENDING
        for i in meeting.items
    ):
        present = {a.user_id for a in meeting.attendance}
        meeting.attendance = []
        meeting.held_at = None
        meeting.agenda_published_at = None
        db.session.flush()
    with current_app.test_request_context():
        items = [
            ops.add_to_agenda(
                meeting, application, "Sekretariatet indstiller bevilling.", cw.caseworker
            )
            for application in applications
        ]
    db.session.commit()
    if present is not None:
        hold(cw, meeting, present)
    elif held if held is not None else meeting is cw.meeting and meeting.held_at is None:
        hold(cw, meeting)
    return items if isinstance(application, list | tuple) else items[0]


def hold(cw: CommitteeWorld, meeting=None, present=None) -> None:
    """The meeting held (on its day): its agenda sent to the members if it has items and was
    not yet, then the attendance recorded (the chair and the member unless ``present``)."""
    from flask import current_app

    meeting = meeting or cw.meeting
    with current_app.test_request_context():
        if meeting.items and meeting.agenda_published_at is None:
            ops.publish_agenda(meeting, cw.secretary)
        ops.set_attendance(
            meeting, present if present is not None else {cw.chair.id, cw.member.id}, cw.secretary
        )
    db.session.commit()


def record_decision(client, item, decision: str = "grant", **data):
    """The meeting's decision on an agenda item posted on the meeting's page (amount and
    reasons empty unless given); the response."""
    return client.post(
        f"/udvalg/moeder/{item.meeting_id}/punkter/{item.id}/beslutning",
        data={"decision": decision, "amount": "", "reasons": "", **data},
    )


def rule_on(client, item, declaration, disqualified: bool):
    """The ruling on a member's declaration of interest in an agenda item, posted on the
    meeting's page; the response."""
    return client.post(
        f"/udvalg/moeder/{item.meeting_id}/erklaeringer/{declaration.id}",
        data={"disqualified": "yes" if disqualified else "no"},
    )


def record_grants(client, auth, cw: CommitteeWorld, items) -> None:
    """The secretary records a grant for each item of the meeting."""
    auth.login(cw.secretary)
    for item in items:
        assert record_decision(client, item).status_code == 302
