"""The committees of the demo: one per committee fund, for the current election period,
with a chair, the secretariat's caseworker as secretary and the demo committee member;
the committee funds on the committees' route; and one planned meeting with the culture
committee's own study trip on its agenda. Called by grants.demo.load."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, select

from grants.applications import operations as applications
from grants.budgets.elections import election_period
from grants.cases.models import BudgetCategory
from grants.committees import operations as ops
from grants.committees.models import CommitteeKind, MemberRole
from grants.core import clock
from grants.extensions import db
from grants.funds import kinds
from grants.funds.models import Fund
from grants.notifications.models import OutboxMessage
from grants.people.models import Role, User
from grants.workflow.loader import current_route

CHAIR = ("formand@ballerup.dk", "Frederik Friis", "Udvalgsformand", "formand")
KINDS = {"kommunalbestyrelsen": CommitteeKind.COUNCIL, "okonomiudvalget": CommitteeKind.FINANCE}
MEETING_COMMITTEE = "Kultur-, Fritids- og Idrætsudvalget"


def load(people: dict, demo_password: Callable[[str], str]) -> None:
    """The committees, their members and the meeting; ``demo_password`` gives the demo
    logins' passwords (grants.demo, which calls this)."""
    route = current_route("committee_decision")
    period = election_period(clock.today().year)
    start = dt.date(period.first, 1, 1)
    email, name, title, stem = CHAIR
    chair = User(email=email, name=name, title=title, department="Ballerup Kommune")
    chair.set_password(demo_password(stem))
    chair.grant_role(Role.BOARD_MEMBER)
    db.session.add(chair)
    db.session.flush()
    committees = {}
    funds = db.session.scalars(
        select(Fund).where(Fund.kind.in_(kinds.codes(decided_in_meeting=True))).order_by(Fund.id)
    ).all()
    for fund in funds:
        fund.route = route
        committee = ops.create_committee(
            fund.name, KINDS.get(fund.code, CommitteeKind.STANDING), fund, period.first, period.last
        )
        ops.add_member(committee, chair, MemberRole.CHAIR, start, None)
        ops.add_member(committee, people["sagsbehandler"], MemberRole.SECRETARY, start, None)
        ops.add_member(committee, people["udvalg"], MemberRole.MEMBER, start, None)
        committees[fund.name] = committee
    committee = committees.get(MEETING_COMMITTEE)
    if committee is None:
        return
    with current_app.test_request_context(base_url="http://127.0.0.1:5000"):
        _meeting_with_trip(committee, people)
        db.session.flush()
        db.session.execute(delete(OutboxMessage))


def _meeting_with_trip(committee, people) -> None:
    from grants.demo_cases import _case

    member, secretary = people["udvalg"], people["sagsbehandler"]
    trip = _case(
        committee.fund,
        member,
        title="Udvalgets studietur til Malmø om idrætsfaciliteter",
        city="Malmö",
        country="SE",
        days_ahead=70,
        nights=2,
        amount=24000,
        lines={
            BudgetCategory.TRANSPORT: 6000,
            BudgetCategory.ACCOMMODATION: 12000,
            BudgetCategory.MEALS: 6000,
        },
        purpose="At se nye idrætsanlæg og høre om driften.",
    )
    trip.travellers = "Frederik Friis (formand), Ulla Ulriksen (medlem), Sara Skov (sekretær)"
    trip.traveller_count = 3
    applications.submit(trip, member)
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Copenhagen"))
    # In 14 days, but within the committee's election period (a demo loaded late in December
    # of a period's last year meets on 31 December: the committee has no mandate after it).
    day = min(clock.today() + dt.timedelta(days=14), dt.date(committee.period_last, 12, 31))
    meeting = ops.create_meeting(
        committee,
        dt.datetime.combine(day, dt.time(16, 0), tzinfo=zone),
        "Ballerup Rådhus, mødelokale 1",
    )
    ops.add_to_agenda(
        meeting,
        trip,
        "Sekretariatet indstiller, at udvalget bevilger turen. Udgiften kan afholdes af "
        "udvalgets pulje.",
        secretary,
    )
    if trip.amount_applied != Decimal(24000):  # the demo's story depends on this figure
        raise RuntimeError("The committee demo case must apply for 24.000 kr.")
