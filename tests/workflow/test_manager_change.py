"""The manager's step is the manager's *now*: a manager whose role is taken away is refused
it, and when an employee's manager changes (the administrator's page of the person), the
cases that wait for the manager's endorsement go to the new manager, in the journal and by
e-mail in the new manager's language, and the old manager is refused (nothing changes)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from grants.cases.models import Application
from grants.cases.states import State
from grants.extensions import db
from grants.notifications.models import OutboxMessage
from grants.people.models import Role
from grants.workflow import engine
from grants.workflow.models import CaseRole, JournalEntry
from tests import html
from tests.conftest import AuthActions, FreshContextClient
from tests.dbstate import table_fingerprint
from tests.factories import make_application, make_user


class OwnLoginClient(FreshContextClient):
    """A client of one person among several in a test: the requests share the test's app
    context, so the user Flask-Login keeps in it (and the work queue's condition made for
    them) is forgotten before each request and loaded again from this client's own
    session."""

    def open(self, *args, **kwargs):
        from flask import g

        g.pop("_login_user", None)
        g.pop("desk_waiting", None)
        return super().open(*args, **kwargs)


def _second_client(app) -> tuple[FlaskClient, AuthActions]:
    other = OwnLoginClient(app, app.response_class, use_cookies=True)
    return other, AuthActions(other)


def _set_person(client, person, roles, manager_id=None, successor_id=None):
    data = {"roles": roles, "active": "y"}
    # The page's select is always sent: the person's manager as it is, unless one is given.
    if manager_id is None:
        manager_id = person.manager_id or ""
    data["manager_id"] = str(manager_id) if manager_id else ""
    if successor_id is not None:
        data["successor_id"] = str(successor_id)
    return client.post(f"/administration/brugere/{person.id}", data=data)


def _endorse(client, application):
    return client.post(f"/ansoegninger/{application.id}/trin/endorse", data={"comment": "Ja."})


def test_a_manager_whose_role_is_removed_is_refused_on_a_form_opened_before(app, world):
    client, auth = _second_client(app)
    application = make_application(world.employee, world.fund, state=State.AWAITING_ENDORSEMENT)
    # The case waiting for them: the administrator names who takes over.
    karen = make_user(Role.EMPLOYEE, Role.MANAGER, name="Karen Kvist")
    db.session.commit()
    manager_client, manager_auth = _second_client(app)
    manager_auth.login(world.manager)
    # The manager opens the case: the endorse button is there.
    case_page = manager_client.get(f"/ansoegninger/{application.id}")
    assert case_page.status_code == 200
    assert html.has_button(case_page, "Anbefal")

    auth.login(world.admin)
    assert (
        _set_person(client, world.manager, ["employee"], successor_id=karen.id).status_code == 302
    )
    db.session.expire_all()
    assert not world.manager.has_role(Role.MANAGER)
    assert application.manager_id == karen.id

    before = table_fingerprint()
    assert _endorse(manager_client, application).status_code == 403
    assert table_fingerprint() == before
    db.session.expire_all()
    assert application.state == State.AWAITING_ENDORSEMENT
    assert engine.case_roles(application, world.manager) == set()
    # Nor does the case wait for them, nor may they open it as its manager.
    assert manager_client.get(f"/ansoegninger/{application.id}").status_code == 403
    assert "Helsinki" not in html.page_text(manager_client.get("/opgaver"))


def test_a_new_manager_takes_over_the_waiting_cases_and_the_old_is_refused(app, world):
    client, auth = _second_client(app)
    karen = make_user(
        Role.EMPLOYEE, Role.MANAGER, name="Karen Kvist", email="karen@ballerup.dk", locale="en"
    )
    waiting = make_application(
        world.employee, world.fund, state=State.AWAITING_ENDORSEMENT, title="Til lederen"
    )
    draft = make_application(world.employee, world.fund, state=State.DRAFT, title="Kladden")
    endorsed = make_application(world.employee, world.fund, state=State.SCREENING, title="Videre")
    db.session.commit()
    manager_client, manager_auth = _second_client(app)
    manager_auth.login(world.manager)
    assert manager_client.get(f"/ansoegninger/{waiting.id}").status_code == 200

    auth.login(world.admin)
    page = client.get(f"/administration/brugere/{world.employee.id}")
    assert html.field_value(page, "manager_id") == str(world.manager.id)
    assert karen.name in " ".join(html.options(page, "manager_id").values())
    response = _set_person(client, world.employee, ["employee"], karen.id)
    assert response.status_code == 302
    db.session.expire_all()

    assert world.employee.manager_id == karen.id
    assert waiting.manager_id == karen.id
    assert draft.manager_id == karen.id
    assert endorsed.manager_id == world.manager.id  # past the manager's step: as it was
    entry = db.session.scalar(
        select(JournalEntry).where(
            JournalEntry.application_id == waiting.id, JournalEntry.action == "manager_changed"
        )
    )
    assert entry is not None and entry.details["new"] == "Karen Kvist"
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == karen.id)
    ).all()
    assert [m.application_id for m in mail] == [waiting.id]
    assert "is waiting for you" in mail[0].subject or "waiting for you" in mail[0].body
    assert not db.session.scalar(
        select(JournalEntry.id).where(
            JournalEntry.application_id.in_([draft.id, endorsed.id]),
            JournalEntry.action == "manager_changed",
        )
    )

    # The old manager, on the form they opened before: refused, nothing changes.
    before = table_fingerprint()
    assert _endorse(manager_client, waiting).status_code == 403
    assert table_fingerprint() == before
    assert engine.case_roles(waiting, world.manager) == set()
    assert manager_client.get(f"/ansoegninger/{waiting.id}").status_code == 403
    assert "Til lederen" not in html.page_text(manager_client.get("/opgaver"))

    # The new manager finds it waiting, reads why in English, and endorses it.
    karen_client, karen_auth = _second_client(app)
    karen_auth.login(karen)
    assert "Til lederen" in html.page_text(karen_client.get("/opgaver"))
    case_page = html.page_text(karen_client.get(f"/ansoegninger/{waiting.id}"))
    assert "is no longer the applicant's manager" in case_page
    assert engine.case_roles(waiting, karen) == {CaseRole.MANAGER}
    assert _endorse(karen_client, waiting).status_code == 302
    db.session.expire_all()
    assert waiting.state == State.SCREENING

    # The applicant reads it in Danish.
    employee_client, employee_auth = _second_client(app)
    employee_auth.login(world.employee)
    text = html.page_text(employee_client.get(f"/ansoegninger/{waiting.id}"))
    assert "er ikke længere ansøgerens leder" in text


def test_no_manager_is_refused_while_a_case_waits_for_the_managers_endorsement(world, client, auth):
    """Choosing "Ingen leder" would leave the waiting case with nobody to endorse it:
    refused next to the field, nothing changed; the administrator chooses who takes over."""
    waiting = make_application(world.employee, world.fund, state=State.AWAITING_ENDORSEMENT)
    db.session.commit()
    auth.login(world.admin)
    before = table_fingerprint()
    response = _set_person(client, world.employee, ["employee"], "")
    assert response.status_code == 422
    assert "venter på anbefaling fra Lars Lund" in html.field_error(response, "manager_id")
    assert table_fingerprint() == before
    db.session.expire_all()
    assert world.employee.manager_id == world.manager.id
    assert waiting.manager_id == world.manager.id
    assert engine.case_roles(waiting, world.manager) == {CaseRole.MANAGER}


def test_no_manager_clears_the_drafts_and_is_in_the_audit_trail(world, client, auth):
    """Only drafts: they lose the manager, and the applicant names one when sending."""
    from grants.audit.models import AuditEvent

    draft = make_application(world.employee, world.fund, state=State.DRAFT)
    db.session.commit()
    auth.login(world.admin)
    assert _set_person(client, world.employee, ["employee"], "").status_code == 302
    db.session.expire_all()
    assert world.employee.manager_id is None
    assert draft.manager_id is None
    changes = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "settings.user_changed",
            AuditEvent.object_id == world.employee.id,
        )
    ).all()
    assert any(
        event.details["before"].get("manager_id") == world.manager.id
        and event.details["after"].get("manager_id") is None
        for event in changes
    )


def test_a_manager_who_is_not_one_or_the_person_is_refused_next_to_the_field(world, client, auth):
    waiting = make_application(world.employee, world.fund, state=State.AWAITING_ENDORSEMENT)
    db.session.commit()
    auth.login(world.admin)
    before = table_fingerprint()
    for manager_id in (world.outsider.id, world.employee.id, 999999, "x"):
        response = _set_person(client, world.employee, ["employee"], manager_id)
        assert response.status_code == 422, manager_id
        assert html.field_error(response, "manager_id"), manager_id
    assert table_fingerprint() == before
    db.session.expire_all()
    assert waiting.manager_id == world.manager.id


def test_a_post_without_the_field_keeps_the_manager(world, client, auth):
    auth.login(world.admin)
    assert _set_person(client, world.employee, ["employee", "caseworker"]).status_code == 302
    db.session.expire_all()
    assert world.employee.manager_id == world.manager.id


def test_an_application_form_opened_before_the_change_is_refused_next_to_the_manager(app, world):
    from tests.applications.helpers import form_data

    karen = make_user(Role.EMPLOYEE, Role.MANAGER, name="Karen Kvist")
    db.session.commit()
    employee_client, employee_auth = _second_client(app)
    employee_auth.login(world.employee)
    page = employee_client.get("/ansoegninger/ny/studierejsefonden")
    assert list(html.options(page, "manager_id"))[-1] == str(world.manager.id)

    admin_client, admin_auth = _second_client(app)
    admin_auth.login(world.admin)
    assert _set_person(admin_client, world.employee, ["employee"], karen.id).status_code == 302

    before = table_fingerprint(drafts=False)
    response = employee_client.post(
        "/ansoegninger/ny/studierejsefonden", data=form_data(manager_id=str(world.manager.id))
    )
    assert response.status_code == 422
    assert html.field_error(response, "manager_id")
    assert table_fingerprint(drafts=False) == before
    # The form offers the new manager.
    assert str(karen.id) in html.options(response, "manager_id")


def test_a_manager_without_the_role_is_not_offered_and_nobody_is_named(app, world, client, auth):
    from tests.applications.helpers import form_data

    world.manager.role_grants.remove(
        next(g for g in world.manager.role_grants if g.role == Role.MANAGER)
    )
    karen = make_user(Role.EMPLOYEE, Role.MANAGER, name="Karen Kvist")
    db.session.commit()
    auth.login(world.employee)
    page = client.get("/ansoegninger/ny/studierejsefonden")
    offered = html.options(page, "manager_id")
    assert str(world.manager.id) not in offered and str(karen.id) in offered
    response = client.post(
        "/ansoegninger/ny/studierejsefonden", data=form_data(manager_id=str(karen.id))
    )
    assert response.status_code == 302
    application = db.session.scalar(select(Application).order_by(Application.id.desc()))
    assert application.manager_id == karen.id
    assert application.state == State.AWAITING_ENDORSEMENT


def test_the_decision_is_not_mailed_to_a_manager_whose_role_was_removed(world, client, auth):
    from tests.confirming import decide

    endorsed = make_application(world.employee, world.fund, state=State.SCREENING)
    db.session.commit()
    auth.login(world.admin)
    assert _set_person(client, world.manager, ["employee"]).status_code == 302
    auth.login(world.caseworker)
    assert decide(client, endorsed.id, action="grant").status_code == 302
    db.session.expire_all()
    assert endorsed.state == State.GRANTED
    told = set(
        db.session.scalars(
            select(OutboxMessage.recipient_id).where(OutboxMessage.application_id == endorsed.id)
        )
    )
    assert world.employee.id in told and world.manager.id not in told


def test_the_administrators_page_says_it_in_english(world, client, auth):
    world.admin.locale = "en"
    db.session.commit()
    auth.login(world.admin)
    page = client.get(f"/administration/brugere/{world.employee.id}")
    assert html.field_label(page, "manager_id") == "Manager"
    assert "No manager" in html.options(page, "manager_id").values()
    response = _set_person(client, world.employee, ["employee"], world.outsider.id)
    assert response.status_code == 422
    assert html.field_error(response, "manager_id") == "Choose a manager from the list."


def test_removing_the_role_tells_the_administrator_whose_manager_to_change(world, client, auth):
    auth.login(world.admin)
    response = _set_person(client, world.manager, ["employee"])
    assert response.status_code == 302
    notices = html.flashes(client.get(response.headers["Location"]), "warning")
    assert any("Mette Madsen" in notice and "Lars Lund" in notice for notice in notices)
    # A manager who keeps the role: nothing to say.
    karen = make_user(Role.EMPLOYEE, Role.MANAGER, name="Karen Kvist")
    db.session.commit()
    response = _set_person(client, karen, ["employee", "manager"])
    assert not html.flashes(client.get(response.headers["Location"]), "warning")
