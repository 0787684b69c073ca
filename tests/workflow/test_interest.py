"""A person who applied for their organisation's case and then left the organisation is still
a party to it (forvaltningsloven § 3): no staff role of theirs handles it, in any rule, not
only the route's steps. The journal remembers who made, submitted and handed on the case
(grants.workflow.interest)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from grants.budgets.movements import reserve
from grants.cases.models import Outcome
from grants.core import access, clock
from grants.extensions import db
from grants.organisations.models import Membership
from grants.people.models import Role
from grants.workflow import engine, interest
from grants.workflow.models import JournalEntry
from tests.dbstate import table_fingerprint
from tests.factories import make_application, make_organisation, make_user
from tests.publication.helpers import QueryCounter

RULES = (
    "case.record_complaint",
    "case.export_file",
    "case.journalise",
    "case.write_note",
    "case.mark_reply_read",
    "case.message",
    "case.read_notes",
    "payments.record",
)


def _remove(client, organisation, person):
    membership = next(m for m in organisation.members if m.user_id == person.id)
    return client.post(
        f"/organisationer/{organisation.id}/medlemmer/fjern",
        data={"membership_id": str(membership.id)},
    )


def _granted_case_of(world, applicant, organisation):
    """The association's granted case, decided a month ago, its money reserved."""
    application = make_application(
        applicant,
        world.fund,
        state="granted",
        organisation=organisation,
        outcome=Outcome.GRANTED,
        granted_amount=Decimal(8000),
        decided_at=clock.now() - dt.timedelta(days=30),
    )
    reserve(application, Decimal(8000), world.caseworker)
    db.session.add(
        JournalEntry(application_id=application.id, actor_id=applicant.id, action="created")
    )
    db.session.commit()
    return application


def _allowed(user, application) -> set[str]:
    return {rule for rule in RULES if access.may(user, rule, application)}


def test_a_caseworker_who_applied_and_left_handles_nothing_of_the_case(world, client, auth):
    sara = make_user(Role.EMPLOYEE, Role.CASEWORKER, Role.FINANCE, name="Sara Sagsbehandler")
    lars = make_user(name="Lars Larsen")
    association = make_organisation(sara, lars, name="Ballerup Ungdomsorkester")
    application = _granted_case_of(world, sara, association)
    # A colleague with the same roles handles it: the rules themselves allow all of it.
    colleague = make_user(Role.EMPLOYEE, Role.CASEWORKER, Role.FINANCE)
    db.session.commit()
    assert _allowed(colleague, application) == set(RULES)

    auth.login(sara)
    assert _remove(client, association, sara).status_code == 302
    db.session.expire_all()
    assert application.applicant_id == lars.id
    assert not association.has_member(sara)

    assert _allowed(sara, application) == set()
    assert engine.case_roles(application, sara) == set()
    assert interest.has_a_personal_interest(sara, application)

    case = f"/ansoegninger/{application.id}"
    before = table_fingerprint()
    posts = {
        f"{case}/klager": {"body": "Ankestyrelsen", "forwarded_on": clock.today().isoformat()},
        f"{case}/journaliser": {},
        f"{case}/interne-notater": {"body": "Ser fint ud."},
        f"{case}/beskeder": {"body": "Send kvitteringerne."},
        f"{case}/beskeder/1/laest": {},
        f"/udbetalinger/{application.id}/udbetal": {
            "amount": "8000",
            "paid_on": clock.today().isoformat(),
            "voucher": "B-1",
        },
    }
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 403, url
    assert client.get(f"{case}/sagsmappe.zip").status_code == 403
    assert client.get(f"{case}/klager").status_code == 403
    assert client.post(
        f"{case}/trin/request_information", data={"comment": "Hvorfor?"}
    ).status_code in (
        403,
        404,
    )
    assert table_fingerprint() == before

    # The colleague still handles it, and a member who joins later is a party only while
    # a member.
    assert _allowed(colleague, application) == set(RULES)


def test_who_submitted_the_case_is_a_party_too_after_leaving(world):
    kim = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Kim Kasserer")
    lars = make_user(name="Lars Larsen")
    association = make_organisation(lars, kim)
    application = _granted_case_of(world, lars, association)
    db.session.add(JournalEntry(application_id=application.id, actor_id=kim.id, action="submit"))
    association.members.remove(next(m for m in association.members if m.user_id == kim.id))
    db.session.commit()

    assert not association.has_member(kim)
    assert interest.has_a_personal_interest(kim, application)
    assert engine.case_roles(application, kim) == set()
    assert not access.may(kim, "case.record_complaint", application)
    # Another caseworker who never was a party handles it.
    assert not interest.has_a_personal_interest(world.caseworker, application)
    assert access.may(world.caseworker, "case.record_complaint", application)


def test_the_journal_is_read_once_a_request_and_only_for_an_organisations_case(app, world):
    lars = make_user(name="Lars Larsen")
    association = make_organisation(lars)
    organisations_case = _granted_case_of(world, lars, association)
    own_case = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    caseworker = world.caseworker
    # The case, its organisation and the person loaded as a page has them already.
    for case in (own_case, organisations_case):
        interest.has_a_personal_interest(caseworker, case)
        access.may(world.outsider, "case.view", case)

    with app.test_request_context():
        with QueryCounter() as counted:
            for _ in range(5):
                assert not interest.has_a_personal_interest(caseworker, own_case)
        assert counted.count == 0
        with QueryCounter() as counted:
            for _ in range(5):
                assert not interest.has_a_personal_interest(caseworker, organisations_case)
        assert counted.count == 1

    # A person with no staff role asks no rule that reads the journal.
    with app.test_request_context(), QueryCounter() as counted:
        assert not access.may(world.outsider, "case.record_complaint", organisations_case)
        assert not access.may(world.outsider, "payments.record", organisations_case)
        assert not access.may(world.outsider, "case.journalise", organisations_case)
    assert counted.count == 0


def test_a_member_who_joins_later_and_leaves_without_a_part_is_no_party(world):
    lars = make_user(name="Lars Larsen")
    kim = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Kim Kasserer")
    association = make_organisation(lars)
    application = _granted_case_of(world, lars, association)
    association.members.append(Membership(user=kim))
    db.session.commit()
    assert interest.has_a_personal_interest(kim, application)
    association.members.remove(next(m for m in association.members if m.user_id == kim.id))
    db.session.commit()
    assert not interest.has_a_personal_interest(kim, application)
    assert access.may(kim, "case.record_complaint", application)
