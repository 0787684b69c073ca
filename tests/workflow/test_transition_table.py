"""The study-trip route, every state by every role: exactly these steps are allowed."""

from __future__ import annotations

import datetime as dt

import pytest

from grants.cases.models import Application
from grants.core import clock
from grants.core.errors import NotAllowed
from grants.extensions import db
from grants.workflow import engine
from tests.factories import make_application, make_cases_in_every_state, make_fund
from tests.html import page_text, texts

STATES = [
    "draft",
    "awaiting_endorsement",
    "screening",
    "awaiting_information",
    "awaiting_decision",
    "granted",
    "partly_granted",
    "refused",
    "withdrawn",
    "report_submitted",
    "report_returned",
    "settled",
    "cancelled",
    "reconsideration",
]
ROLES = ["applicant", "manager", "caseworker", "board_member", "finance", "admin", "outsider"]

# What each role may do in each state, for an application WITHIN the delegated limit.
WITHIN_LIMIT = {
    ("draft", "applicant"): {"submit"},
    ("awaiting_endorsement", "applicant"): {"withdraw"},
    ("awaiting_endorsement", "manager"): {"endorse", "not_endorse"},
    ("screening", "applicant"): {"withdraw"},
    # Within her limit the caseworker may decide straight from screening (route version 2).
    ("screening", "caseworker"): {
        "request_information",
        "forward_for_decision",
        "grant",
        "grant_part",
        "refuse",
    },
    ("awaiting_information", "applicant"): {"resubmit", "withdraw"},
    ("awaiting_decision", "applicant"): {"withdraw"},
    ("awaiting_decision", "caseworker"): {"grant", "grant_part", "refuse"},
    # After the trip: the grantee reports, the caseworker approves or sends it back.
    # A decision may be asked reconsidered (route version 3), and is decided again.
    ("granted", "applicant"): {"submit_report", "give_up_grant", "request_reconsideration"},
    ("partly_granted", "applicant"): {
        "submit_report",
        "give_up_grant",
        "request_reconsideration",
    },
    ("refused", "applicant"): {"request_reconsideration"},
    ("reconsideration", "caseworker"): {"grant", "grant_part", "refuse"},
    ("granted", "caseworker"): {"cancel_grant"},
    ("partly_granted", "caseworker"): {"cancel_grant"},
    ("report_returned", "applicant"): {"submit_report"},
    ("report_submitted", "caseworker"): {"approve_report", "return_report"},
}
# Above the limit the board decides instead of the caseworker.
ABOVE_LIMIT = {
    **{
        k: v
        for k, v in WITHIN_LIMIT.items()
        if k not in (("awaiting_decision", "caseworker"), ("reconsideration", "caseworker"))
    },
    ("screening", "caseworker"): {"request_information", "forward_for_decision"},
    ("awaiting_decision", "board_member"): {"grant", "grant_part", "refuse"},
    ("reconsideration", "board_member"): {"grant", "grant_part", "refuse"},
}


def trip_over() -> dict:
    """A trip that ended yesterday."""
    today = clock.today()
    return {
        "departure_date": today - dt.timedelta(days=5),
        "return_date": today - dt.timedelta(days=1),
    }


def person(world, role):
    return {
        "applicant": world.employee,
        "manager": world.manager,
        "caseworker": world.caseworker,
        "board_member": world.board_member,
        "finance": world.finance,
        "admin": world.admin,
        "outsider": world.outsider,
    }[role]


@pytest.mark.parametrize(
    "amount, table",
    [(8000, WITHIN_LIMIT), (40000, ABOVE_LIMIT)],
    ids=["within-limit", "above-limit"],
)
def test_every_state_by_every_role(world, amount, table):
    # A trip that is over, so the report's steps are open (see test_the_report_waits_...).
    application = make_application(
        world.employee, world.fund, amount=amount, budget={"transport": 50000}, **trip_over()
    )
    for state in STATES:
        application.state = state
        for role in ROLES:
            allowed = {
                t.action for t in engine.available_transitions(application, person(world, role))
            }
            assert allowed == table.get((state, role), set()), (state, role)


def test_a_refused_step_raises_and_changes_nothing(world):
    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    with pytest.raises(NotAllowed):
        engine.take(application, "grant", world.manager)
    with pytest.raises(NotAllowed):
        engine.take(application, "endorse", world.manager)  # not in this state
    assert application.state == "screening"
    assert application.journal == []


def test_nobody_acts_on_their_own_application(world):
    # The caseworker and the board member apply themselves: they only hold the applicant role.
    for applicant in (world.caseworker, world.board_member, world.manager):
        application = make_application(
            applicant, world.fund, manager=world.manager, amount=40000, budget={"transport": 50000}
        )
        for state in STATES:
            application.state = state
            actions = {t.action for t in engine.available_transitions(application, applicant)}
            assert actions <= {
                "submit",
                "resubmit",
                "withdraw",
                "submit_report",
                "give_up_grant",
                "request_reconsideration",
            }, (
                applicant.name,
                state,
            )


def test_required_comment_is_required(world):
    application = make_application(world.employee, world.fund, state="awaiting_endorsement")
    with pytest.raises(NotAllowed) as refused:
        engine.take(application, "not_endorse", world.manager, comment="  ")
    assert refused.value.field == "comment"
    assert application.state == "awaiting_endorsement"


def test_the_queue_agrees_with_the_table(world):
    """The work queue's SQL and the buttons' Python give the same answer for every case:
    within and above the limit, a trip still to come, one ending today and one over."""
    from sqlalchemy import select

    from grants.cases.models import Application
    from grants.funds.models import Fund

    today = clock.today()
    trips = [
        {
            "departure_date": today + dt.timedelta(days=3),
            "return_date": today + dt.timedelta(days=6),
        },
        {"departure_date": today - dt.timedelta(days=3), "return_date": today},
        trip_over(),
    ]
    cases = make_cases_in_every_state(world.employee, world.fund, STATES, trips)
    for role in ROLES:
        user = person(world, role)
        in_queue = set(
            db.session.scalars(
                select(Application.id)
                .join(Fund, Fund.id == Application.fund_id)
                .where(engine.waiting_for(user))
            )
        )
        expected = {
            a.id for a in cases if any(t.notifies for t in engine.available_transitions(a, user))
        }
        assert in_queue == expected, role


def test_a_grant_the_caseworker_may_cancel_is_not_waiting_for_the_caseworker(world, client, auth):
    """The queue holds the steps the route expects; the case page offers every step allowed."""
    granted = make_application(
        world.employee, world.fund, state="granted", title="Bevilget tur", **trip_over()
    )
    report = make_application(
        world.employee,
        world.fund,
        state="report_submitted",
        title="Rapport afleveret",
        **trip_over(),
    )
    db.session.commit()
    assert "cancel_grant" in {
        t.action for t in engine.available_transitions(granted, world.caseworker)
    }
    auth.login(world.caseworker)
    queue = client.get("/arbejdskoe")
    assert report.case_number in texts(queue, ".case-number")
    assert "Rapport afleveret" in page_text(queue)
    assert "Bevilget tur" not in page_text(queue)
    # ... and the applicant, whose report is due, has it in their queue.
    auth.login(world.employee)
    assert "Bevilget tur" in page_text(client.get("/arbejdskoe"))


def test_nobody_can_be_left_to_decide(world):
    fund = make_fund(delegated_limit=1000, board=[])  # no board for amounts above 1.000 kr.
    application = make_application(world.employee, fund, amount=8000, state="screening")
    db.session.commit()
    with pytest.raises(NotAllowed):
        engine.take(application, "forward_for_decision", world.caseworker)
    db.session.rollback()
    assert db.session.get(Application, application.id).state == "screening"
