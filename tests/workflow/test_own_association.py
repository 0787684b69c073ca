"""Nobody handles a case of an association they are a member of (inhabilitet), whatever
organisation this session's login acts for: a caseworker who is a member of the applying
association, logged in with MitID Erhverv for another company, was no longer the applicant
side of its case, and so got the caseworker's steps on it."""

from __future__ import annotations

from grants.funds import kinds
from grants.people.assurance import CVR_KEY
from grants.people.models import Role
from grants.workflow import engine
from grants.workflow.models import CaseRole
from tests.factories import make_application, make_fund, make_organisation, make_user


def test_a_member_of_the_applying_association_never_handles_its_case(app, routes):
    caseworker = make_user(Role.EMPLOYEE, Role.CASEWORKER)
    applicant = make_user()
    association = make_organisation(caseworker, applicant, cvr="12345674")
    fund = make_fund(kind=kinds.YOUTH_TRIP.code, route="screening_decision", board=[caseworker])
    case = make_application(applicant, fund, organisation=association, state="screening")

    with app.test_request_context():
        from flask import session
        from flask_login import login_user

        login_user(caseworker)
        assert engine.case_roles(case, caseworker) == {CaseRole.APPLICANT}
        # This session's login is for another company (MitID Erhverv): the caseworker acts
        # for that company only, but is still a member of the association that applied.
        session[CVR_KEY] = "10000009"
        roles = engine.case_roles(case, caseworker)
        assert CaseRole.CASEWORKER not in roles and CaseRole.BOARD_MEMBER not in roles
        assert engine.available_transitions(case, caseworker) == []
