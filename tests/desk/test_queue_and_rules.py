"""The work queue's SQL (``engine.waiting_for``) and the search's (``search.visible_to``)
say what the per-case rules say, for people whose roles changed: a case listed is one the
person may open and take an expected step on, and a case waiting for their step is listed.
The people: a caseworker who applied for an association's case and left the association, a
caseworker still a member, a manager whose role was taken away, the employee's new
manager, a board member of another fund, and the world's people."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.cases.models import Application
from grants.cases.states import State
from grants.core import access
from grants.desk import search as searching
from grants.extensions import db
from grants.people.models import Role
from grants.people.operations import set_manager
from grants.workflow import engine
from grants.workflow.journal_texts import note
from grants.workflow.models import JournalEntry
from tests import html
from tests.factories import make_application, make_fund, make_organisation, make_user


@pytest.fixture
def people_and_cases(app, world):
    w = world
    sara = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Sara Tidligere Medlem")
    kim = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Kim Stadig Medlem")
    lars = make_user(name="Lars Formand")
    karen = make_user(Role.EMPLOYEE, Role.MANAGER, name="Karen Ny Leder")
    politician = make_user(Role.BOARD_MEMBER, name="Poul Politiker")
    other_fund = make_fund(code="andet", name="Anden pulje", board=[politician])
    association = make_organisation(sara, lars, kim, name="Ballerup Ungdomsorkester")
    # Sara made and sent the association's case, then left it; Lars is its contact now.
    left = make_application(
        lars, w.fund, state=State.SCREENING, organisation=association, title="Forladt"
    )
    db.session.add(JournalEntry(application_id=left.id, actor_id=sara.id, action="created"))
    db.session.add(JournalEntry(application_id=left.id, actor_id=sara.id, action="submit"))
    db.session.add(
        JournalEntry(
            application_id=left.id,
            actor_id=sara.id,
            action="representative_removed",
            details=note(
                "representative_removed", person=sara.name, contact=lars.name, person_id=sara.id
            ),
        )
    )
    association.members.remove(next(m for m in association.members if m.user_id == sara.id))
    above = make_application(
        lars,
        w.fund,
        state=State.AWAITING_DECISION,
        organisation=association,
        amount=40000,
        title="Over grænsen",
    )
    endorsement = make_application(
        w.employee, w.fund, state=State.AWAITING_ENDORSEMENT, title="Til lederen"
    )
    second = make_application(
        w.employee, w.fund, state=State.AWAITING_ENDORSEMENT, title="Også til lederen"
    )
    elsewhere = make_application(
        w.outsider, other_fund, state=State.AWAITING_DECISION, amount=40000, title="Andet sted"
    )
    db.session.commit()
    # The world's manager is no longer the manager of the employee (Karen is), and the
    # outsider's manager lost the role: their cases wait for nobody the manager was.
    with app.test_request_context():
        set_manager(w.employee, karen, w.admin)
        db.session.commit()
    exmanager = make_user(Role.EMPLOYEE, Role.MANAGER, name="Eks Leder")
    exmanaged = make_user(name="Ansat Uden Leder", manager=exmanager)
    orphan = make_application(
        exmanaged, w.fund, state=State.AWAITING_ENDORSEMENT, title="Lederen mistede rollen"
    )
    db.session.commit()
    exmanager.role_grants.remove(next(g for g in exmanager.role_grants if g.role == Role.MANAGER))
    db.session.commit()
    people = {
        "sara": sara,
        "kim": kim,
        "lars": lars,
        "karen": karen,
        "politician": politician,
        "exmanager": exmanager,
        **{name: getattr(w, name) for name in ("employee", "manager", "caseworker")},
        **{name: getattr(w, name) for name in ("board_member", "finance", "admin", "outsider")},
    }
    cases = [left, above, endorsement, second, elsewhere, orphan]
    return people, cases


def _expected_step(application: Application, user) -> bool:
    """A step of the person's that the route expects (``notifies``) and the case page
    offers, on a case they may open."""
    return access.may(user, "case.view", application) and any(
        t.notifies for t in engine.available_transitions(application, user)
    )


WHO = [
    "sara",
    "kim",
    "lars",
    "karen",
    "politician",
    "exmanager",
    "employee",
    "manager",
    "caseworker",
    "board_member",
    "finance",
    "admin",
    "outsider",
]


@pytest.mark.parametrize("who", WHO)
def test_the_queue_lists_exactly_the_cases_the_rules_let_the_person_act_on(
    app, people_and_cases, who
):
    people, cases = people_and_cases
    user = people[who]
    with app.test_request_context():
        for quick in (False, True):
            listed = set(
                db.session.scalars(
                    select(Application.id).where(engine.waiting_for(user, quick=quick))
                )
            )
            for application in cases:
                assert (application.id in listed) == _expected_step(application, user), (
                    who,
                    application.title,
                    quick,
                )


@pytest.mark.parametrize("who", WHO)
def test_the_search_shows_exactly_the_cases_the_rule_lets_the_person_open(
    app, people_and_cases, who
):
    people, cases = people_and_cases
    user = people[who]
    with app.test_request_context():
        visible = set(db.session.scalars(select(Application.id).where(searching.visible_to(user))))
        for application in cases:
            assert (application.id in visible) == access.may(user, "case.view", application), (
                who,
                application.title,
            )


def test_who_left_is_refused_the_case_page_and_its_journal(client, auth, people_and_cases):
    people, cases = people_and_cases
    left = cases[0]
    auth.login(people["sara"])
    assert client.get(f"/ansoegninger/{left.id}").status_code == 403
    assert client.get(f"/ansoegninger/{left.id}/sagsmappe.zip").status_code == 403
    assert not access.may(people["sara"], "case.internal_journal", left)
    # Its case number searched for does not lead to it.
    found = client.get("/soeg", query_string={"q": left.case_number})
    assert found.status_code == 200
    assert f"/ansoegninger/{left.id}" not in html.links(found)
    # A member sees it as the association's; another caseworker handles it.
    for who in ("kim", "caseworker"):
        auth.login(people[who])
        assert client.get(f"/ansoegninger/{left.id}").status_code == 200, who


def test_a_login_for_one_company_lists_and_finds_only_that_companys_cases(app, world):
    """MitID Erhverv: a login for one company acts for it alone (``organisation.act``), so
    neither the queue nor the search offers another organisation's case of the person's,
    which they may not open now, and a caseworker never handles either."""
    from flask import session
    from flask_login import login_user

    from grants.people.assurance import CVR_KEY

    mads = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Mads Medlem")
    other = make_user(name="Ole Kontakt")
    orchestra = make_organisation(mads, other, name="Orkestret", cvr="12345674")
    choir = make_organisation(mads, other, name="Koret", cvr="29189765")
    cases = {
        "orchestra_asked": make_application(
            other, world.fund, organisation=orchestra, state=State.AWAITING_INFORMATION
        ),
        "choir_asked": make_application(
            other, world.fund, organisation=choir, state=State.AWAITING_INFORMATION
        ),
        "orchestra_screening": make_application(
            other, world.fund, organisation=orchestra, state=State.SCREENING
        ),
        "choir_screening": make_application(
            other, world.fund, organisation=choir, state=State.SCREENING
        ),
    }
    db.session.commit()
    with app.test_request_context():
        login_user(mads)
        session[CVR_KEY] = "29189765"  # the choir's
        for quick in (False, True):
            listed = set(
                db.session.scalars(
                    select(Application.id).where(engine.waiting_for(mads, quick=quick))
                )
            )
            for name, application in cases.items():
                assert (application.id in listed) == _expected_step(application, mads), (
                    name,
                    quick,
                )
            assert listed == {cases["choir_asked"].id}
        visible = set(db.session.scalars(select(Application.id).where(searching.visible_to(mads))))
        for name, application in cases.items():
            assert (application.id in visible) == access.may(mads, "case.view", application), name
        assert visible == {cases["choir_asked"].id, cases["choir_screening"].id}
