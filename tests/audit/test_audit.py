"""Every state change, money movement, letter, login and change of roles is in the audit
trail with who and when, and nothing can change or remove a record."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import create_engine, select, text

from grants.audit.models import AuditEvent, AuditIsAppendOnly
from grants.extensions import db
from tests.applications.helpers import form_data
from tests.confirming import confirm
from tests.people.helpers import sign_up


def actions() -> list[str]:
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_a_journey_leaves_its_trail(world, client, auth):
    auth.login(world.employee)
    client.post(
        "/ansoegninger/ny/studierejsefonden", data=form_data(manager_id=str(world.manager.id))
    )
    auth.login(world.manager)
    application_id = db.session.scalar(text("SELECT id FROM application"))
    client.post(f"/ansoegninger/{application_id}/trin/endorse", data={"comment": ""})
    auth.login(world.caseworker)
    client.post(f"/ansoegninger/{application_id}/trin/forward_for_decision", data={})
    confirm(client, f"/ansoegninger/{application_id}/afgoerelse", {"action": "grant"})
    auth.logout()
    client.post("/log-ind", data={"email": world.outsider.email, "password": "forkert"})
    trail = actions()
    for expected in (
        "login.succeeded",
        "login.failed",
        "case.submit",
        "case.endorse",
        "case.grant",
        "money.reservation",
        "letter.decision",
    ):
        assert expected in trail, expected
    grant = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.grant")).one()
    assert grant.actor_id == world.caseworker.id and grant.application_id == application_id
    assert grant.at is not None


def test_role_grants_are_recorded(world):
    from grants.people.models import Role

    world.outsider.grant_role(Role.CASEWORKER)
    db.session.commit()
    assert "roles.granted" in actions()


def test_the_app_cannot_change_or_remove_a_record(world, client):
    client.post("/log-ind", data={"email": world.outsider.email, "password": "forkert"})
    event = db.session.scalars(select(AuditEvent)).first()
    event.action = "nothing.happened"
    with pytest.raises(AuditIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalars(select(AuditEvent)).first())
    with pytest.raises(AuditIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_on_postgresql_the_database_refuses_too(app, world, client):
    """Even the tables' owner cannot change a record: the trigger refuses. (The app's own
    role may not even try: tests/core/test_database_roles.py.)"""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; SQLite relies on the application's guard")
    client.post("/log-ind", data={"email": world.outsider.email, "password": "forkert"})
    owner = create_engine(app.config["DATABASE_OWNER_URL"])
    try:
        with pytest.raises(Exception, match="append-only"), owner.begin() as connection:
            connection.execute(text("UPDATE audit_event SET action = 'x'"))
        with pytest.raises(Exception, match="append-only"), owner.begin() as connection:
            connection.execute(text("DELETE FROM audit_event"))
    finally:
        owner.dispose()


def test_accounts_organisations_passwords_and_settings_are_recorded(world, client, auth):
    from tests.conftest import PASSWORD
    from tests.organisations.test_organisations import ORGANISATION

    sign_up(client, "frida@example.dk", "Frida", PASSWORD)
    client.post("/organisationer/ny", data=ORGANISATION)
    organisation_id = db.session.scalar(text("SELECT id FROM organisation"))
    client.post(f"/organisationer/{organisation_id}/invitationer", data={"email": "kim@example.dk"})
    new = "en lang og god sætning om rejser"
    client.post("/konto/adgangskode", data={"current": PASSWORD, "password": new, "confirm": new})
    assert world.fund.delegated_limit == 15000  # read first, as the admin page does
    world.fund.delegated_limit = 12345
    db.session.commit()
    trail = {e.action: e for e in db.session.scalars(select(AuditEvent))}
    frida = db.session.scalar(text("SELECT id FROM \"user\" WHERE email = 'frida@example.dk'"))
    for action in (
        "people.account_created",
        "organisation.registered",
        "organisation.member_added",
        "organisation.invitation_sent",
        "people.password_changed",
    ):
        assert action in trail, action
        assert trail[action].actor_id == frida and trail[action].at is not None, action
    setting = trail["settings.fund_changed"]
    assert Decimal(str(setting.details["after"]["delegated_limit"])) == 12345
    assert Decimal(setting.details["before"]["delegated_limit"]) == 15000


def test_switching_an_account_off_and_on_is_one_event_each(world):
    """Not also a changed setting; a changed name still is one."""
    for active in (False, True):
        world.employee.active = active
        db.session.commit()
    world.employee.name = "Mette Madsen-Holm"
    db.session.commit()
    actions = [
        e.action
        for e in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_id == world.employee.id)
            .order_by(AuditEvent.id)
        )
        if e.object_type == "user"
    ]
    assert actions[-3:] == ["people.deactivated", "people.activated", "settings.user_changed"]
    assert actions.count("settings.user_changed") == 1


def test_a_case_changes_state_only_through_the_engine_which_journals_it():
    """Every state change is a journal entry (and so an audit event): nothing but
    grants.workflow.engine.take assigns a case's state."""
    import re
    from pathlib import Path

    import grants

    root = Path(grants.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name not in ("engine.py", "demo.py", "demo_cases.py")
        and re.search(r"\.state\s*=[^=]", path.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders
